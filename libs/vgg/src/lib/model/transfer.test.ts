import { beforeAll, describe, expect, it } from "vitest";
import { tf, type Tensor } from "../tf.ts";
import { InvalidModelOptionError } from "../errors.ts";
import { FROZEN_ALL_CONV, VGG16_LAYER_TABLE } from "./layer-table.ts";
import { countFrozenLayers } from "./freeze.ts";
import { countParams } from "./summary.ts";
import { transfer } from "./transfer.ts";
import { vgg16 } from "./vgg16.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const TINY = { inputShape: [32, 32, 3] as [number, number, number], widthMultiplier: 1 / 16 };

/** Parameters per layer of the tiny transfer model, from the formulas, not from TF.js. */
function tinyParamsByLayer(classes: number): number[] {
  let channels = 3;
  let spatial = 32;
  return VGG16_LAYER_TABLE.map((row) => {
    if (row.kind === "conv") {
      const out = row.width / 16;
      const p = (9 * channels + 1) * out;
      channels = out;
      return p;
    }
    if (row.kind === "pool") spatial /= 2;
    if (row.kind === "flatten") channels *= spatial * spatial;
    if (row.kind === "dense") {
      const out = row.name === "predictions" ? classes : row.width / 16;
      const p = (channels + 1) * out;
      channels = out;
      return p;
    }
    return 0;
  });
}

describe("transfer", () => {
  it("sets trainable flags exactly as Keras' layers[:N] for N = 0, 15, 19 and all", () => {
    const expectedParams = tinyParamsByLayer(2);
    const total = expectedParams.reduce((a, b) => a + b, 0);
    for (const n of [0, 15, FROZEN_ALL_CONV, VGG16_LAYER_TABLE.length]) {
      const base = vgg16({ ...TINY, seed: 1 });
      const model = transfer(base, { frozenLayers: n, classes: 2, seed: 3 });
      expect(model.layers.map((l) => l.trainable)).toEqual(model.layers.map((_, i) => i >= n));
      expect(countFrozenLayers(model)).toBe(n);
      const trainable = expectedParams.slice(n).reduce((a, b) => a + b, 0);
      expect(countParams(model)).toEqual({ total, trainable, nonTrainable: total - trainable });
      base.dispose();
    }
  });

  it("rejects a frozen count beyond the layer count, negative or fractional, with the count in the message", () => {
    const base = vgg16({ ...TINY, seed: 1 });
    expect(() => transfer(base, { frozenLayers: 24, classes: 2 })).toThrow(InvalidModelOptionError);
    expect(() => transfer(base, { frozenLayers: 24, classes: 2 })).toThrow(/frozenLayers is 24 but the model has only 23 layers; use a number from 0 to 23/);
    expect(() => transfer(base, { frozenLayers: -1, classes: 2 })).toThrow(/frozenLayers must be an integer >= 0, got -1/);
    expect(() => transfer(base, { frozenLayers: 1.5, classes: 2 })).toThrow(/integer >= 0, got 1.5/);
    expect(() => transfer(base, { frozenLayers: 19, classes: 0 })).toThrow(/classes must be a positive integer/);
    expect(() => transfer(base, { frozenLayers: 19, classes: 2, dropout: 1 })).toThrow(/dropout must be in \[0, 1\)/);
    base.dispose();
    const noTop = vgg16({ ...TINY, includeTop: false, seed: 1 });
    expect(() => transfer(noTop, { frozenLayers: 19, classes: 2 })).toThrow(/no layer 'fc2'; build it with includeTop: true or use head 'pooled'/);
    noTop.dispose();
  });

  it("builds the pooled head on a base without top: GAP, Dropout, Dense softmax", () => {
    const base = vgg16({ ...TINY, includeTop: false, seed: 1 });
    const model = transfer(base, { frozenLayers: 19, classes: 3, head: "pooled", dropout: 0.5, seed: 2 });
    expect(model.layers.slice(19).map((l) => l.getClassName())).toEqual(["GlobalAveragePooling2D", "Dropout", "Dense"]);
    expect(model.layers[21].name).toBe("predictions");
    const y = model.predict(tf.ones([2, 32, 32, 3])) as Tensor;
    expect(y.shape).toEqual([2, 3]);
    expect(countParams(model).trainable).toBe((32 + 1) * 3);
    y.dispose();
    base.dispose();
  });
});
