import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tf, type LayersModel, type SymbolicTensor, type Tensor } from "../tf.ts";
import { vgg16 } from "../model/vgg16.ts";
import { transfer } from "../model/transfer.ts";
import { OnnxExportError } from "../errors.ts";
import { TfjsEngine } from "../engine/tfjs-engine.ts";
import { loadOnnxRuntime, OnnxEngine } from "../engine/onnx-engine.ts";
import { maxRelativeError } from "../engine/compare-outputs.ts";
import type { onnx } from "onnx-proto";
import { decodeOnnxModel } from "./onnx-graph.ts";
import { exportOnnx, writeOnnxFile } from "./export-onnx.ts";

/** Deterministic caffe-range pixels (about -124..131), as preprocessing leaves them. */
function images(count: number, h: number, w: number, c: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: count * h * w * c }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 255 - 124;
  });
}

/** Runs the model (or its prefix) on both engines and returns ONNX Runtime's error relative to TF.js. */
async function parity(model: LayersModel, x: Float32Array, batch: number, prefixLayers?: number) {
  const reference = TfjsEngine.create(model, { prefixLayers });
  const onnx = await OnnxEngine.create(model, { prefixLayers });
  try {
    const [expected, actual] = [await reference.run(x, batch), await onnx.run(x, batch)];
    expect(actual.shape).toEqual(expected.shape);
    return { error: maxRelativeError(actual.data, expected.data), shape: actual.shape, expected: expected.data, actual: actual.data };
  } finally {
    await onnx.dispose();
  }
}

function argmaxRows(data: Float32Array, classes: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < data.length / classes; r++) {
    const row = Array.from(data.subarray(r * classes, (r + 1) * classes));
    out.push(row.indexOf(Math.max(...row)));
  }
  return out;
}

