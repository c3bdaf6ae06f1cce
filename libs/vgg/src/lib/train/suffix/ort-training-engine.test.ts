// ONNX Runtime training against TF.js' own: the same model, the same batches, weights after
// three steps equal to tfjs-layers' trainOnBatch, for every frozen count of a small VGG16.
import { beforeAll, describe, expect, it } from "vitest";
import { tf, type LayersModel, type Scalar, type SymbolicTensor, type Tensor, type Variable } from "../../tf.ts";
import { mulberry32 } from "../seeded-random.ts";
import { initBackend } from "../../backend/init-backend.ts";
import { vgg16 } from "../../model/vgg16.ts";
import { transfer, type TransferHead } from "../../model/transfer.ts";
import { adam, sgd, type OptimizerSpec } from "../optimizers.ts";
import { readSuffix, type Suffix } from "./suffix-layers.ts";
import { defaultStepsPerRun, freeBytesPerRun, OrtTrainingEngine } from "./ort-training-engine.ts";
import type { SuffixGraphs } from "./suffix-graph.ts";

const SIZE = 32;
const CLASSES = 3;

function model(frozen: number, head: TransferHead, dropout = 0): LayersModel {
  const base = vgg16({ inputShape: [SIZE, SIZE, 3], classes: 10, widthMultiplier: 1 / 8, includeTop: head === "fc2", seed: 11 });
  return transfer(base, { frozenLayers: frozen, classes: CLASSES, head, dropout, seed: 5 });
}

/** Inputs of layers[frozen:] (TF.js runs the prefix), and one-hot labels; the last batch is short. */
function batches(m: LayersModel, frozen: number, steps: number, batch: number): Array<{ x: Float32Array; shape: number[]; y: Float32Array }> {
  const prefix = frozen > 1 ? tf.model({ inputs: m.inputs, outputs: m.layers[frozen - 1].output as SymbolicTensor }) : undefined;
  return Array.from({ length: steps }, (_, b) => {
    const n = b === steps - 1 ? batch - 1 : batch;
    const images = tf.tidy(() => tf.randomUniform([n, SIZE, SIZE, 3], -100, 120, "float32", 17 + b));
    const x = prefix ? tf.tidy(() => prefix.predict(images) as Tensor) : images;
    const y = new Float32Array(n * CLASSES);
    for (let i = 0; i < n; i++) y[i * CLASSES + ((i * 7 + b) % CLASSES)] = 1;
    const out = { x: x.dataSync() as Float32Array, shape: x.shape, y };
    tf.dispose([images, x]);
    return out;
  });
}

/** The trainable layers as a model of their own, fed with the prefix's output (what trainOnBatch trains). */
function restModel(m: LayersModel, frozen: number): LayersModel {
  const start = Math.max(frozen, 1);
  const input = tf.input({ shape: (m.layers[start - 1].outputShape as number[]).slice(1) });
  let x: SymbolicTensor = input;
  for (const layer of m.layers.slice(start)) x = layer.apply(x) as SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

function trainedWeights(m: LayersModel, frozen: number): Float32Array[] {
  return m.layers.slice(Math.max(frozen, 1)).flatMap((l) => l.getWeights().map((w) => w.dataSync().slice() as Float32Array));
}

/** Share of values whose error relative to their tensor's largest magnitude exceeds `tolerance`. */
function shareAbove(a: Float32Array[], b: Float32Array[], tolerance: number): number {
  let above = 0;
  let total = 0;
  a.forEach((values, i) => {
    let scale = 1e-3;
    for (const v of values) scale = Math.max(scale, Math.abs(v));
    values.forEach((v, j) => (above += Math.abs(v - b[i][j]) / scale > tolerance ? 1 : 0));
    total += values.length;
  });
  return above / total;
}

function maxRelativeError(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((values, i) => {
    let scale = 1e-3;
    for (const v of values) scale = Math.max(scale, Math.abs(v));
    values.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i][j]) / scale)));
  });
  return worst;
}

