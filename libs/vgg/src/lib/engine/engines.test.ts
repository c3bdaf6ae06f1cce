import { beforeAll, describe, expect, it } from "vitest";
import { tf, type LayersModel } from "../tf.ts";
import { vgg16 } from "../model/vgg16.ts";
import { InferenceEngineError } from "../errors.ts";
import type { InferenceEngine } from "./inference-engine.ts";
import { TfjsEngine } from "./tfjs-engine.ts";
import { OnnxEngine } from "./onnx-engine.ts";

/** Input 2x2x1 -> Conv 1x1 (x*2 - 3, relu) -> MaxPool 2x2 -> Flatten -> Dense(2): small enough to compute by hand. */
function handModel(): LayersModel {
  const [k, b, dk, db] = [tf.tensor4d([2], [1, 1, 1, 1]), tf.tensor1d([-3]), tf.tensor2d([[1, -1]]), tf.tensor1d([0.5, 0])];
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [2, 2, 1], filters: 1, kernelSize: 1, activation: "relu", weights: [k, b] }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2, weights: [dk, db] }),
    ],
  });
  tf.dispose([k, b, dk, db]);
  return model;
}

const engines: Array<[string, (m: LayersModel, prefixLayers?: number) => Promise<InferenceEngine>]> = [
  ["TfjsEngine", async (m, prefixLayers) => TfjsEngine.create(m, { prefixLayers })],
  ["OnnxEngine", (m, prefixLayers) => OnnxEngine.create(m, { prefixLayers })],
];

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe.each(engines)("%s", (_name, create) => {
  it("computes a hand-checked model, whole and cut after the convolution (Sequential: layers[0] is the conv)", async () => {
    const model = handModel();
    const x = Float32Array.from([1, 4, 0, 2, /* image 2 */ 3, 1, 1, 1]);
    const whole = await create(model);
    // image 1: relu(2x-3) = [0, 5, 0, 1], max 5 -> [5 + 0.5, -5]; image 2: [3, 0, 0, 0] -> [3.5, -3]
    expect(await whole.run(x, 2)).toEqual({ data: Float32Array.from([5.5, -5, 3.5, -3]), shape: [2, 2] });
    const conv = await create(model, 1);
    expect(await conv.run(x, 2)).toEqual({ data: Float32Array.from([0, 5, 0, 1, 3, 0, 0, 0]), shape: [2, 2, 2, 1] });
    await Promise.all([whole.dispose(), conv.dispose()]);
  });

  it("leaves no TF.js tensors behind after a run", async () => {
    const model = vgg16({ inputShape: [32, 32, 3], classes: 3, widthMultiplier: 1 / 16, seed: 1 });
    const engine = await create(model, 19);
    const x = new Float32Array(2 * 32 * 32 * 3).fill(1);
    await engine.run(x, 2); // first run may build lazily; count from the second
    const before = tf.memory().numTensors;
    await engine.run(x, 2);
    await engine.run(x.subarray(0, 32 * 32 * 3), 1);
    expect(tf.memory().numTensors).toBe(before);
    await engine.dispose();
  });

  it("refuses input that does not hold `batch` whole images", async () => {
    const engine = await create(handModel());
    await expect(engine.run(new Float32Array(7), 2)).rejects.toThrow(
      new InferenceEngineError("Input holds 7 values but 2 image(s) of 2x2x1 need 8; pass NHWC float32 pixels for exactly that many images."),
    );
    await expect(engine.run(new Float32Array(0), 0)).rejects.toThrow(/batch must be a positive integer, got 0/);
    await engine.dispose();
  });
});
