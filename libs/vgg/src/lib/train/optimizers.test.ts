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

/** Growth of tf.memory().numBytes at its peak during `run`, in copies of a float32 tensor of `size` elements. */
async function peakGrowth(run: () => void, size: number): Promise<number> {
  const start = tf.memory().numBytes;
  const { peakBytes } = await tf.profile(run);
  return (peakBytes - start) / (4 * size);
}

const KERAS_ADAM = [0.9, 0.999, 1e-7] as const;

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

  it("adam equals TF.js' own Adam over 5 steps and frees its state", () => {
    const before = tf.memory().numTensors;
    const ours = trajectory(adam(0.05).create(), 5);
    expect(tf.memory().numTensors).toBe(before);
    const theirs = trajectory(tf.train.adam(0.05, ...KERAS_ADAM), 5);
    ours.flat().forEach((v, i) => expect(Math.abs(v - theirs.flat()[i])).toBeLessThanOrEqual(1e-6));
  });

  it("adam's first two steps match the formula worked by hand", () => {
    const [lr, b1, b2, eps] = [0.01, ...KERAS_ADAM];
    const x = [1, -2, 0.5];
    const gradient = (w: number[]) => w.map((wi, i) => x[i] + 2 * wi); // of sum(w*x) + sum(w^2)
    const w0 = [0.5, -1.5, 2];
    const g1 = gradient(w0);
    const m1 = g1.map((g) => (1 - b1) * g);
    const v1 = g1.map((g) => (1 - b2) * g * g);
    // first step: m/(1-b1) = g and v/(1-b2) = g^2, so each weight moves by lr against its gradient's sign
    const w1 = w0.map((w, i) => w - (lr * (m1[i] / (1 - b1))) / (Math.sqrt(v1[i] / (1 - b2)) + eps));
    expect(w1.map((w, i) => (w0[i] - w) / lr)).toEqual(g1.map((g) => expect.closeTo(Math.sign(g), 6)));
    const g2 = gradient(w1);
    const m2 = g2.map((g, i) => b1 * m1[i] + (1 - b1) * g);
    const v2 = g2.map((g, i) => b2 * v1[i] + (1 - b2) * g * g);
    const w2 = w1.map((w, i) => w - (lr * (m2[i] / (1 - b1 ** 2))) / (Math.sqrt(v2[i] / (1 - b2 ** 2)) + eps));

    const [ours1, ours2] = trajectory(adam(lr).create(), 2);
    ours1.forEach((v, i) => expect(v).toBeCloseTo(w1[i], 6));
    ours2.forEach((v, i) => expect(v).toBeCloseTo(w2[i], 6));
  });

  it("adam's epsilon (1e-7) halves the first step where the gradient is as small as it", () => {
    const w = tf.variable(tf.tensor1d([1, 1]));
    const gradient = tf.tensor1d([1e-7, 1]);
    const optimizer = adam(0.01).create();
    optimizer.applyGradients({ [w.name]: gradient });
    // first step: w -= lr * g / (|g| + eps)
    expect(Array.from(w.dataSync())).toEqual([expect.closeTo(1 - 0.01 / 2, 6), expect.closeTo(1 - 0.01, 6)]);
    optimizer.dispose();
    tf.dispose([w, gradient]);
  });

  it("adam's applyGradients steps like minimize and leaves the caller's gradients alive", () => {
    const viaMinimize = trajectory(adam(0.05).create(), 1)[0];
    const w = tf.variable(tf.tensor1d([0.5, -1.5, 2]));
    const x = tf.tensor1d([1, -2, 0.5]);
    const { grads, value } = tf.variableGrads(() => tf.add(tf.sum(tf.mul(w, x)), tf.sum(tf.square(w))) as Scalar, [w]);
    const optimizer = adam(0.05).create();
    optimizer.applyGradients(grads);
    expect(Array.from(w.dataSync())).toEqual(viaMinimize.map((v) => expect.closeTo(v, 6)));
    expect(Array.from(grads[w.name].dataSync())).toEqual([2, -5, 4.5]);
    optimizer.dispose();
    tf.dispose([w, x, value, grads]);
  });

  describe("adam's peak memory in one step, in copies of a 1M-float variable (wasm)", () => {
    const size = 1_000_000;

    /** The second step's peak (the first creates m and v), with the gradient ready before it starts. */
    async function secondStepPeak(optimizer: Optimizer, through: "minimize" | "applyGradients"): Promise<number> {
      const w = tf.tidy(() => tf.variable(tf.fill([size], 0.5)));
      const step = async () => {
        const gradient = tf.fill([size], 0.25);
        if (through === "applyGradients") {
          const peak = await peakGrowth(() => optimizer.applyGradients({ [w.name]: gradient }), size);
          gradient.dispose();
          return peak;
        }
        // the gradients minimize computes become the optimizer's; stubbing keeps the backward pass out of the measure
        optimizer.computeGradients = () => ({ value: tf.scalar(0), grads: { [w.name]: gradient } });
        return peakGrowth(() => optimizer.minimize(() => tf.scalar(0)), size);
      };
      await step();
      const peak = await step();
      optimizer.dispose();
      w.dispose();
      return peak;
    }

    it("two above what was alive under minimize, which frees each gradient once the moments hold it", async () => {
      const before = tf.memory().numTensors;
      const ours = await secondStepPeak(adam(0.01).create(), "minimize");
      expect(tf.memory().numTensors).toBe(before);
      const theirs = await secondStepPeak(tf.train.adam(0.01, ...KERAS_ADAM), "minimize");
      expect(ours).toBeGreaterThan(1.99);
      expect(ours).toBeLessThan(2.01);
      expect(theirs).toBeGreaterThan(5);
    });

    it("three under applyGradients, whose gradients stay the caller's", async () => {
      const ours = await secondStepPeak(adam(0.01).create(), "applyGradients");
      expect(ours).toBeGreaterThan(2.99);
      expect(ours).toBeLessThan(3.01);
    });
  });

  it("describes itself for the run record", () => {
    expect(sgd(1e-4, 0.9)).toMatchObject({ name: "sgd", learningRate: 1e-4, momentum: 0.9, nesterov: false });
    expect(adam()).toMatchObject({ name: "adam", learningRate: 0.001, momentum: 0, nesterov: false });
    // what model.getTrainingConfig() saves, and what TF.js' AdamOptimizer.fromConfig reads back
    const optimizer = adam(0.002).create();
    expect(optimizer.getClassName()).toBe("Adam");
    expect(optimizer.getConfig()).toEqual({ learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    optimizer.dispose();
  });

  it("rejects bad hyperparameters with the fix", () => {
    expect(() => sgd(0)).toThrow(TrainingOptionError);
    expect(() => sgd(0)).toThrow("learningRate must be a number > 0, got 0");
    expect(() => sgd(0.01, 0, true)).toThrow("nesterov needs a momentum > 0");
    expect(() => adam(Number.NaN)).toThrow("learningRate must be a number > 0");
  });
});
