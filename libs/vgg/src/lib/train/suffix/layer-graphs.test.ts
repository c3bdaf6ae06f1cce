// Gradients of the hand-written Conv2D and MaxPooling2D backward graphs against TF.js' own
// autodiff (tf.grad over the same layers), including pooling windows whose maxima tie.
import { beforeAll, describe, expect, it } from "vitest";
import { tf, type LayersModel, type Scalar, type SymbolicTensor, type Tensor, type Variable } from "../../tf.ts";
import { initBackend } from "../../backend/init-backend.ts";
import { sgd } from "../optimizers.ts";
import { readSuffix, type Suffix } from "./suffix-layers.ts";
import { OrtTrainingEngine } from "./ort-training-engine.ts";

const SHAPE = [6, 6, 2];
const CLASSES = 3;

/** conv(relu) -> maxPool -> conv(linear) -> maxPool -> flatten -> softmax, on a 6x6x2 input. */
function model(tiedConv: boolean): LayersModel {
  const input = tf.input({ shape: SHAPE });
  const first = tiedConv
    ? // a zero kernel and one bias: every output of a channel is equal, so every pooling window ties
      tf.layers.conv2d({ name: "conv_a", filters: 3, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: "zeros", biasInitializer: tf.initializers.constant({ value: 0.5 }) })
    : tf.layers.conv2d({ name: "conv_a", filters: 3, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: tf.initializers.randomNormal({ seed: 2, stddev: 0.1 }) });
  let x = first.apply(input) as SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: "pool_a", poolSize: 2 }).apply(x) as SymbolicTensor;
  x = tf.layers.conv2d({ name: "conv_b", filters: 4, kernelSize: 3, padding: "same", kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(x) as SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: "pool_b", poolSize: 2 }).apply(x) as SymbolicTensor;
  x = tf.layers.flatten({ name: "flatten" }).apply(x) as SymbolicTensor;
  x = tf.layers.dense({ name: "out", units: CLASSES, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }).apply(x) as SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

function batch(n: number): { x: Float32Array; y: Float32Array } {
  const x = Float32Array.from({ length: n * 72 }, (_, i) => Math.round(Math.sin(i * 0.7) * 3)); // integers: ties in the input too
  const y = new Float32Array(n * CLASSES);
  for (let i = 0; i < n; i++) y[i * CLASSES + (i % CLASSES)] = 1;
  return { x, y };
}

/** TF.js autodiff of the mean categorical cross-entropy with respect to every weight. */
function tfjsGradients(m: LayersModel, x: Float32Array, y: Float32Array, n: number): Float32Array[] {
  const xs = tf.tensor(x, [n, ...SHAPE]);
  const ys = tf.tensor2d(y, [n, CLASSES]);
  const variables = m.trainableWeights.map((w) => w.read() as Variable);
  const { grads } = tf.variableGrads(() => tf.mean(tf.losses.softmaxCrossEntropy(ys, tf.log(m.apply(xs) as Tensor))) as Scalar, variables);
  const out = variables.map((v) => grads[v.name].dataSync().slice() as Float32Array);
  tf.dispose([xs, ys, ...Object.values(grads)]);
  return out;
}

describe("Conv2D and MaxPooling2D backward graphs", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  for (const tied of [false, true]) {
    it(`equal TF.js autodiff${tied ? " when every pooling window ties (TensorFlow routes to the first maximum)" : ""}`, async () => {
      const m = model(tied);
      const n = 4;
      const { x, y } = batch(n);
      const expected = tfjsGradients(m, x, y, n);
      const before = m.trainableWeights.map((w) => w.read().dataSync().slice() as Float32Array);
      // plain SGD with lr 1: the update is the gradient
      const engine = await OrtTrainingEngine.create(m, readSuffix(m.layers.slice(1), SHAPE) as Suffix, sgd(1), "test", { stepsPerRun: 1 });
      await engine.trainBatches([{ x, shape: [n, ...SHAPE], y, classes: CLASSES }]);
      engine.syncModel();
      await engine.dispose();
      const after = m.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
      m.trainableWeights.forEach((w, i) => {
        const ours = before[i].map((v, j) => v - after[i][j]);
        const scale = Math.max(1e-6, ...Array.from(expected[i], Math.abs));
        const worst = Math.max(...Array.from(ours, (v, j) => Math.abs(v - expected[i][j])));
        expect(worst / scale, w.name).toBeLessThan(1e-4);
        expect(scale, `${w.name} has a gradient`).toBeGreaterThan(1e-6);
      });
      m.dispose();
    });
  }

  it("names the layer and the reason when a suffix cannot train on ONNX Runtime", () => {
    const input = tf.input({ shape: [8, 8, 2] });
    const strided = tf.layers.conv2d({ name: "strided", filters: 2, kernelSize: 3, strides: 2, padding: "same" }).apply(input) as SymbolicTensor;
    const flat = tf.layers.flatten().apply(strided) as SymbolicTensor;
    const out = tf.layers.dense({ name: "out", units: 2, activation: "softmax" }).apply(flat) as SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    expect(readSuffix(m.layers.slice(1), [8, 8, 2])).toBe("'strided' has strides or dilation other than 1");
    const sigmoid = tf.model({ inputs: input, outputs: tf.layers.dense({ name: "sig", units: 2, activation: "sigmoid" }).apply(tf.layers.flatten().apply(input)) as SymbolicTensor });
    expect(readSuffix(sigmoid.layers.slice(1), [8, 8, 2])).toMatch(/the last layer 'sig' is not a softmax/);
  });
});
