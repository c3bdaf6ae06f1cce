import { afterEach, describe, expect, it, vi } from "vitest";
import { tf, type LayersModel } from "../../tf.ts";
import { TrainingOptionError } from "../../errors.ts";
import { type EpochLogs, type TrainingState } from "./callback.ts";
import { earlyStopping, type EarlyStoppingOptions } from "./early-stopping.ts";

function tinyModel(): LayersModel {
  const input = tf.input({ shape: [3] });
  const frozen = tf.layers.dense({ units: 2, name: "frozen", trainable: false }).apply(input);
  const output = tf.layers.dense({ units: 2, name: "head" }).apply(frozen) as ReturnType<typeof tf.input>;
  return tf.model({ inputs: input, outputs: output });
}

/** Sets every trainable weight to `value`, standing in for an epoch of training. */
function train(model: LayersModel, value: number): void {
  for (const w of model.trainableWeights) w.write(tf.fill(w.shape as number[], value));
}

/**
 * Plays Keras' fit loop over scripted epoch logs: after epoch e the weights hold e, then
 * onEpochEnd, and the loop stops when the callback says so. Returns the epochs that ran.
 */
function play(options: EarlyStoppingOptions, metric: string, values: number[], model = tinyModel()) {
  const state: TrainingState = { model, stopTraining: false };
  const callback = earlyStopping(options);
  callback.setTrainingState(state);
  callback.onTrainBegin();
  let ran = 0;
  for (let epoch = 0; epoch < values.length && !state.stopTraining; epoch++) {
    train(model, epoch);
    callback.onEpochEnd(epoch, { loss: 1, accuracy: 0.5, duration: 1, [metric]: values[epoch] } as EpochLogs);
    ran++;
  }
  callback.onTrainEnd();
  return { ran, callback, model };
}

describe("earlyStopping", () => {
  afterEach(() => vi.restoreAllMocks());

  it("stops once patience epochs pass without improving val_loss and restores the best epoch", () => {
    const { ran, callback, model } = play({ patience: 2, restoreBestWeights: true }, "val_loss", [1.0, 0.8, 0.85, 0.9, 0.79, 0.7]);
    expect(ran).toBe(4);
    expect(callback.stoppedEpoch).toBe(3);
    expect(callback.bestEpoch).toBe(1);
    expect(callback.best).toBe(0.8);
    for (const w of model.trainableWeights) expect(Array.from(w.read().dataSync())).toEqual(new Array(w.read().size).fill(1));
    // frozen weights are left alone (training cannot change them)
    expect(model.getLayer("frozen").getWeights()[1].dataSync().every((v) => v === 0)).toBe(true);
  });

  it("keeps the last weights without restoreBestWeights", () => {
    const { model } = play({ patience: 2 }, "val_loss", [1.0, 0.8, 0.85, 0.9]);
    expect(model.trainableWeights[0].read().dataSync()[0]).toBe(3);
  });

  it("counts a change within minDelta as no improvement", () => {
    expect(play({ patience: 1, minDelta: 0.05 }, "val_loss", [1.0, 0.96, 0.5]).ran).toBe(2);
    expect(play({ patience: 1, minDelta: 0.03 }, "val_loss", [1.0, 0.96, 0.95, 0.5]).ran).toBe(3);
  });

  it("never stops after the first epoch, even with patience 0", () => {
    const { ran, callback } = play({ patience: 0 }, "val_loss", [1.0, 1.1, 1.2]);
    expect(ran).toBe(2);
    expect(callback.stoppedEpoch).toBe(1);
  });

  it("with a baseline, resets patience only for values that beat it (Keras' rule)", () => {
    expect(play({ monitor: "val_accuracy", patience: 2 }, "val_accuracy", [0.5, 0.5, 0.5, 0.5]).ran).toBe(3);
    expect(play({ monitor: "val_accuracy", patience: 2, baseline: 0.9 }, "val_accuracy", [0.5, 0.5, 0.5, 0.5]).ran).toBe(2);
    // an improvement below the baseline still returns before the patience check
    expect(play({ monitor: "val_accuracy", patience: 1, baseline: 0.9 }, "val_accuracy", [0.5, 0.6, 0.7, 0.8]).ran).toBe(4);
  });

  it("reads val_acc as val_accuracy and maximises it in auto mode", () => {
    const { ran, callback } = play({ monitor: "val_acc", patience: 1 }, "val_accuracy", [0.6, 0.7, 0.65, 0.9]);
    expect(callback.monitor).toBe("val_accuracy");
    expect(callback.mode).toBe("max");
    expect(ran).toBe(3);
  });

  it("waits startFromEpoch epochs before monitoring", () => {
    expect(play({ patience: 0, startFromEpoch: 2 }, "val_loss", [1, 2, 3, 4]).ran).toBe(4);
  });

  it("warns once, listing the logged keys, when the metric is missing, and never stops", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { ran } = play({ patience: 0 }, "loss_other", [1, 2, 3]);
    expect(ran).toBe(3);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain("monitors 'val_loss', which is not in the epoch logs; available: loss, accuracy, duration, loss_other");
  });

  it("is reusable: a second run starts from scratch", () => {
    const model = tinyModel();
    const state: TrainingState = { model, stopTraining: false };
    const callback = earlyStopping({ patience: 0 });
    callback.setTrainingState(state);
    callback.onTrainBegin();
    callback.onEpochEnd(0, { loss: 1, accuracy: 0, duration: 0, val_loss: 0.1 });
    callback.onTrainBegin();
    callback.onEpochEnd(0, { loss: 1, accuracy: 0, duration: 0, val_loss: 5 });
    expect(callback.best).toBe(5);
  });

  it("checks its arguments with a hint", () => {
    expect(() => earlyStopping({ monitor: "duration" })).toThrow(TrainingOptionError);
    expect(() => earlyStopping({ monitor: "duration" })).toThrow("pass mode: 'max' or mode: 'min'");
    expect(() => earlyStopping({ patience: -1 })).toThrow("patience must be an integer >= 0, got -1");
    expect(() => earlyStopping({ mode: "up" as "max" })).toThrow("mode must be 'auto', 'min' or 'max', got 'up'");
  });
});