async function compare(frozen: number, head: TransferHead, spec: OptimizerSpec, options: { dropout?: number; stepsPerRun?: number; blockedConvolutions?: boolean } = {}) {
  const dropout = options.dropout ?? 0;
  const ours = model(frozen, head, dropout);
  const theirs = model(frozen, head, dropout);
  const start = Math.max(frozen, 1);
  const feeds = batches(ours, frozen, 3, 4);
  const suffix = readSuffix(ours.layers.slice(start), (ours.layers[start - 1].outputShape as number[]).slice(1)) as Suffix;
  expect(typeof suffix).toBe("object");
  const engine = await OrtTrainingEngine.create(ours, suffix, spec, "test", { stepsPerRun: options.stepsPerRun ?? 1, blockedConvolutions: options.blockedConvolutions });
  const rest = restModel(theirs, frozen);
  rest.compile({ optimizer: spec.create(), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const before = trainedWeights(ours, frozen);
  const losses: Array<[number, number]> = [];
  // the first two batches have one size, the last is short: with 2 steps per run, one run of two steps, then one
  const results = (options.stepsPerRun ?? 1) > 1 ? [...(await engine.trainBatches(feeds.slice(0, 2).map((f) => ({ ...f, classes: CLASSES })))), ...(await engine.trainBatches([{ ...feeds[2], classes: CLASSES }]))] : [];
  for (const [i, f] of feeds.entries()) {
    const result = results[i] ?? (await engine.trainBatches([{ ...f, classes: CLASSES }]))[0];
    const [x, y] = [tf.tensor(f.x, f.shape), tf.tensor2d(f.y, [f.shape[0], CLASSES])];
    const [loss] = (await rest.trainOnBatch(x, y)) as number[];
    tf.dispose([x, y]);
    losses.push([result.loss, loss]);
  }
  engine.syncModel();
  await engine.dispose();
  const result = { ours: trainedWeights(ours, frozen), theirs: trainedWeights(theirs, frozen), before, losses, reason: engine.reason };
  ours.dispose();
  theirs.dispose();
  return result;
}

describe("suffix training on ONNX Runtime", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  const cases: Array<[number, TransferHead]> = [
    [19, "fc2"],
    [18, "fc2"],
    [17, "fc2"],
    [15, "fc2"],
    [11, "fc2"],
    [0, "fc2"],
    [17, "pooled"],
    [11, "pooled"],
  ];
  it("makes the same steps with plain SGD, Nesterov momentum and Adam (frozen 15)", async () => {
    for (const spec of [sgd(0.05, 0), sgd(0.02, 0.9, true)]) {
      const { ours, theirs, before } = await compare(15, "fc2", spec);
      expect(maxRelativeError(ours, theirs), spec.name + spec.momentum).toBeLessThan(1e-4);
      expect(maxRelativeError(ours, before)).toBeGreaterThan(1e-4);
    }
    // Adam moves every weight by about lr whatever its gradient's size, so where a gradient is
    // rounding noise (1e-9 here) the two engines' different summation orders show up as a step
    // of another size: all but a few weights in 10,000 agree within 1e-4, every one within 1e-3.
    const { ours, theirs, before } = await compare(15, "fc2", adam(1e-3));
    expect(shareAbove(ours, theirs, 1e-4)).toBeLessThan(1e-4);
    expect(maxRelativeError(ours, theirs)).toBeLessThan(1e-3);
    expect(maxRelativeError(ours, before)).toBeGreaterThan(1e-3);
  });

  it("applies dropout with its seeded mask: the update equals w - lr x TF.js autodiff of the same masked pass (frozen 15, pooled and fc2)", async () => {
    for (const head of ["pooled", "fc2"] as const) {
      const m = model(15, head, 0.5);
      const start = 15;
      const [f] = batches(m, start, 2, 4); // the first batch is full (4 images)
      const suffixLayers = m.layers.slice(start);
      const dropoutLayer = suffixLayers.find((l) => l.getClassName() === "Dropout")!;
      const units = (dropoutLayer.outputShape as number[])[1];
      // the mask the engine draws: mulberry32(seed), one value per element, kept at 1 / (1 - rate)
      const random = mulberry32(5);
      const mask = tf.tensor2d(Float32Array.from({ length: 4 * units }, () => (random() >= 0.5 ? 2 : 0)), [4, units]);
      const x = tf.tensor(f.x, f.shape);
      const y = tf.tensor2d(f.y, [4, CLASSES]);
      const trained = suffixLayers.flatMap((l) => l.trainableWeights.map((w) => w.read() as Variable));
      const { grads } = tf.variableGrads(() => {
        let h: Tensor = x;
        for (const layer of suffixLayers) h = layer === dropoutLayer ? tf.mul(h, mask) : (layer.apply(h) as Tensor);
        return tf.mean(tf.metrics.categoricalCrossentropy(y, h)) as Scalar;
      }, trained);
      const expected = trained.map((v) => {
        const g = grads[v.name].dataSync();
        return Float32Array.from(v.dataSync(), (w, i) => w - 0.1 * g[i]);
      });
      tf.dispose([mask, x, y, ...Object.values(grads)]);
      const engine = await OrtTrainingEngine.create(m, readSuffix(suffixLayers, f.shape.slice(1)) as Suffix, sgd(0.1), "test", { stepsPerRun: 1 });
      await engine.trainBatches([{ ...f, classes: CLASSES }]);
      engine.syncModel();
      await engine.dispose();
      expect(maxRelativeError(trainedWeights(m, start), expected), head).toBeLessThan(1e-4);
      m.dispose();
    }
  });

  it("makes the same steps with two steps per graph run (frozen 17, Adam)", async () => {
    const twoPerRun = await compare(17, "fc2", adam(1e-3), { stepsPerRun: 2 });
    expect(maxRelativeError(twoPerRun.ours, twoPerRun.theirs)).toBeLessThan(1e-4);
  });

  it("trains convolutions on ONNX Runtime's blocked kernels where their channels allow, and on plain ones when asked (frozen 11)", async () => {
    const blocked = await compare(11, "fc2", sgd(0.02, 0.9));
    const plain = await compare(11, "fc2", sgd(0.02, 0.9), { blockedConvolutions: false });
    // every x86-64 build of ONNX Runtime has the NCHWc kernels (block 8 with AVX2, 16 with AVX-512)
    if (process.arch === "x64") expect(blocked.reason).toMatch(/blocked convolutions \(NCHW(8|16)c\)/);
    expect(plain.reason).not.toMatch(/blocked/);
    expect(maxRelativeError(blocked.ours, blocked.theirs)).toBeLessThan(1e-4);
    expect(maxRelativeError(plain.ours, plain.theirs)).toBeLessThan(1e-4);
  });

  for (const [frozen, head] of cases) {
    it(`frozen ${frozen}, ${head} head: momentum SGD equals TF.js' trainOnBatch after 3 steps`, async () => {
      const { ours, theirs, before, losses } = await compare(frozen, head, sgd(0.02, 0.9));
      expect(maxRelativeError(ours, theirs)).toBeLessThan(1e-4);
      // the weights moved: a graph that skipped an update would fail here, not above
      expect(maxRelativeError(ours, before)).toBeGreaterThan(1e-3);
      for (const [a, b] of losses) expect(a).toBeCloseTo(b, 4);
    });
  }
});

describe("steps per graph run", () => {
  // VGG16's fc1 kernel after block5's three convolutions at 14x14 (frozen 15), or after blocks
  // 4 and 5 (frozen 11: 28x28 convolutions before a pooling), or alone (frozen 19)
  const graphs = { params: [{ shape: [25088, 4096] }] } as unknown as SuffixGraphs;
  const conv = (inChannels: number) => ({ kind: "conv", layer: "c", kernel: [3, 3], inChannels, outChannels: 512, activation: "relu" });
  const head = [{ kind: "maxPool", layer: "p", pool: [2, 2] }, { kind: "flatten" }, { kind: "dense", layer: "fc1", units: 4096, activation: "relu" }];
  const dense = { inputShape: [25088], ops: head.slice(2), classes: 2 } as unknown as Suffix;
  const block5 = { inputShape: [14, 14, 512], ops: [conv(512), conv(512), conv(512), ...head], classes: 2 } as unknown as Suffix;
  const blocks45 = { inputShape: [28, 28, 256], ops: [conv(256), conv(512), conv(512), { kind: "maxPool", layer: "p4", pool: [2, 2] }, conv(512), conv(512), conv(512), ...head], classes: 2 } as unknown as Suffix;
  const plenty = 32 * 2 ** 30;

  it("takes 4 where large weights train beside little convolution arithmetic and memory allows, else 1", () => {
    expect(defaultStepsPerRun(graphs, dense, {}, plenty)).toBe(4);
    expect(defaultStepsPerRun(graphs, block5, {}, plenty)).toBe(4);
    expect(defaultStepsPerRun(graphs, blocks45, {}, plenty)).toBe(1);
    expect(defaultStepsPerRun(graphs, block5, {}, 6 * 2 ** 30)).toBe(1);
    expect(defaultStepsPerRun(graphs, dense, {}, 6 * 2 ** 30)).toBe(1);
    expect(defaultStepsPerRun({ params: [{ shape: [512, 2] }] } as unknown as SuffixGraphs, dense, {}, plenty)).toBe(1);
  });

  it("counts the memory a worker's runs share: cores / THAW_THREADS runs at once", () => {
    const gb = 2 ** 30;
    expect(freeBytesPerRun({ THAW_THREADS: "1" }, 24 * gb, 2)).toBe(12 * gb);
    expect(freeBytesPerRun({ THAW_THREADS: "2" }, 24 * gb, 2)).toBe(24 * gb);
    expect(freeBytesPerRun({ THAW_THREADS: "3" }, 24 * gb, 8)).toBe(12 * gb);
    // thaw train alone: one thread per core, the whole of it
    expect(freeBytesPerRun({}, 24 * gb, 2)).toBe(24 * gb);
  });

  it("follows THAW_STEPS_PER_RUN and names a bad value", () => {
    expect(defaultStepsPerRun(graphs, blocks45, { THAW_STEPS_PER_RUN: "3" })).toBe(3);
    expect(() => defaultStepsPerRun(graphs, dense, { THAW_STEPS_PER_RUN: "0" })).toThrow(/THAW_STEPS_PER_RUN is "0"; use a whole number from 1 to 16/);
  });
});
