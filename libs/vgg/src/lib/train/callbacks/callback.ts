// Keras' callback protocol (tfjs-layers' base_callbacks.ts has the same hooks): async hooks
// around epochs and batches, and the training state (Keras' `self.model` and
// `model.stop_training`) whose stopTraining flag ends the run.
import { type LayersModel } from "../../tf.ts";
import { TrainingOptionError } from "../../errors.ts";

/** Logs of one epoch, named as Keras 2.4+ names them. */
export interface EpochLogs {
  loss: number;
  accuracy: number;
  val_loss?: number;
  val_accuracy?: number;
  /** Wall time of the epoch in seconds, validation included. */
  duration: number;
}

export interface BatchLogs {
  /** Images in this batch. */
  size: number;
  loss: number;
  accuracy: number;
}

/**
 * Images done inside an epoch, for a progress bar. `done` counts the images of this phase
 * of this epoch so far: "train" and "validate" count batches consumed by the loop; "cache"
 * counts images through the frozen prefix (training and validation passes together) in an
 * epoch that computes missing features, which then is what the epoch's time goes to.
 */
export interface TrainProgress {
  phase: "cache" | "train" | "validate";
  /** 0-based, as in onEpochBegin. */
  epoch: number;
  done: number;
}

export type StopReason = "completed" | "callback" | "aborted";

export interface TrainEndLogs {
  stopReason: StopReason;
  /** Epochs that ran to the end. */
  epochs: number;
}

/** What a callback sees of the run: Keras' `self.model` and `model.stop_training`. */
export interface TrainingState {
  /** The model being trained; under the feature cache, the full model (its trainable layers are the ones trained). */
  readonly model: LayersModel;
  /** Set by a callback to end training after the current batch or epoch. */
  stopTraining: boolean;
}

export interface Callback {
  setTrainingState?(state: TrainingState): void;
  onTrainBegin?(): void | Promise<void>;
  onEpochBegin?(epoch: number): void | Promise<void>;
  onBatchEnd?(batch: number, logs: BatchLogs): void | Promise<void>;
  /** After every batch of training, of validation and of a feature-cache fill. */
  onProgress?(progress: TrainProgress): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: EpochLogs): void | Promise<void>;
  onTrainEnd?(logs: TrainEndLogs): void | Promise<void>;
}

/** Base for callbacks that need the model being trained (Keras' `self.model`). */
export abstract class ModelCallback implements Callback {
  private current: TrainingState | undefined;

  setTrainingState(state: TrainingState): void {
    this.current = state;
  }

  protected get state(): TrainingState {
    if (!this.current) throw new TrainingOptionError(`${this.constructor.name} was used outside fit; pass it in fit's callbacks.`);
    return this.current;
  }
}

/** A plain callback from functions, e.g. the worker's hook that writes each epoch to the store. */
export function hook(hooks: Callback): Callback {
  return { ...hooks };
}

/** Reads a metric from epoch logs by name. */
export function logValue(logs: EpochLogs, key: string): number | undefined {
  const value = (logs as unknown as Record<string, unknown>)[key];
  return typeof value === "number" ? value : undefined;
}
