// Keras 3's ModelCheckpoint at epoch frequency: save after every epoch, or with
// saveBestOnly only when the monitored metric improves. Writing is injected (`save`) or
// goes through saveCheckpoint into `dir`, whose `{epoch}` becomes the 1-based epoch as in Keras.
import { type LayersModel } from "../../tf.ts";
import { TrainingOptionError } from "../../errors.ts";
import { saveCheckpoint, type CheckpointMetaInput, type SavedCheckpoint } from "../../checkpoint/checkpoint.ts";
import { type EpochLogs } from "./callback.ts";
import { MonitorCallback, type MonitorOptions } from "./monitor-callback.ts";

export type SaveFunction<T> = (model: LayersModel, epoch: number, logs: EpochLogs) => Promise<T>;

interface CommonOptions extends MonitorOptions {
  /** Save only when the monitored metric beats the best so far. Default false (save every epoch). */
  saveBestOnly?: boolean;
  /** Keras' initial_value_threshold: a value the first save must beat. */
  initialValueThreshold?: number;
}

export interface SaveWithFunction<T> extends CommonOptions {
  /** Writes the model; `epoch` is 0-based as in Keras' hooks. */
  save: SaveFunction<T>;
}

export interface SaveToDir extends CommonOptions {
  /** Checkpoint folder; `{epoch}` is replaced by the 1-based epoch. */
  dir: string;
  /** Checkpoint metadata; epoch (1-based) and metrics (the epoch's logs) are filled in. */
  meta: Omit<CheckpointMetaInput, "epoch" | "metrics">;
}

export interface SavedEpoch<T> {
  /** 0-based epoch. */
  epoch: number;
  value: number | undefined;
  result: T;
}

const NAME = "modelCheckpoint";

export class ModelCheckpoint<T> extends MonitorCallback {
  readonly saveBestOnly: boolean;
  readonly initialValueThreshold: number | undefined;
  /** Best value so far; starts at initialValueThreshold, else at -Infinity / +Infinity as in Keras. */
  best: number;
  /** Every save of the current run, in order. */
  saved: SavedEpoch<T>[] = [];
  private readonly save: SaveFunction<T>;

  constructor(options: CommonOptions & { save: SaveFunction<T> }) {
    super(options, NAME);
    if (typeof options.save !== "function") {
      throw new TrainingOptionError(`${NAME} needs a save function or a dir; pass save: (model, epoch, logs) => ... or dir and meta.`);
    }
    if (options.initialValueThreshold !== undefined && !Number.isFinite(options.initialValueThreshold)) {
      throw new TrainingOptionError(`${NAME} initialValueThreshold must be a finite number, got ${options.initialValueThreshold}.`);
    }
    this.save = options.save;
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.initialValueThreshold = options.initialValueThreshold;
    this.best = this.startingBest();
  }

  private startingBest(): number {
    return this.initialValueThreshold ?? (this.mode === "min" ? Infinity : -Infinity);
  }

  /** Resets the best value so one instance can serve several runs. */
  onTrainBegin(): void {
    this.best = this.startingBest();
    this.saved = [];
    this.resetWarnings();
  }

  async onEpochEnd(epoch: number, logs: EpochLogs): Promise<void> {
    const value = this.monitored(logs, NAME);
    if (this.saveBestOnly && value !== undefined) {
      if (!this.isImprovement(value, this.best)) return;
      this.best = value;
    }
    // Keras saves anyway when the metric is missing (after warning), so a typo never loses the model.
    this.saved.push({ epoch, value, result: await this.save(this.state.model, epoch, logs) });
  }
}

function metricsOf(logs: EpochLogs): Record<string, number> {
  return Object.fromEntries(Object.entries(logs).filter((entry): entry is [string, number] => typeof entry[1] === "number"));
}

/** Keras' `ModelCheckpoint(filepath, monitor, save_best_only, mode)`. */
export function modelCheckpoint<T>(options: SaveWithFunction<T>): ModelCheckpoint<T>;
export function modelCheckpoint(options: SaveToDir): ModelCheckpoint<SavedCheckpoint>;
export function modelCheckpoint<T>(options: SaveWithFunction<T> | SaveToDir): ModelCheckpoint<T> | ModelCheckpoint<SavedCheckpoint> {
  if ("save" in options) return new ModelCheckpoint<T>(options);
  const { dir, meta, ...rest } = options;
  if (typeof dir !== "string" || dir === "") {
    throw new TrainingOptionError(`${NAME} needs a save function or a dir; pass save: (model, epoch, logs) => ... or dir and meta.`);
  }
  return new ModelCheckpoint<SavedCheckpoint>({
    ...rest,
    save: (model, epoch, logs) => saveCheckpoint(model, dir.replaceAll("{epoch}", String(epoch + 1)), { ...meta, epoch: epoch + 1, metrics: metricsOf(logs) }),
  });
}
