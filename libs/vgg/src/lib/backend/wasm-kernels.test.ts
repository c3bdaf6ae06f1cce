import { beforeAll, describe, expect, it } from "vitest";
import { tf, type Tensor, type Tensor4D } from "../tf.ts";
import { vgg16 } from "../model/vgg16.ts";
import { initBackend } from "./init-backend.ts";

/** max |a - b| / max |b|: the gradient's error relative to its own scale. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

interface Case {
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride: number | [number, number];
  pad: "same" | "valid";
}

const CASES: Case[] = [
  { x: [2, 8, 8, 3], w: [3, 3, 3, 4], stride: 1, pad: "same" },
  { x: [3, 14, 14, 8], w: [3, 3, 8, 16], stride: 1, pad: "same" },
  { x: [1, 9, 7, 4], w: [3, 3, 4, 5], stride: 2, pad: "same" },
  { x: [2, 7, 7, 2], w: [3, 3, 2, 3], stride: 1, pad: "valid" },
  { x: [1, 10, 11, 3], w: [3, 3, 3, 2], stride: [2, 3], pad: "valid" },
  { x: [2, 6, 6, 4], w: [1, 1, 4, 4], stride: 1, pad: "same" },
  { x: [1, 8, 6, 3], w: [5, 2, 3, 2], stride: 1, pad: "same" },
];

async function convGrads(backend: string, c: Case, seed: number): Promise<{ dx: Float32Array; dw: Float32Array }> {
  await tf.setBackend(backend);
  const [dx, dw] = tf.tidy(() => {
    const x = tf.randomNormal(c.x, 0, 1, "float32", seed) as Tensor4D;
    const w = tf.randomNormal(c.w, 0, 1, "float32", seed + 1) as Tensor4D;
    const probe = (y: Tensor) => tf.sum(tf.mul(y, tf.randomNormal(y.shape, 0, 1, "float32", seed + 2)));
    return tf.grads((a: Tensor, b: Tensor) => probe(tf.conv2d(a as Tensor4D, b as Tensor4D, c.stride, c.pad)))([x, w]);
  });
  const out = { dx: (await dx.data()) as Float32Array, dw: (await dw.data()) as Float32Array };
  tf.dispose([dx, dw]);
  return out;
}

describe("wasm training kernels", () => {
  beforeAll(async () => {
    expect((await initBackend("wasm")).name).toBe("wasm");
  });

  it.each(CASES.map((c, i) => [i, c] as const))("case %i: conv2d filter and input gradients equal cpu's", async (i, c) => {
    const cpu = await convGrads("cpu", c, 10 * i + 1);
    const wasm = await convGrads("wasm", c, 10 * i + 1);
    expect(tf.getBackend()).toBe("wasm");
    expect(wasm.dw.length).toBe(cpu.dw.length);
    expect(relativeError(wasm.dw, cpu.dw)).toBeLessThan(1e-4);
    expect(relativeError(wasm.dx, cpu.dx)).toBeLessThan(1e-4);
  });

  it.each([
    [[5, 7], [5, 3], true, false],
    [[4, 6], [9, 6], false, true],
    [[6, 4], [9, 6], true, true],
    [[1, 8, 3], [1, 8, 5], true, false],
    [[2, 8, 3], [2, 8, 5], true, false],
    [[3, 40], [40, 2], false, false],
  ] as const)("matMul %j x %j (transposeA %s, transposeB %s) equals cpu's", async (aShape, bShape, transposeA, transposeB) => {
    const product = async (backend: string) => {
      await tf.setBackend(backend);
      const c = tf.tidy(() => tf.matMul(tf.randomNormal([...aShape], 0, 1, "float32", 7), tf.randomNormal([...bShape], 0, 1, "float32", 8), transposeA, transposeB));
      const out = { shape: c.shape, data: (await c.data()) as Float32Array };
      c.dispose();
      return out;
    };
    const cpu = await product("cpu");
    const wasm = await product("wasm");
    expect(wasm.shape).toEqual(cpu.shape);
    expect(relativeError(wasm.data, cpu.data)).toBeLessThan(1e-5);
  });

  it("frees every intermediate buffer and leaks no tensor", async () => {
    await tf.setBackend("wasm");
    const x = tf.randomNormal([2, 12, 12, 4]) as Tensor4D;
    const w = tf.randomNormal([3, 3, 4, 6]) as Tensor4D;
    const m = tf.randomNormal([6, 5]);
    const step = () =>
      tf.tidy(() => [
        ...tf.grads((a: Tensor, b: Tensor) => tf.sum(tf.conv2d(a as Tensor4D, b as Tensor4D, 1, "same")))([x, w]),
        tf.matMul(m, m, true, false),
        tf.matMul(m, m, false, true),
      ]);
    tf.dispose(step());
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    tf.dispose(step());
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    tf.dispose([x, w, m]);
  });

  it("gives every layer of a tiny VGG16 the same gradient on wasm as on cpu", async () => {
    const gradients = async (backend: string) => {
      await tf.setBackend(backend);
      const model = vgg16({ inputShape: [32, 32, 3], classes: 2, widthMultiplier: 1 / 16, seed: 3 });
      const x = tf.randomUniform([4, 32, 32, 3], -1, 1, "float32", 5);
      // Unbalanced labels: with balanced ones the bias gradient of `predictions` nearly cancels.
      const y = tf.oneHot(tf.tensor1d([0, 1, 1, 1], "int32"), 2);
      const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as Tensor));
      const out = model.trainableWeights.map((w) => grads[w.name].dataSync().slice() as Float32Array);
      tf.dispose([x, y, grads]);
      model.dispose();
      return out;
    };
    const cpu = await gradients("cpu");
    const wasm = await gradients("wasm");
    expect(wasm.length).toBe(32);
    wasm.forEach((w, i) => expect(relativeError(w, cpu[i])).toBeLessThan(1e-4));
  });
});
