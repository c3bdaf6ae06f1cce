import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { tf, type LayersModel, type Tensor } from "../tf.ts";
import { preprocessInput } from "../preprocess.ts";
import { initBackend } from "../backend/init-backend.ts";
import { vgg16 } from "../model/vgg16.ts";
import { transfer } from "../model/transfer.ts";
import { FeatureCacheError } from "../errors.ts";
import { arrayBatches } from "../train/batches.ts";
import { leftRightImages } from "../train/synthetic-images.ts";
import { fit, type FitHistory } from "../train/fit.ts";
import { sgd } from "../train/optimizers.ts";
import { earlyStopping } from "../train/callbacks/early-stopping.ts";

const SIZE = 32;
const train = leftRightImages(24, SIZE, 11);
const validation = leftRightImages(10, SIZE, 12);

function model(frozenLayers: number, seed = 1): LayersModel {
  const base = vgg16({ inputShape: [SIZE, SIZE, 3], classes: 10, widthMultiplier: 1 / 16, seed });
  return transfer(base, { frozenLayers, classes: 2, head: "fc2", seed: seed + 100 });
}

/** Fresh sources with the same shuffle seed visit the images in the same order. */
function sources() {
  return {
    train: arrayBatches(train.x, train.labels, train.shape, 2, { batchSize: 8, shuffleSeed: 5 }),
    validation: arrayBatches(validation.x, validation.labels, validation.shape, 2, { batchSize: 4 }),
  };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "thaw-features-"));
}

function expectSameMetrics(a: FitHistory, b: FitHistory): void {
  expect(b.epochs.length).toBe(a.epochs.length);
  a.epochs.forEach((logs, i) => {
    for (const key of ["loss", "accuracy", "val_loss", "val_accuracy"] as const) {
      expect(Math.abs(b.epochs[i][key]! - logs[key]!)).toBeLessThan(1e-4);
    }
  });
}

function trainableValues(m: LayersModel): Float32Array[] {
  return m.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
}

describe("feature cache", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it.each([19, 15])("frozen %i: cached training equals uncached, epoch by epoch, and fills the full model", async (frozen) => {
    const epochs = frozen === 19 ? 3 : 2;
    const uncachedModel = model(frozen);
    const plain = sources();
    const uncached = await fit(uncachedModel, plain.train, { epochs, optimizer: sgd(0.01, 0.9), validation: plain.validation });

    const cachedModel = model(frozen);
    const before = tf.memory().numTensors;
    const cached = sources();
    const dir = tempDir();
    const history = await fit(cachedModel, cached.train, {
      epochs,
      optimizer: sgd(0.01, 0.9),
      validation: cached.validation,
      featureCache: { dir, datasetFingerprint: "synthetic-lr", augmented: false },
    });
    expect(tf.memory().numTensors).toBe(before);
    expectSameMetrics(uncached, history);
    expect(history.featureCache).toMatchObject({ computed: 34, prefixRuns: 3 + 3, reads: (epochs - 1) * 24 + (epochs - 1) * 10 });
    // the full model holds the trained head, so checkpoints of it are right
    const want = trainableValues(uncachedModel);
    trainableValues(cachedModel).forEach((values, i) => values.forEach((v, j) => expect(Math.abs(v - want[i][j])).toBeLessThan(1e-4)));
    uncachedModel.dispose();
    cachedModel.dispose();
  });

  it("reuses the cache in a second run (no prefix computation) and gives the same metrics", async () => {
    const dir = tempDir();
    const options = { epochs: 2, optimizer: sgd(0.01, 0.9), featureCache: { dir, datasetFingerprint: "synthetic-lr", augmented: false } };
    const first = model(19);
    const a = sources();
    const one = await fit(first, a.train, { ...options, validation: a.validation });
    const second = model(19);
    const b = sources();
    const two = await fit(second, b.train, { ...options, validation: b.validation });
    expect(one.featureCache!.computed).toBe(34);
    expect(two.featureCache).toMatchObject({ computed: 0, prefixRuns: 0, reads: 2 * 34, engine: "none", dir: one.featureCache!.dir });
    expectSameMetrics(one, two);
    expect(fs.readdirSync(dir)).toHaveLength(1);
    // other frozen weights, other cache folder: features of other weights are never served
    const other = model(19, 2);
    const c = sources();
    const three = await fit(other, c.train, options);
    expect(three.featureCache!.computed).toBe(24);
    expect(fs.readdirSync(dir)).toHaveLength(2);
    [first, second, other].forEach((m) => m.dispose());
  });

  it("restores the best weights into the full model under early stopping", async () => {
    const m = model(19);
    // Validation labels swapped: the better the model learns, the worse val_loss gets.
    const swapped = validation.labels.map((label) => 1 - label);
    const s = { train: sources().train, validation: arrayBatches(validation.x, swapped, validation.shape, 2, { batchSize: 4 }) };
    const stopper = earlyStopping({ monitor: "val_loss", patience: 1, restoreBestWeights: true });
    const history = await fit(m, s.train, { epochs: 6, optimizer: sgd(0.05, 0.9), validation: s.validation, callbacks: [stopper], featureCache: { dir: tempDir(), datasetFingerprint: "fp", augmented: false } });
    expect(history.stopReason).toBe("callback");
    expect(stopper.bestEpoch).toBeLessThan(history.epochs.length - 1);
    // the full model, fed images, has the best epoch's validation loss again
    const p = tf.tidy(() => m.predict(preprocessInput(tf.tensor4d(validation.x, validation.shape))) as Tensor).dataSync();
    const loss = swapped.reduce((sum, label, i) => sum - Math.log(Math.max(p[2 * i + label], 1e-7)), 0) / swapped.length;
    expect(Math.abs(loss - history.epochs[stopper.bestEpoch].val_loss!)).toBeLessThan(1e-4);
    expect(Math.abs(loss - history.epochs.at(-1)!.val_loss!)).toBeGreaterThan(1e-3);
    m.dispose();
  });

  it("refuses augmented batches and models with nothing to cache or to train", async () => {
    const s = sources();
    const base = { epochs: 1, optimizer: sgd(0.01) };
    await expect(fit(model(19), s.train, { ...base, featureCache: { dir: tempDir(), datasetFingerprint: "fp", augmented: true } })).rejects.toThrow(FeatureCacheError);
    await expect(fit(model(19), s.train, { ...base, featureCache: { dir: tempDir(), datasetFingerprint: "fp", augmented: true } })).rejects.toThrow("needs unaugmented images");
    await expect(fit(model(0), s.train, { ...base, featureCache: { dir: tempDir(), datasetFingerprint: "fp", augmented: false } })).rejects.toThrow("Only 0 layer(s) are frozen");
    await expect(fit(model(23), s.train, { ...base, featureCache: { dir: tempDir(), datasetFingerprint: "fp", augmented: false } })).rejects.toThrow("Every layer is frozen");
  });
});