let dir: string;
beforeAll(async () => {
  await tf.setBackend("cpu");
  dir = mkdtempSync(join(tmpdir(), "thaw-onnx-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("exportOnnx parity with TF.js (float32, 1e-4 relative)", () => {
  it("tiny VGG16 (width 1/16, 64x64 so block5_pool is 2x2): frozen prefix of 19 layers and the whole classifier", async () => {
    const model = vgg16({ inputShape: [64, 64, 3], classes: 5, widthMultiplier: 1 / 16, seed: 11 });
    const x = images(3, 64, 64, 3, 1);
    const prefix = await parity(model, x, 3, 19);
    expect(prefix.shape).toEqual([3, 2, 2, 32]);
    expect(prefix.error).toBeLessThan(1e-4);
    const whole = await parity(model, x, 3);
    expect(whole.shape).toEqual([3, 5]);
    expect(whole.error).toBeLessThan(1e-4);
    model.dispose();
  }, 30_000);

  it("full-width VGG16 (64..512 channels, fc1/fc2 4096, 10 classes) at 32x32: frozen prefix and whole classifier", async () => {
    const model = vgg16({ inputShape: [32, 32, 3], classes: 10, widthMultiplier: 1, seed: 5 });
    expect(model.countParams()).toBe(14_714_688 + 512 * 4096 + 4096 + 16_781_312 + 4096 * 10 + 10);
    const x = images(2, 32, 32, 3, 2);
    // one TF.js pass gives both references (the cpu backend is slow at full width)
    const both = tf.model({ inputs: model.inputs, outputs: [model.getLayer("block5_pool").output, model.outputs[0]] as SymbolicTensor[] });
    const [prefixRef, wholeRef] = tf.tidy(() => both.predict(tf.tensor4d(x, [2, 32, 32, 3])) as Tensor[]);
    for (const [prefixLayers, reference, shape] of [[19, prefixRef, [2, 1, 1, 512]], [undefined, wholeRef, [2, 10]]] as const) {
      const engine = await OnnxEngine.create(model, { prefixLayers });
      const out = await engine.run(x, 2);
      expect(out.shape).toEqual(shape);
      expect(maxRelativeError(out.data, reference.dataSync() as Float32Array)).toBeLessThan(1e-4);
      await engine.dispose();
    }
    tf.dispose([prefixRef, wholeRef]);
    model.dispose();
  }, 120_000);

  it("keeps Keras' NHWC flatten order: each class is picked by one (h, w, c) position", async () => {
    // conv 1x1 (identity) puts the tensor in ONNX's NCHW layout; Dense(identity) makes the class the flat index
    const input = tf.input({ shape: [2, 2, 3] });
    const [eye3, eye12] = [tf.reshape(tf.eye(3), [1, 1, 3, 3]), tf.mul(tf.eye(12), 10)];
    const conv = tf.layers.conv2d({ filters: 3, kernelSize: 1, useBias: false, weights: [eye3] });
    const dense = tf.layers.dense({ units: 12, useBias: false, activation: "softmax", weights: [eye12] });
    const output = dense.apply(tf.layers.flatten().apply(conv.apply(input))) as SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    tf.dispose([eye3, eye12]);
    const x = new Float32Array(12 * 12);
    const nhwc: number[] = [];
    const nchw: number[] = [];
    for (let h = 0, i = 0; h < 2; h++) {
      for (let w = 0; w < 2; w++) {
        for (let c = 0; c < 3; c++, i++) {
          x[i * 12 + (h * 2 + w) * 3 + c] = 1; // image i lights up pixel (h, w), channel c
          nhwc.push((h * 2 + w) * 3 + c);
          nchw.push(c * 4 + h * 2 + w);
        }
      }
    }
    expect(nchw).not.toEqual(nhwc); // a graph flattening NCHW would pick other classes
    const { actual, expected, error } = await parity(model, x, 12);
    expect(argmaxRows(expected, 12)).toEqual(nhwc);
    expect(argmaxRows(actual, 12)).toEqual(nhwc);
    expect(error).toBeLessThan(1e-4);
    model.dispose();
  });

  it("transfer()'s heads: pooled (GlobalAveragePooling2D, Dropout, Dense softmax) and the seed's fc2 head", async () => {
    const noTop = vgg16({ includeTop: false, inputShape: [64, 64, 3], widthMultiplier: 1 / 16, seed: 3 });
    const pooled = transfer(noTop, { head: "pooled", dropout: 0.5, classes: 3, frozenLayers: 19, seed: 1 });
    expect(pooled.layers.slice(19).map((l) => l.getClassName())).toEqual(["GlobalAveragePooling2D", "Dropout", "Dense"]);
    const x = images(4, 64, 64, 3, 4);
    const p = await parity(pooled, x, 4);
    expect(p.shape).toEqual([4, 3]);
    expect(p.error).toBeLessThan(1e-4);
    const withTop = vgg16({ inputShape: [64, 64, 3], widthMultiplier: 1 / 16, classes: 7, seed: 3 });
    const fc2 = transfer(withTop, { head: "fc2", classes: 2, frozenLayers: 19, seed: 2 });
    const f = await parity(fc2, x, 4);
    expect(f.shape).toEqual([4, 2]);
    expect(f.error).toBeLessThan(1e-4);
    pooled.dispose();
    fc2.dispose();
  });

  it("a Keras-style Sequential([base, Flatten, Dense]) with the conv base nested as one layer", async () => {
    const base = vgg16({ includeTop: false, inputShape: [64, 64, 3], widthMultiplier: 1 / 16, seed: 12 });
    const model = tf.sequential({ layers: [base, tf.layers.flatten(), tf.layers.dense({ units: 4, activation: "softmax" })] });
    expect(model.layers.map((l) => l.getClassName())).toEqual(["Model", "Flatten", "Dense"]);
    const whole = await parity(model, images(2, 64, 64, 3, 13), 2);
    expect(whole.shape).toEqual([2, 4]);
    expect(whole.error).toBeLessThan(1e-4);
    const prefix = await parity(model, images(2, 64, 64, 3, 13), 2, 1); // layers[:1] is the whole nested base
    expect(prefix.shape).toEqual([2, 2, 2, 32]);
    expect(prefix.error).toBeLessThan(1e-4);
    model.dispose();
  });

  it("odd sizes: strided and dilated 'same' convolutions, same average pooling, tanh/sigmoid, Activation layers", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [7, 9, 2], filters: 4, kernelSize: 3, strides: 2, padding: "same", activation: "tanh" }),
        tf.layers.conv2d({ filters: 3, kernelSize: [2, 3], dilationRate: 2, padding: "same", activation: "sigmoid" }),
        tf.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: "same" }),
        tf.layers.activation({ activation: "relu" }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4, useBias: false }),
        tf.layers.activation({ activation: "softmax" }),
      ],
    });
    const x = images(2, 7, 9, 2, 9).map((v) => v / 100);
    const prefix = await parity(model, x, 2, 3);
    expect(prefix.shape).toEqual([2, 2, 3, 3]);
    expect(prefix.error).toBeLessThan(1e-4);
    expect((await parity(model, x, 2)).error).toBeLessThan(1e-4);
    model.dispose();
  });
});

