import { beforeAll, describe, expect, it } from "vitest";
import { tf, type Tensor4D } from "./tf.ts";
import { InvalidModelOptionError } from "./errors.ts";
import { preprocessInput, preprocessPixels } from "./preprocess.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("preprocessInput", () => {
  it("reverses RGB to BGR and subtracts Keras' caffe means on known pixels", () => {
    // Two pixels: pure red and an arbitrary colour; expected values written out from
    // Keras' formula x[..., ::-1] - [103.939, 116.779, 123.68].
    const x = tf.tensor4d([255, 0, 0, 10, 200, 37.5], [1, 1, 2, 3]);
    const y = preprocessInput(x);
    const expected = [0 - 103.939, 0 - 116.779, 255 - 123.68, 37.5 - 103.939, 200 - 116.779, 10 - 123.68];
    const got = Array.from(y.dataSync());
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    expect(y.shape).toEqual([1, 1, 2, 3]);
    expect(y.dtype).toBe("float32");
    tf.dispose([x, y]);
  });

  it("accepts integer pixels and leaves no intermediate tensors", () => {
    const x = tf.tensor4d([1, 2, 3], [1, 1, 1, 3], "int32");
    const before = tf.memory().numTensors;
    const y = preprocessInput(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(Array.from(y.dataSync()).map((v) => Number(v.toFixed(3)))).toEqual([3 - 103.939, 2 - 116.779, 1 - 123.68].map((v) => Number(v.toFixed(3))));
    tf.dispose([x, y]);
  });

  it("rejects images without 3 channels", () => {
    const x = tf.zeros([1, 2, 2, 1]) as Tensor4D;
    expect(() => preprocessInput(x)).toThrow(InvalidModelOptionError);
    expect(() => preprocessInput(x)).toThrow(/3 channels, got 1/);
    x.dispose();
  });

  it("has a plain-array twin that gives TF.js' float32 values bit for bit", () => {
    // every 0..255 value in every channel, plus fractional pixels from resizing
    const pixels = Float32Array.from({ length: 3 * 300 }, (_, i) => (i < 768 ? i % 256 : (i * 37.3) % 255.9));
    const x = tf.tensor4d(pixels, [1, 1, 300, 3]);
    const viaTfjs = preprocessInput(x);
    expect(Array.from(preprocessPixels(pixels))).toEqual(Array.from(viaTfjs.dataSync()));
    expect(() => preprocessPixels(new Float32Array(4), 4)).toThrow(/3 channels, got 4/);
    tf.dispose([x, viaTfjs]);
  });
});
