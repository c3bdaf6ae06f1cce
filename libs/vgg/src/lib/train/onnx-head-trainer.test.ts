import { beforeAll, describe, expect, it } from "vitest";
import { tf, type LayersModel, type Scalar, type SymbolicTensor } from "../tf.ts";
import { initBackend } from "../backend/init-backend.ts";
import { readDenseHead, type DenseHead } from "./dense-head.ts";
import { buildHeadGraphs } from "./head-graph.ts";
import { OnnxHeadTrainer, crossEntropyAndAccuracy } from "./onnx-head-trainer.ts";
import { adam, sgd, type OptimizerSpec } from "./optimizers.ts";
import { tfjsBatchTrainer, type Feed } from "./train-loop.ts";

const FEATURES = [2, 2, 4];

/** A head as splitAtFrozen builds one: input = prefix output, then the trainable layers. */
function headModel(options: { pooled?: boolean; dropout?: number; dropoutOnFeatures?: boolean; seed?: number } = {}): LayersModel {
  const seed = options.seed ?? 3;
  const input = tf.input({ shape: FEATURES });
  let x = (options.pooled ? tf.layers.globalAveragePooling2d({ name: "gap" }) : tf.layers.flatten({ name: "flatten" })).apply(input) as SymbolicTensor;
  if (options.dropoutOnFeatures) x = tf.layers.dropout({ name: "feature_dropout", rate: 0.25 }).apply(x) as SymbolicTensor;
  x = tf.layers.dense({ name: "fc1", units: 8, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed }) }).apply(x) as SymbolicTensor;
  x = tf.layers.dense({ name: "fc2", units: 6, activation: "linear", kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), biasInitializer: tf.initializers.randomNormal({ seed: seed + 2, stddev: 0.1 }) }).apply(x) as SymbolicTensor;
  if (options.dropout) x = tf.layers.dropout({ name: "dropout", rate: options.dropout }).apply(x) as SymbolicTensor;
  x = tf.layers.dense({ name: "predictions", units: 3, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }) }).apply(x) as SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

/** Deterministic features (some negative, so relu cuts) and one-hot labels. */
function feeds(count: number, batch: number): Array<{ x: Float32Array; y: Float32Array; n: number }> {
  const out = [];
  for (let b = 0; b < count; b++) {
    const n = b === count - 1 ? batch - 1 : batch; // a short last batch, as epochs end
    const x = Float32Array.from({ length: n * 16 }, (_, i) => Math.sin(1.3 * i + 7 * b) * 2);
    const y = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) y[i * 3 + ((i + b) % 3)] = 1;
    out.push({ x, y, n });
  }
  return out;
}

function feed(f: { x: Float32Array; y: Float32Array; n: number }): Feed {
  return { x: tf.tensor(f.x, [f.n, ...FEATURES]), y: tf.tensor2d(f.y, [f.n, 3]) };
}

function weights(model: LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

function maxRelativeError(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((values, i) => {
    const scale = Math.max(...Array.from(values, Math.abs), 1e-3);
    values.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i][j]) / scale)));
  });
  return worst;
}

async function trainBoth(spec: OptimizerSpec, steps: number, pooled = false) {
  const ours = headModel({ pooled });
  const theirs = headModel({ pooled });
  const before = weights(ours);
  const head = readDenseHead(ours) as DenseHead;
  const onnx = await OnnxHeadTrainer.create(ours, head, spec, "test");
  const tfjs = tfjsBatchTrainer(theirs, spec, "reference");
  const results = [];
  for (const f of feeds(steps, 5)) {
    const [a, b] = [feed(f), feed(f)];
    results.push([await onnx.trainBatch(a), await tfjs.trainBatch(b)]);
    tf.dispose([a.x, a.y, b.x, b.y]);
  }
  onnx.syncModel();
  tfjs.syncModel();
  await onnx.dispose();
  await tfjs.dispose();
  return { ours: weights(ours), theirs: weights(theirs), before, results };
}

