import { beforeAll, describe, expect, it } from "vitest";
import { tf, type LayersModel, type Tensor } from "../tf.ts";
import { initBackend } from "../backend/init-backend.ts";
import { vgg16 } from "../model/vgg16.ts";
import { transfer } from "../model/transfer.ts";
import { preprocessInput } from "../preprocess.ts";
import { TrainingOptionError } from "../errors.ts";
import { arrayBatches } from "./batches.ts";
import { leftRightImages } from "./synthetic-images.ts";
import { fit } from "./fit.ts";
import { layerSizes, planTraining, tfjsTrainingBytes } from "./plan.ts";
import { adam, sgd } from "./optimizers.ts";
import { hook } from "./callbacks/callback.ts";

const SIZE = 32;

function tinyTransfer(frozenLayers: number, seed = 1): LayersModel {
  const base = vgg16({ inputShape: [SIZE, SIZE, 3], classes: 10, widthMultiplier: 1 / 16, seed });
  return transfer(base, { frozenLayers, classes: 2, head: "fc2", seed: seed + 100 });
}

function data(count: number, seed: number, batchSize: number, shuffleSeed?: number) {
  const images = leftRightImages(count, SIZE, seed);
  return { images, source: arrayBatches(images.x, images.labels, images.shape, 2, { batchSize, shuffleSeed }) };
}

