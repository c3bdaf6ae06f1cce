// Grad-CAM on ONNX Runtime against the TF.js Grad-CAM (tf.grad through the same layers).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tf, type LayersModel, type Tensor } from "../tf.ts";
import { initBackend } from "../backend/init-backend.ts";
import { vgg16 } from "../model/vgg16.ts";
import { transfer, type TransferHead } from "../model/transfer.ts";
import { preprocessInput } from "../preprocess.ts";
import { gradCam } from "./grad-cam.ts";
import { createGradCam } from "./grad-cam-onnx.ts";
import type { ImageInput } from "./image-input.ts";

const SIZE = 64;

function model(head: TransferHead): LayersModel {
  return transfer(vgg16({ inputShape: [SIZE, SIZE, 3], classes: 10, widthMultiplier: 1 / 8, includeTop: head === "fc2", seed: 21 }), { frozenLayers: 19, classes: 3, head, seed: 4 });
}

function image(seed: number): ImageInput & { data: Float32Array } {
  const data = Float32Array.from({ length: SIZE * SIZE * 3 }, (_, i) => (Math.sin(i * 0.013 * seed) * 0.5 + 0.5) * 255 * ((i % 7) / 7));
  return { data, height: SIZE, width: SIZE };
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  return Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
}

describe("Grad-CAM on ONNX Runtime", () => {
  const models: LayersModel[] = [];
  beforeAll(async () => {
    await initBackend("cpu");
  });
  afterAll(() => models.forEach((m) => m.dispose()));

  for (const [head, layer] of [
    ["fc2", "block5_conv3"],
    ["fc2", "block4_conv3"],
    ["pooled", "block5_conv3"],
  ] as const) {
    it(`equals TF.js' heat map within 1e-4 (${head} head, ${layer}), for the predicted class and for another`, async () => {
      const m = model(head);
      models.push(m);
      const explainer = await createGradCam(m, { layer });
      try {
        for (const seed of [1, 2]) {
          const picture = image(seed);
          const ours = await explainer.explain(picture);
          const theirs = gradCam(m, picture, { layer });
          expect(ours.classIndex).toBe(theirs.classIndex);
          expect(ours.heatmap).toHaveLength(SIZE * SIZE);
          expect(maxDifference(ours.heatmap, theirs.heatmap)).toBeLessThan(1e-4);
          // not a flat map: the comparison above would pass trivially on zeros
          expect(Math.max(...ours.heatmap) - Math.min(...ours.heatmap)).toBeGreaterThan(0.5);
          const probs = tf.tidy(() => (m.predict(preprocessInput(tf.tensor4d(picture.data, [1, SIZE, SIZE, 3]))) as Tensor).dataSync());
          expect(maxDifference(ours.probabilities, probs as Float32Array)).toBeLessThan(1e-5);
          const other = (theirs.classIndex + 1) % 3;
          const oursOther = await explainer.explain(picture, other);
          expect(oursOther.classIndex).toBe(other);
          expect(maxDifference(oursOther.heatmap, gradCam(m, picture, { layer, classIndex: other }).heatmap)).toBeLessThan(1e-4);
        }
      } finally {
        await explainer.dispose();
      }
    });
  }

  it("refuses a bad class index, a wrong image size and a layer without a spatial output", async () => {
    const m = model("fc2");
    models.push(m);
    const explainer = await createGradCam(m);
    try {
      await expect(explainer.explain(image(1), 3)).rejects.toThrow("classIndex must be an integer from 0 to 2, got 3.");
      await expect(explainer.explain({ data: new Float32Array(10 * 10 * 3), height: 10, width: 10 })).rejects.toThrow("The image is 10x10 with 300 values but the model takes 64x64 RGB (12288 values); resize it first.");
    } finally {
      await explainer.dispose();
    }
    await expect(createGradCam(m, { layer: "fc1" })).rejects.toThrow(/Grad-CAM cannot use layer 'fc1'; pick a layer with a spatial output/);
  });
});