describe("exportOnnx graph", () => {
  it("stores weights as initializers (conv kernels HWIO -> OIHW) and leaves the batch dimension free", () => {
    const model = vgg16({ includeTop: false, inputShape: [32, 32, 3], widthMultiplier: 1 / 16, seed: 8 });
    const graph = decodeOnnxModel(exportOnnx(model, { prefixLayers: 3 })).graph as onnx.GraphProto;
    const dims = (io: onnx.IValueInfoProto) => io.type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue));
    expect(dims(graph.input[0])).toEqual(["batch", 32, 32, 3]);
    expect(dims(graph.output[0])).toEqual(["batch", 32, 32, 4]);
    expect(graph.initializer.map((t) => t.name)).toEqual(["block1_conv1_kernel", "block1_conv1_bias", "block1_conv2_kernel", "block1_conv2_bias"]);
    const init = graph.initializer[2];
    expect(init.dims?.map(Number)).toEqual([4, 4, 3, 3]);
    const raw = init.rawData ?? new Uint8Array(0);
    const oihw = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const hwio = model.getLayer("block1_conv2").getWeights()[0].dataSync();
    for (let o = 0; o < 4; o++)
      for (let i = 0; i < 4; i++)
        for (let h = 0; h < 3; h++)
          for (let w = 0; w < 3; w++) expect(oihw[((o * 4 + i) * 3 + h) * 3 + w]).toBe(hwio[((h * 3 + w) * 4 + i) * 4 + o]);
    model.dispose();
  });

  it("runs any batch size: images in a batch of 3 give what each gives alone", async () => {
    const model = vgg16({ inputShape: [32, 32, 3], classes: 4, widthMultiplier: 1 / 16, seed: 2 });
    const engine = await OnnxEngine.create(model);
    const x = images(3, 32, 32, 3, 6);
    const together = await engine.run(x, 3);
    for (let i = 0; i < 3; i++) {
      const alone = await engine.run(x.slice(i * 3072, (i + 1) * 3072), 1);
      expect(maxRelativeError(together.data.subarray(i * 4, (i + 1) * 4), alone.data)).toBeLessThan(1e-6);
    }
    await engine.dispose();
    model.dispose();
  });

  it("writeOnnxFile writes a file ONNX Runtime opens by path, with the metadata given", async () => {
    const model = vgg16({ inputShape: [32, 32, 3], classes: 2, widthMultiplier: 1 / 16, seed: 4 });
    const path = join(dir, "nested", "model.onnx");
    const size = await writeOnnxFile(model, path, { metadata: { classNames: '["cat","dog"]', preprocessing: "caffe" } });
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(size);
    const props = decodeOnnxModel(bytes).metadataProps.map((p) => [p.key, p.value]);
    expect(props).toEqual([["classNames", '["cat","dog"]'], ["preprocessing", "caffe"]]);
    const ort = await loadOnnxRuntime();
    const session = await ort.InferenceSession.create(path);
    const x = images(1, 32, 32, 3, 7);
    const out = await session.run({ input: new ort.Tensor("float32", x, [1, 32, 32, 3]) });
    const expected = (await TfjsEngine.create(model).run(x, 1)).data;
    expect(maxRelativeError(out.output.data as Float32Array, expected)).toBeLessThan(1e-4);
    await session.release();
    model.dispose();
  });
});

describe("exportOnnx refusals", () => {
  it("names an unsupported layer and its class", () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 3 }), tf.layers.batchNormalization({ name: "bn_head" })],
    });
    expect(() => exportOnnx(model)).toThrow(OnnxExportError);
    expect(() => exportOnnx(model)).toThrow(/Layer "bn_head" \(BatchNormalization\).*supported: InputLayer, Dropout, Conv2D/);
    expect(exportOnnx(model, { prefixLayers: 1 }).length).toBeGreaterThan(0); // the prefix before it exports
    model.dispose();
  });

  it("rejects a prefix outside 1..layer count and a model that is not a single chain", () => {
    const chain = vgg16({ includeTop: false, inputShape: [32, 32, 3], widthMultiplier: 1 / 16 });
    expect(() => exportOnnx(chain, { prefixLayers: 20 })).toThrow(/prefixLayers must be an integer from 1 to 19.*got 20/);
    expect(() => exportOnnx(chain, { prefixLayers: 0 })).toThrow(OnnxExportError);
    const input = tf.input({ shape: [4] });
    const a = tf.layers.dense({ units: 2, name: "branch_a" }).apply(input) as SymbolicTensor;
    const b = tf.layers.dense({ units: 2, name: "branch_b" }).apply(input) as SymbolicTensor;
    const added = tf.layers.add().apply([a, b]) as SymbolicTensor;
    const branched = tf.model({ inputs: input, outputs: added });
    expect(() => exportOnnx(branched)).toThrow(/does not read the output of .*single-chain models/);
    chain.dispose();
    branched.dispose();
  });
});