describe("dense head on ONNX Runtime", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  it("reads the chain of a head and says why other layers cannot be one", () => {
    const head = readDenseHead(headModel({ dropout: 0.5 })) as DenseHead;
    expect(head.featureShape).toEqual(FEATURES);
    expect(head.ops.map((op) => op.kind)).toEqual(["flatten", "dense", "dense", "dropout", "dense"]);
    expect(head.ops[1]).toMatchObject({ layer: "fc1", inputs: 16, units: 8, activation: "relu" });

    const input = tf.input({ shape: [4, 4, 2] });
    const conv = tf.layers.conv2d({ name: "block5_conv3", filters: 2, kernelSize: 3 }).apply(input) as SymbolicTensor;
    const out = tf.layers.dense({ units: 2, activation: "softmax" }).apply(tf.layers.flatten().apply(conv) as SymbolicTensor) as SymbolicTensor;
    expect(readDenseHead(tf.model({ inputs: input, outputs: out }))).toMatch("'block5_conv3' (Conv2D) is not a Flatten, GlobalAveragePooling2D, Dropout or Dense layer");

    const sigmoid = tf.layers.dense({ name: "p", units: 1, activation: "sigmoid" }).apply(tf.layers.flatten().apply(input) as SymbolicTensor) as SymbolicTensor;
    expect(readDenseHead(tf.model({ inputs: input, outputs: sigmoid }))).toMatch("the last layer 'p' is not a softmax");
  });

  it.each([
    ["sgd", sgd(0.1)],
    ["sgd with momentum", sgd(0.1, 0.9)],
    ["sgd with nesterov momentum", sgd(0.05, 0.8, true)],
    ["adam", adam(0.01)],
  ] as const)("%s: four steps give TF.js' weights, losses and accuracies", async (_name, spec) => {
    const { ours, theirs, before, results } = await trainBoth(spec, 4);
    expect(maxRelativeError(before, theirs)).toBeGreaterThan(1e-2); // training moved the weights
    expect(maxRelativeError(ours, theirs)).toBeLessThan(1e-5);
    for (const [a, b] of results) {
      expect(a.loss).toBeCloseTo(b.loss, 5);
      expect(a.accuracy).toBeCloseTo(b.accuracy, 6);
    }
  });

  it("trains a global-average-pooled head as TF.js does", async () => {
    const { ours, theirs } = await trainBoth(sgd(0.1, 0.9), 3, true);
    expect(maxRelativeError(ours, theirs)).toBeLessThan(1e-5);
  });

  it.each([
    ["between dense layers", { dropout: 0.5 }, "dropout_mask_3", 6],
    ["on the features, below the first dense layer", { dropoutOnFeatures: true }, "dropout_mask_1", 16],
  ] as const)("back-propagates through a dropout mask %s: the update equals TF.js' gradients of the same masked pass", async (_where, options, maskName, width) => {
    const model = headModel(options);
    const head = readDenseHead(model) as DenseHead;
    const graphs = buildHeadGraphs(head, { name: "sgd", learningRate: 0.1, momentum: 0, nesterov: false });
    expect(graphs.masks.map((m) => [m.input, m.units])).toEqual([[maskName, width]]);
    const [f] = feeds(1, 6);
    const mask = Float32Array.from({ length: f.n * width }, (_, i) => ((i * 7) % 3 === 0 ? 0 : 2));
    const ort = (await import("onnxruntime-node")).default;
    const session = await ort.InferenceSession.create(graphs.train);
    const w = model.getWeights().map((t) => t.dataSync() as Float32Array);
    const inputs: Record<string, InstanceType<typeof ort.Tensor>> = {
      features: new ort.Tensor("float32", f.x, [f.n, ...FEATURES]),
      labels: new ort.Tensor("float32", f.y, [f.n, 3]),
      scale: new ort.Tensor("float32", new Float32Array([1 / f.n]), []),
      [maskName]: new ort.Tensor("float32", mask, [f.n, width]),
    };
    graphs.params.forEach((p, i) => (inputs[p.input] = new ort.Tensor("float32", w[i], p.shape)));
    const out = await session.run(inputs);
    await session.release();

    // reference: TF.js autodiff of the same forward pass with the same mask, then w - lr * g
    const vars = model.getWeights().map((t) => tf.variable(t));
    const x = tf.tensor2d(f.x, [f.n, 16]);
    const y = tf.tensor2d(f.y, [f.n, 3]);
    const m = tf.tensor2d(mask, [f.n, width]);
    const onFeatures = "dropoutOnFeatures" in options;
    const { grads } = tf.variableGrads(() => {
      const h1 = tf.relu(tf.add(tf.matMul(onFeatures ? tf.mul(x, m) : x, vars[0]), vars[1]));
      const z2 = tf.add(tf.matMul(h1, vars[2]), vars[3]);
      const h2 = onFeatures ? z2 : tf.mul(z2, m);
      const p = tf.softmax(tf.add(tf.matMul(h2, vars[4]), vars[5]));
      return tf.mean(tf.neg(tf.sum(tf.mul(y, tf.log(p)), -1))) as Scalar;
    }, vars);
    graphs.params.forEach((p, i) => {
      const expected = tf.sub(vars[i], tf.mul(grads[vars[i].name], 0.1)).dataSync() as Float32Array;
      expect(maxRelativeError([out[p.output].data as Float32Array], [expected])).toBeLessThan(1e-5);
    });
    tf.dispose([...vars, x, y, m, ...Object.values(grads)]);
  });

  it("computes tfjs-layers' clipped cross-entropy and first-maximum accuracy", () => {
    const probs = new Float32Array([0.7, 0.2, 0.1, 0, 0.5, 0.5]);
    const labels = new Float32Array([1, 0, 0, 1, 0, 0]);
    const { loss, accuracy } = crossEntropyAndAccuracy(probs, labels, 3);
    expect(loss).toBeCloseTo((-Math.log(0.7) - Math.log(1e-7)) / 2, 6);
    expect(accuracy).toBe(0.5);
  });
});
