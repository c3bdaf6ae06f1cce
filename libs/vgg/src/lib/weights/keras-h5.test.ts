import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { tf, type LayersModel, type SymbolicTensor, type Tensor } from "../tf.ts";
import { WeightsMismatchError } from "../errors.ts";
import { vgg16 } from "../model/vgg16.ts";
import { loadKerasH5 } from "./keras-h5.ts";
import { legacyWeightName, writeKerasH5File, writeModelAsKerasH5, type KerasH5Layer } from "./keras-h5-writer.ts";

const TINY = { inputShape: [32, 32, 3] as [number, number, number], widthMultiplier: 1 / 16, classes: 3 };

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function tmpFile(name: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "thaw-h5-")), name);
}

/** Known, distinct values per layer and position: small so ReLU chains stay finite. */
function knownValues(layerIndex: number, weightIndex: number, size: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => Math.sin(layerIndex * 7.1 + weightIndex * 3.3 + i * 0.37) * 0.2);
}

/** Keras-layout layer list for a model's architecture, with known values and legacy names. */
function knownLayers(model: LayersModel): KerasH5Layer[] {
  return model.layers.map((layer, li) => ({
    name: layer.name,
    weights: layer.weights.map((w, wi) => {
      const shape = w.shape as number[];
      return { name: legacyWeightName(layer.name, wi), shape, data: knownValues(li, wi, shape.reduce((a, b) => a * b, 1)) };
    }),
  }));
}

/** 3x3 'same' convolution + ReLU over one NHWC image, written out by hand. */
function handConv(img: Float32Array, h: number, w: number, c: number, kernel: Float32Array, bias: Float32Array, f: number): Float32Array {
  const out = new Float32Array(h * w * f);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let o = 0; o < f; o++) {
        let acc = bias[o];
        for (let dy = 0; dy < 3; dy++)
          for (let dx = 0; dx < 3; dx++) {
            const iy = y + dy - 1;
            const ix = x + dx - 1;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            for (let ci = 0; ci < c; ci++) acc += img[(iy * w + ix) * c + ci] * kernel[((dy * 3 + dx) * c + ci) * f + o];
          }
        out[(y * w + x) * f + o] = Math.max(0, acc);
      }
  return out;
}

describe("loadKerasH5", () => {
  it("loads a Keras-layout file with known weights into the right layers; the first conv matches a hand computation", async () => {
    const template = vgg16({ ...TINY, seed: 1 });
    const layers = knownLayers(template);
    template.dispose();
    const file = tmpFile("tiny_vgg16.h5");
    await writeKerasH5File(file, layers);

    const model = vgg16({ ...TINY, seed: 99 });
    const { loadedLayers } = await loadKerasH5(model, file);
    expect(loadedLayers).toEqual(layers.filter((l) => l.weights.length > 0).map((l) => l.name));
    for (const spec of layers) {
      const got = model.getLayer(spec.name).getWeights();
      spec.weights.forEach((w, i) => expect(Array.from(got[i].dataSync())).toEqual(Array.from(w.data)));
    }

    const conv1 = layers.find((l) => l.name === "block1_conv1")!;
    const [kernel, bias] = conv1.weights.map((w) => w.data);
    const img = Float32Array.from({ length: 32 * 32 * 3 }, (_, i) => ((i * 37) % 255) - 120);
    const probe = tf.model({ inputs: model.inputs, outputs: model.getLayer("block1_conv1").output as SymbolicTensor });
    const x = tf.tensor4d(img, [1, 32, 32, 3]);
    const y = probe.predict(x) as Tensor;
    const expected = handConv(img, 32, 32, 3, kernel, bias, 4);
    const got = y.dataSync();
    expect(got.length).toBe(expected.length);
    let maxErr = 0;
    expected.forEach((v, i) => (maxErr = Math.max(maxErr, Math.abs(v - got[i]) / Math.max(1, Math.abs(v)))));
    expect(maxErr).toBeLessThan(1e-5);
    expect(expected.some((v) => v > 1)).toBe(true);
    tf.dispose([x, y]);
    model.dispose();
  });

  it("fails naming the layer when a weight has the wrong shape, and changes nothing", async () => {
    const template = vgg16({ ...TINY, seed: 1 });
    const layers = knownLayers(template);
    template.dispose();
    const bad = layers.find((l) => l.name === "block2_conv1")!;
    bad.weights[0] = { ...bad.weights[0], shape: [3, 3, 4, 9], data: new Float32Array(3 * 3 * 4 * 9) };
    const file = tmpFile("wrong_shape.h5");
    await writeKerasH5File(file, layers);

    const model = vgg16({ ...TINY, seed: 5 });
    const before = Array.from(model.getLayer("block1_conv1").getWeights()[0].dataSync());
    await expect(loadKerasH5(model, file)).rejects.toThrow(WeightsMismatchError);
    await expect(loadKerasH5(model, file)).rejects.toThrow(/Layer 'block2_conv1' weight 'block2_conv1_W_1:0' has shape \[3,3,4,9\] in wrong_shape.h5 but the model expects \[3,3,4,8\]/);
    expect(Array.from(model.getLayer("block1_conv1").getWeights()[0].dataSync())).toEqual(before);
    model.dispose();
  });

  it("fails naming the layer the file lacks (a no-top file into a model with the top)", async () => {
    const base = vgg16({ ...TINY, includeTop: false, seed: 1 });
    const file = tmpFile("notop.h5");
    await writeModelAsKerasH5(base, file);
    const full = vgg16({ ...TINY, seed: 2 });
    await expect(loadKerasH5(full, file)).rejects.toThrow(/notop.h5 has no weights for layer 'fc1'/);
    base.dispose();
    full.dispose();
  });

  it("loads a top file into a base model by name and reads large datasets in slices to the same values", async () => {
    const full = vgg16({ ...TINY, seed: 3 });
    const file = tmpFile("top.h5");
    await writeModelAsKerasH5(full, file);
    const base = vgg16({ ...TINY, includeTop: false, seed: 4 });
    // 64-byte chunks force the row-slice path on every kernel.
    const { loadedLayers } = await loadKerasH5(base, file, { maxChunkBytes: 64 });
    expect(loadedLayers).toHaveLength(13);
    for (const name of ["block1_conv1", "block3_conv3", "block5_conv3"]) {
      const a = full.getLayer(name).getWeights();
      const b = base.getLayer(name).getWeights();
      a.forEach((t, i) => expect(Array.from(b[i].dataSync())).toEqual(Array.from(t.dataSync())));
    }
    full.dispose();
    base.dispose();
  });
});