describe("fit", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("learns a separable task through a frozen VGG16 base (> 90% validation accuracy)", async () => {
    const model = tinyTransfer(19);
    const history = await fit(model, data(64, 1, 16, 7).source, { epochs: 4, optimizer: adam(1e-3), validation: data(32, 2, 16).source });
    expect(history.stopReason).toBe("completed");
    expect(history.epochs).toHaveLength(4);
    expect(Object.keys(history.epochs[0])).toEqual(["loss", "accuracy", "val_loss", "val_accuracy", "duration"]);
    expect(history.history.val_accuracy).toEqual(history.epochs.map((e) => e.val_accuracy));
    expect(history.epochs.at(-1)!.val_accuracy).toBeGreaterThan(0.9);
    expect(history.epochs.at(-1)!.loss).toBeLessThan(history.epochs[0].loss);
    model.dispose();
  });

  it("fine-tunes convolutions on wasm (frozen 0) and weighs validation batches by size", async () => {
    const model = tinyTransfer(0, 3);
    const validation = data(10, 4, 4); // batches of 4, 4 and 2
    const history = await fit(model, data(16, 5, 8).source, { epochs: 1, optimizer: sgd(0.01, 0.9), validation: validation.source });
    // Independent reference: the whole validation set at once, cross-entropy by hand.
    const probs = tf.tidy(() => model.predict(preprocessInput(tf.tensor4d(validation.images.x, validation.images.shape))) as Tensor);
    const p = (await probs.data()) as Float32Array;
    probs.dispose();
    let loss = 0;
    let correct = 0;
    validation.images.labels.forEach((label, i) => {
      loss -= Math.log(p[2 * i + label]);
      if ((p[2 * i + 1] > p[2 * i] ? 1 : 0) === label) correct++;
    });
    expect(history.epochs[0].val_loss).toBeCloseTo(loss / 10, 4);
    expect(history.epochs[0].val_accuracy).toBeCloseTo(correct / 10, 6);
    model.dispose();
  });

  it.each([
    [19, "onnxruntime"],
    [15, "onnxruntime"],
    [15, "tfjs"],
    [0, "onnxruntime"],
  ] as const)("frozen %i: trains the layers after the prefix on %s exactly as whole-model trainOnBatch does", async (frozen, engine) => {
    const split = tinyTransfer(frozen, 6);
    const history = await fit(split, data(24, 11, 8, 3).source, { epochs: 2, optimizer: sgd(0.01, 0.9), engine });
    expect(history.engine.name).toBe(engine);
    // Reference: Keras' way, the whole model under the tape, batch by batch.
    const whole = tinyTransfer(frozen, 6);
    whole.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    const source = data(24, 11, 8, 3).source;
    for (let epoch = 0; epoch < 2; epoch++) {
      let loss = 0;
      let accuracy = 0;
      for await (const batch of source()) {
        const x = tf.tidy(() => preprocessInput(tf.tensor4d(batch.x, batch.shape)));
        const y = tf.tensor2d(batch.y, [batch.shape[0], 2]);
        const [l, a] = (await whole.trainOnBatch(x, y)) as number[];
        loss += (l * batch.shape[0]) / 24;
        accuracy += (a * batch.shape[0]) / 24;
        tf.dispose([x, y]);
      }
      expect(Math.abs(history.epochs[epoch].loss - loss)).toBeLessThan(1e-4);
      expect(Math.abs(history.epochs[epoch].accuracy - accuracy)).toBeLessThan(1e-4);
    }
    const want = whole.getWeights().map((w) => w.dataSync());
    split.getWeights().forEach((w, i) => w.dataSync().forEach((v, j) => expect(Math.abs(v - want[i][j])).toBeLessThan(1e-4)));
    split.dispose();
    whole.dispose();
  });

  it("says which engine trains which layers, and why", async () => {
    const source = data(8, 12, 8).source;
    const run = async (frozen: number, engine?: "tfjs") => (await fit(tinyTransfer(frozen), source, { epochs: 1, optimizer: sgd(0.01), engine })).engine;
    const onnx = await run(19);
    expect(onnx.name).toBe("onnxruntime");
    expect(onnx.reason).toMatch(/^ONNX Runtime trains layers 19 onwards; CPU provider, \d+ thread\(s\)$/);
    expect((await run(18)).reason).toMatch(/^ONNX Runtime trains layers 19 onwards \(the max-pooling after the frozen ones has no weights\);/);
    expect((await run(11)).reason).toMatch(/^ONNX Runtime trains layers 11 onwards;/);
    expect((await run(0)).reason).toMatch(/^ONNX Runtime trains every layer;/);
    expect(await run(19, "tfjs")).toEqual({ name: "tfjs", reason: 'asked for TF.js; TF.js on "wasm"' });
    process.env.THAW_ENGINE = "tfjs";
    try {
      expect(await run(11)).toEqual({ name: "tfjs", reason: 'THAW_ENGINE=tfjs; TF.js on "wasm"' });
      process.env.THAW_ENGINE = "gpu";
      await expect(run(19)).rejects.toThrow('THAW_ENGINE is "gpu"; use one of: tfjs, onnxruntime.');
    } finally {
      delete process.env.THAW_ENGINE;
    }
  });

  it("plans a real-size VGG16 on ONNX Runtime and refuses the TF.js plan that would overflow the wasm heap", async () => {
    const model = transfer(vgg16({ inputShape: [224, 224, 3], classes: 1000, seed: 1 }), { frozenLayers: 11, classes: 2, head: "fc2" });
    const plan = await planTraining(model, { batchSize: 16 });
    expect(plan).toMatchObject({ frozenLayers: 11, prefixLayers: 11, inputShape: [28, 28, 256], engine: "onnxruntime" });
    expect(plan.suffix?.ops.map((op) => op.kind).join(",")).toBe("conv,conv,conv,maxPool,conv,conv,conv,maxPool,flatten,dense,dense,dense");
    await expect(planTraining(model, { batchSize: 16, env: { THAW_ENGINE: "tfjs" } })).rejects.toThrow(
      /^Training layers 11 onwards on TF\.js \(THAW_ENGINE=tfjs\) needs about \d+\.\d GB in the wasm backend's 4 GB heap; unset THAW_ENGINE so ONNX Runtime trains it, freeze more layers, or lower the batch size\.$/,
    );
    // the estimate by hand: all 134,268,738 weights and 5 more copies of the 132,533,250 trained ones, plus activations
    expect(tfjsTrainingBytes(layerSizes(model), 11, 16)).toBeGreaterThan(4 * (134_268_738 + 5 * 132_533_250));
    model.dispose();
  });

  it("runs the frozen prefix on ONNX Runtime by default, training as it does with the prefix on TF.js", async () => {
    const train = (prefixEngine?: "tfjs") => fit(tinyTransfer(15, 8), data(24, 13, 8, 2).source, { epochs: 2, optimizer: sgd(0.01, 0.9), validation: data(8, 14, 8).source, prefixEngine });
    const [onnx, tfjs] = [await train(), await train("tfjs")];
    expect(onnx.prefixEngine?.name).toBe("onnxruntime");
    expect(tfjs.prefixEngine).toEqual({ name: "tfjs", reason: "asked for TF.js" });
    onnx.epochs.forEach((logs, i) => {
      for (const key of ["loss", "accuracy", "val_loss", "val_accuracy"] as const) expect(Math.abs(logs[key]! - tfjs.epochs[i][key]!)).toBeLessThan(1e-4);
    });
  });

  it("stops before the next batch when the signal aborts, and leaks no tensor", async () => {
    const model = tinyTransfer(19);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const batches: number[] = [];
    const ends: string[] = [];
    const history = await fit(model, data(48, 6, 8).source, {
      epochs: 3,
      optimizer: sgd(0.01, 0.9),
      signal: controller.signal,
      callbacks: [
        hook({
          onBatchEnd: (batch) => {
            batches.push(batch);
            if (batch === 2) controller.abort();
          },
          onTrainEnd: (logs) => {
            ends.push(logs.stopReason);
          },
        }),
      ],
    });
    expect(batches).toEqual([0, 1, 2]);
    expect(history.stopReason).toBe("aborted");
    expect(history.epochs).toEqual([]);
    expect(ends).toEqual(["aborted"]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it.each([17, 19])("frozen %i: leaks no tensor over a run with validation", async (frozen) => {
    const model = tinyTransfer(frozen);
    const before = tf.memory().numTensors;
    await fit(model, data(16, 8, 8).source, { epochs: 2, optimizer: adam(1e-3), validation: data(8, 9, 8).source });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("rejects bad options and mismatched batches with the fix", async () => {
    const model = tinyTransfer(19);
    const source = data(8, 10, 8).source;
    await expect(fit(model, source, { epochs: 0, optimizer: sgd(0.01) })).rejects.toThrow("epochs must be an integer >= 1, got 0");
    expect(() => sgd(-1)).toThrow(TrainingOptionError);
    expect(() => sgd(0.01, 1)).toThrow("momentum must be in [0, 1), got 1");
    const three = leftRightImages(4, SIZE, 1);
    const wrongClasses = arrayBatches(three.x, three.labels, three.shape, 3, { batchSize: 4 });
    await expect(fit(model, wrongClasses, { epochs: 1, optimizer: sgd(0.01) })).rejects.toThrow("The batches have 3 classes but the model predicts 2");
    model.dispose();
  });
});
