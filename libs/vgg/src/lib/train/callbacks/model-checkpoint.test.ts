import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tf, type LayersModel, type SymbolicTensor } from "../../tf.ts";
import { loadCheckpoint } from "../../checkpoint/checkpoint.ts";
import { type EpochLogs, type TrainingState } from "./callback.ts";
import { modelCheckpoint, type ModelCheckpoint } from "./model-checkpoint.ts";

function tinyModel(): LayersModel {
  const input = tf.input({ shape: [4] });
  const output = tf.layers.dense({ units: 2, activation: "softmax", name: "predictions" }).apply(input) as SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

async function play<T>(callback: ModelCheckpoint<T>, values: Array<number | undefined>, metric = "val_accuracy", model = tinyModel()) {
  const state: TrainingState = { model, stopTraining: false };
  callback.setTrainingState(state);
  callback.onTrainBegin();
  for (const [epoch, value] of values.entries()) {
    const logs = { loss: 1, accuracy: 0.5, duration: 1, ...(value === undefined ? {} : { [metric]: value }) } as EpochLogs;
    await callback.onEpochEnd(epoch, logs);
  }
  return callback.saved.map((s) => s.epoch);
}

const record = () => ({ save: async (_model: LayersModel, epoch: number) => epoch });

describe("modelCheckpoint", () => {
  afterEach(() => vi.restoreAllMocks());

  it("saves every epoch by default", async () => {
    expect(await play(modelCheckpoint({ monitor: "val_accuracy", ...record() }), [0.5, 0.4, 0.3])).toEqual([0, 1, 2]);
  });

  it("with saveBestOnly saves only strict improvements of the monitored metric", async () => {
    const cb = modelCheckpoint({ monitor: "val_accuracy", saveBestOnly: true, ...record() });
    expect(await play(cb, [0.5, 0.7, 0.6, 0.7, 0.8])).toEqual([0, 1, 4]);
    expect(cb.best).toBe(0.8);
    expect(await play(modelCheckpoint({ monitor: "val_loss", saveBestOnly: true, ...record() }), [0.9, 1.0, 0.5, 0.5], "val_loss")).toEqual([0, 2]);
  });

  it("reads val_acc as val_accuracy (the seed's key) and honours initialValueThreshold", async () => {
    const cb = modelCheckpoint({ monitor: "val_acc", saveBestOnly: true, initialValueThreshold: 0.65, ...record() });
    expect(await play(cb, [0.5, 0.7, 0.6, 0.8])).toEqual([1, 3]);
  });

  it("saves anyway and warns when the metric is missing, as Keras 3 does", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(await play(modelCheckpoint({ monitor: "val_accuracy", saveBestOnly: true, ...record() }), [undefined, undefined])).toEqual([0, 1]);
    expect(warn.mock.calls[0][0]).toContain("available: loss, accuracy, duration");
  });

  it("resets its best value on train begin so an instance serves several runs", async () => {
    const cb = modelCheckpoint({ monitor: "val_accuracy", saveBestOnly: true, ...record() });
    await play(cb, [0.9]);
    expect(await play(cb, [0.5, 0.6])).toEqual([0, 1]);
  });

  it("writes Thaw checkpoints into dir with {epoch} as the 1-based epoch", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "thaw-ckpt-"));
    const model = tinyModel();
    const cb = modelCheckpoint({
      dir: path.join(root, "epoch-{epoch}"),
      monitor: "val_accuracy",
      saveBestOnly: true,
      meta: { classNames: ["cat", "dog"], base: "random", baseWeightsHash: "none", frozenLayers: 0, head: "fc2", widthMultiplier: 1, datasetFingerprint: "fp" },
    });
    expect(await play(cb, [0.5, 0.4, 0.75], "val_accuracy", model)).toEqual([0, 2]);
    expect(fs.readdirSync(root).sort()).toEqual(["epoch-1", "epoch-3"]);
    const loaded = await loadCheckpoint(path.join(root, "epoch-3"));
    expect(loaded.meta.epoch).toBe(3);
    expect(loaded.meta.metrics).toEqual({ loss: 1, accuracy: 0.5, duration: 1, val_accuracy: 0.75 });
    expect(cb.saved[1].result.path).toBe(path.join(root, "epoch-3"));
    loaded.model.dispose();
  });
});
