import { beforeAll, describe, expect, it } from "vitest";
import { tf, type LayersModel, type SymbolicTensor, type Tensor } from "../tf.ts";
import { ExplainInputError } from "../errors.ts";
import { vgg16 } from "../model/vgg16.ts";
import { gradCam } from "./grad-cam.ts";
import { type ImageInput } from "./image-input.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const S = 32;

/**
 * A model whose class 0 reads only the red channel and class 1 only the green one, through a
 * stride-2 1x1 convolution 'feat' (16x16, so the map must be resized). After caffe
 * preprocessing, channel 2 is R - 123.68 and channel 1 is G - 116.779; the biases undo that.
 */
function regionModel(): LayersModel {
  const input = tf.input({ shape: [S, S, 3] });
  const feat = tf.layers.conv2d({ name: "feat", filters: 2, kernelSize: 1, strides: 2, activation: "relu" });
  const flat = tf.layers.flatten({ name: "flatten" });
  const dense = tf.layers.dense({ name: "predictions", units: 2, activation: "softmax" });
  const output = dense.apply(flat.apply(feat.apply(input))) as SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  feat.setWeights([tf.tensor4d([0, 0, 0, 1, 1, 0], [1, 1, 3, 2]), tf.tensor1d([123.68, 116.779])]);
  // Flattened 16x16x2: even positions are 'red' features, odd ones 'green'.
  const kernel = Float32Array.from({ length: 16 * 16 * 2 * 2 }, (_, i) => {
    const [position, unit] = [Math.floor(i / 2), i % 2];
    return position % 2 === unit ? 1e-5 : 0;
  });
  dense.setWeights([tf.tensor2d(kernel, [512, 2]), tf.zeros([2])]);
  return model;
}

/** Red in the top-left quadrant, green in the bottom-right one, black elsewhere. */
function quadrantImage(): ImageInput {
  const data = new Float32Array(S * S * 3);
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      if (y < S / 2 && x < S / 2) data[(y * S + x) * 3] = 255;
      if (y >= S / 2 && x >= S / 2) data[(y * S + x) * 3 + 1] = 255;
    }
  return { data, height: S, width: S };
}

function quadrantMeans(heat: Float32Array): { topLeft: number; bottomRight: number; rest: number } {
  let [tl, br, rest, nTl, nBr, nRest] = [0, 0, 0, 0, 0, 0];
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      const v = heat[y * S + x];
      if (y < S / 2 && x < S / 2) [tl, nTl] = [tl + v, nTl + 1];
      else if (y >= S / 2 && x >= S / 2) [br, nBr] = [br + v, nBr + 1];
      else [rest, nRest] = [rest + v, nRest + 1];
    }
  return { topLeft: tl / nTl, bottomRight: br / nBr, rest: rest / nRest };
}

describe("gradCam", () => {
  it("puts the heat where the explained class looks", () => {
    const model = regionModel();
    const red = gradCam(model, quadrantImage(), { layer: "feat", classIndex: 0 });
    expect(red).toMatchObject({ width: S, height: S, classIndex: 0 });
    const r = quadrantMeans(red.heatmap);
    expect(r.topLeft).toBeGreaterThan(0.9);
    expect(r.bottomRight).toBeLessThan(0.05);
    expect(r.rest).toBeLessThan(0.3);
    const g = quadrantMeans(gradCam(model, quadrantImage(), { layer: "feat", classIndex: 1 }).heatmap);
    expect(g.bottomRight).toBeGreaterThan(0.9);
    expect(g.topLeft).toBeLessThan(0.05);
    model.dispose();
  });

  it("on a tiny VGG16 at block5_conv3 gives values in [0, 1] at input size, for the predicted class, without leaking", () => {
    const model = vgg16({ inputShape: [40, 48, 3], widthMultiplier: 1 / 16, classes: 3, seed: 4 });
    const img: ImageInput = { data: Float32Array.from({ length: 40 * 48 * 3 }, (_, i) => (i * 13) % 256), height: 40, width: 48 };
    gradCam(model, img);
    const before = tf.memory().numTensors;
    const result = gradCam(model, img);
    expect(tf.memory().numTensors).toBe(before);
    expect(result.heatmap).toHaveLength(40 * 48);
    expect([result.width, result.height]).toEqual([48, 40]);
    expect(Math.min(...result.heatmap)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...result.heatmap)).toBeLessThanOrEqual(1);
    const predicted = tf.tidy(() => {
      const means = [103.939, 116.779, 123.68];
      const bgr = Float32Array.from(img.data, (_, i) => img.data[i - (i % 3) + 2 - (i % 3)] - means[i % 3]);
      return tf.argMax(model.predict(tf.tensor4d(bgr, [1, 40, 48, 3])) as Tensor, 1).dataSync()[0];
    });
    expect(result.classIndex).toBe(predicted);
    model.dispose();
  });

  it("rejects a layer without spatial output and a class index out of range", () => {
    const model = regionModel();
    const img = quadrantImage();
    expect(() => gradCam(model, img)).toThrow(ExplainInputError);
    expect(() => gradCam(model, img)).toThrow(/cannot use layer 'block5_conv3'; pick a layer with a spatial output: feat/);
    expect(() => gradCam(model, img, { layer: "flatten" })).toThrow(/cannot use layer 'flatten'/);
    expect(() => gradCam(model, img, { layer: "feat", classIndex: 2 })).toThrow(/classIndex must be an integer from 0 to 1, got 2/);
    model.dispose();
  });
});
