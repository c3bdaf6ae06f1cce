import { beforeAll, describe, expect, it } from "vitest";
import { tf, type Optimizer, type Scalar } from "../tf.ts";
import { initBackend } from "../backend/init-backend.ts";
import { TrainingOptionError } from "../errors.ts";
import { adam, sgd } from "./optimizers.ts";

/** Minimises sum(w * x) + sum(w^2) for a few steps; returns the weights after each step. */
function trajectory(optimizer: Optimizer, steps: number): number[][] {
  const w = tf.tidy(() => tf.variable(tf.tensor1d([0.5, -1.5, 2])));
  const x = tf.tensor1d([1, -2, 0.5]);
  const out: number[][] = [];
  for (let i = 0; i < steps; i++) {
    optimizer.minimize(() => tf.add(tf.sum(tf.mul(w, x)), tf.sum(tf.square(w))) as Scalar);
    out.push(Array.from(w.dataSync()));
  }
  tf.dispose([w, x]);
  optimizer.dispose();
  return out;
}

describe("optimizers", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("sgd with momentum follows Keras' v = m*v - lr*g; w += v", () => {
    const ours = trajectory(sgd(0.1, 0.9).create(), 2);
    // by hand: g = x + 2w
    const w0 = [0.5, -1.5, 2];
    const x = [1, -2, 0.5];
    const v1 = w0.map((w, i) => -0.1 * (x[i] + 2 * w));
    const w1 = w0.map((w, i) => w + v1[i]);
    const v2 = w1.map((w, i) => 0.9 * v1[i] - 0.1 * (x[i] + 2 * w));
    const w2 = w1.map((w, i) => w + v2[i]);
    ours[0].forEach((v, i) => expect(v).toBeCloseTo(w1[i], 5));
    ours[1].forEach((v, i) => expect(v).toBeCloseTo(w2[i], 5));
  });

  it.each([false, true])("sgd momentum (nesterov %s) equals TF.js' own momentum optimizer and frees its state", (nesterov) => {
    const before = tf.memory().numTensors;
    const ours = trajectory(sgd(0.05, 0.8, nesterov).create(), 5);
    expect(tf.memory().numTensors).toBe(before);
    const theirs = trajectory(tf.train.momentum(0.05, 0.8, nesterov), 5);
    ours.flat().forEach((v, i) => expect(v).toBeCloseTo(theirs.flat()[i], 6));
  });

  it("describes itself for the run record", () => {
    expect(sgd(1e-4, 0.9)).toMatchObject({ name: "sgd", learningRate: 1e-4, momentum: 0.9, nesterov: false });
    expect(adam()).toMatchObject({ name: "adam", learningRate: 0.001 });
  });

  it("rejects bad hyperparameters with the fix", () => {
    expect(() => sgd(0)).toThrow(TrainingOptionError);
    expect(() => sgd(0)).toThrow("learningRate must be a number > 0, got 0");
    expect(() => sgd(0.01, 0, true)).toThrow("nesterov needs a momentum > 0");
    expect(() => adam(Number.NaN)).toThrow("learningRate must be a number > 0");
  });
});
