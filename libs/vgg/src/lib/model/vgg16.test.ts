import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { tf, type Tensor } from "../tf.ts";
import { InvalidModelOptionError } from "../errors.ts";
import { FROZEN_ALL_CONV, VGG16_LAYER_NAMES, VGG16_LAYER_TABLE } from "./layer-table.ts";
import { countParams, summary } from "./summary.ts";
import { transfer } from "./transfer.ts";
import { vgg16 } from "./vgg16.ts";

// Parameter counts per layer from Keras' VGG16 at 224x224 (KERAS-VGG16.md), by index.
const KERAS_PARAMS = [
  0, 1_792, 36_928, 0, 73_856, 147_584, 0, 295_168, 590_080, 590_080, 0, 1_180_160, 2_359_808, 2_359_808, 0,
  2_359_808, 2_359_808, 2_359_808, 0, 0, 102_764_544, 16_781_312, 4_097_000,
];

beforeAll(async () => {
  await tf.setBackend("cpu");
});

let built: { dispose(): void } | undefined;
afterEach(() => {
  built?.dispose();
  built = undefined;
});

describe("vgg16", () => {
  it("builds Keras' full architecture at 224x224: names, indices, per-layer and total parameters; the seed's recipe counts", () => {
    const model = vgg16({ seed: 1 });
    built = model;
    expect(model.layers.map((l) => l.name)).toEqual([...VGG16_LAYER_NAMES]);
    expect(model.layers[0].getClassName()).toBe("InputLayer");
    expect(model.layers.map((l) => l.countParams())).toEqual(KERAS_PARAMS);
    expect(model.countParams()).toBe(138_357_544);
    expect(model.outputs[0].shape).toEqual([null, 1000]);

    // The seed's recipe on the same layers: Dense(2) on fc2, layers[:19] frozen.
    const seedRecipe = transfer(model, { frozenLayers: FROZEN_ALL_CONV, classes: 2 });
    expect(countParams(seedRecipe)).toEqual({ total: 134_268_738, trainable: 119_554_050, nonTrainable: 14_714_688 });
    const text = summary(seedRecipe);
    expect(text).toContain("Trainable params: 119,554,050");
    expect(text).toContain("Non-trainable params: 14,714,688");
    expect(text).toMatch(/^18\s+block5_pool \(MaxPooling2D\)\s+\(None, 7, 7, 512\)\s+0\s+N$/m);
    expect(text).toMatch(/^22\s+predictions \(Dense\)\s+\(None, 2\)\s+8,194\s+Y$/m);
  });

  it("builds the convolutional base without the top: 19 layers, 14,714,688 parameters", () => {
    const model = vgg16({ includeTop: false, seed: 1 });
    built = model;
    expect(model.layers).toHaveLength(FROZEN_ALL_CONV);
    expect(model.countParams()).toBe(14_714_688);
    expect(model.outputs[0].shape).toEqual([null, 7, 7, 512]);
    const kinds = model.layers.slice(0, FROZEN_ALL_CONV).map((l) => l.getClassName());
    expect(kinds.filter((k) => k === "Conv2D")).toHaveLength(13);
    expect(kinds.filter((k) => k === "MaxPooling2D")).toHaveLength(5);
  });

  it("scales widths and input for a tiny model with the same names and fc1 sized by the input", () => {
    const model = vgg16({ inputShape: [32, 32, 3], widthMultiplier: 1 / 16, classes: 3, seed: 2 });
    built = model;
    expect(model.layers.map((l) => l.name)).toEqual([...VGG16_LAYER_NAMES]);
    const conv1 = model.getLayer("block1_conv1").getWeights()[0];
    expect(conv1.shape).toEqual([3, 3, 3, 4]);
    // 32x32 -> 1x1 after five poolings, 512/16 = 32 channels into fc1 of 4096/16 = 256 units.
    expect(model.getLayer("fc1").getWeights()[0].shape).toEqual([32, 256]);
    expect(model.getLayer("predictions").getWeights()[0].shape).toEqual([256, 3]);
    const y = model.predict(tf.ones([2, 32, 32, 3])) as Tensor;
    expect(y.shape).toEqual([2, 3]);
    const sums = tf.sum(y, 1).arraySync() as number[];
    sums.forEach((s) => expect(s).toBeCloseTo(1, 5));
  });

  it("repeats the same random weights for the same seed and differs for another", () => {
    const opts = { inputShape: [32, 32, 3] as [number, number, number], widthMultiplier: 1 / 32, includeTop: false };
    const a = vgg16({ ...opts, seed: 7 });
    const b = vgg16({ ...opts, seed: 7 });
    const c = vgg16({ ...opts, seed: 8 });
    const w = (m: typeof a) => Array.from(m.getLayer("block3_conv2").getWeights()[0].dataSync());
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  it("rejects bad options with a message naming the option", () => {
    expect(() => vgg16({ inputShape: [16, 16, 3] })).toThrow(InvalidModelOptionError);
    expect(() => vgg16({ inputShape: [16, 16, 3] })).toThrow(/at least 32x32/);
    expect(() => vgg16({ classes: 0 })).toThrow(/classes must be a positive integer/);
    expect(() => vgg16({ widthMultiplier: 0 })).toThrow(/widthMultiplier must be a number > 0/);
  });

  it("has a layer table whose blocks and kinds follow Keras", () => {
    expect(VGG16_LAYER_TABLE[FROZEN_ALL_CONV - 1]).toMatchObject({ name: "block5_pool", kind: "pool", block: "block5" });
    expect(VGG16_LAYER_TABLE[FROZEN_ALL_CONV]).toMatchObject({ name: "flatten", kind: "flatten", block: "top" });
    expect(VGG16_LAYER_TABLE.filter((r) => r.kind === "conv")).toHaveLength(13);
  });
});
