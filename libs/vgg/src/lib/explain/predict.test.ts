import { beforeAll, describe, expect, it } from "vitest";
import { tf, type LayersModel, type Tensor } from "../tf.ts";
import { ExplainInputError } from "../errors.ts";
import { createEngine } from "../engine/select-engine.ts";
import { vgg16 } from "../model/vgg16.ts";
import { predict } from "./predict.ts";
import { type ImageInput } from "./image-input.ts";

let model: LayersModel;

beforeAll(async () => {
  await tf.setBackend("cpu");
  model = vgg16({ inputShape: [32, 32, 3], widthMultiplier: 1 / 16, classes: 4, seed: 21 });
});

function image(seed: number): ImageInput {
  return { data: Float32Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * (seed + 3) * 7) % 256), height: 32, width: 32 };
}

/** Probabilities computed the long way: Keras' caffe formula by hand, then the model. */
function reference(img: ImageInput): number[] {
  const means = [103.939, 116.779, 123.68];
  const bgr = Float32Array.from(img.data, (_, i) => img.data[i - (i % 3) + 2 - (i % 3)] - means[i % 3]);
  return tf.tidy(() => Array.from((model.predict(tf.tensor4d(bgr, [1, 32, 32, 3])) as Tensor).dataSync()));
}

describe("predict", () => {
  it("preprocesses inside and returns the top classes by name, most probable first", async () => {
    const images = [image(1), image(2)];
    const names = ["ant", "bee", "cat", "dog"];
    const result = await predict(model, images, { topK: 4, classNames: names });
    expect(result).toHaveLength(2);
    result.forEach((preds, i) => {
      const ref = reference(images[i]);
      const order = [0, 1, 2, 3].sort((a, b) => ref[b] - ref[a]);
      expect(preds.map((p) => p.index)).toEqual(order);
      expect(preds.map((p) => p.className)).toEqual(order.map((j) => names[j]));
      preds.forEach((p) => expect(p.probability).toBeCloseTo(ref[p.index], 5));
    });
    const top2 = await predict(model, { x: Float32Array.from([...images[0].data, ...images[1].data]), shape: [2, 32, 32, 3] }, { topK: 2 });
    expect(top2.map((p) => p.map((q) => q.index))).toEqual(result.map((p) => p.slice(0, 2).map((q) => q.index)));
    expect(top2[0][0].className).toBe(String(result[0][0].index));
  });

  it("gives the same answer through an inference engine", async () => {
    const engine = await createEngine(model, { prefer: "tfjs" });
    const viaEngine = await predict(model, [image(5)], { topK: 4, engine });
    const direct = await predict(model, [image(5)], { topK: 4 });
    expect(viaEngine[0].map((p) => p.index)).toEqual(direct[0].map((p) => p.index));
    viaEngine[0].forEach((p, i) => expect(p.probability).toBeCloseTo(direct[0][i].probability, 6));
    await engine.dispose();
  });

  it("leaks no tensors", async () => {
    await predict(model, [image(1)]);
    const before = tf.memory().numTensors;
    await predict(model, [image(1), image(2), image(3)], { topK: 2 });
    await expect(predict(model, [{ data: new Float32Array(10), height: 2, width: 5 }])).rejects.toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("rejects images of the wrong size, bad topK and class names that do not fit", async () => {
    await expect(predict(model, [image(1), { data: new Float32Array(40 * 40 * 3), height: 40, width: 40 }])).rejects.toThrow(ExplainInputError);
    await expect(predict(model, [image(1), { data: new Float32Array(40 * 40 * 3), height: 40, width: 40 }])).rejects.toThrow(/Image 1 is 40x40 .* the model takes 32x32 RGB/);
    await expect(predict(model, [image(1)], { topK: 0 })).rejects.toThrow(/topK must be a positive integer/);
    await expect(predict(model, [image(1)], { classNames: ["a"] })).rejects.toThrow(/4 outputs but 1 class names/);
  });
});
