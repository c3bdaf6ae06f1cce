// Keras 3's EarlyStopping, rule for rule: patience counts epochs since the last
// improvement, a baseline must be beaten to reset it, training never stops after epoch 0,
// and restoreBestWeights puts back the best epoch's weights when training ends.
import { tf, type Tensor } from "../../tf.ts";
import { TrainingOptionError } from "../../errors.ts";
import { type EpochLogs } from "./callback.ts";
import { MonitorCallback, type MonitorOptions } from "./monitor-callback.ts";

export interface EarlyStoppingOptions extends MonitorOptions {
  /** Epochs without improvement after which training stops. Default 0. */
  patience?: number;
  /** A value the metric must beat for an improvement to reset patience. */
  baseline?: number;
  /** Put back the weights of the best epoch at the end of training. Default false. */
  restoreBestWeights?: boolean;
  /** Epochs to wait before monitoring starts (warm-up). Default 0. */
  startFromEpoch?: number;
}

const NAME = "earlyStopping";

function nonNegativeInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new TrainingOptionError(`${NAME} ${name} must be an integer >= 0, got ${value}.`);
  }
  return value;
}

export class EarlyStopping extends MonitorCallback {
  readonly patience: number;
  readonly baseline: number | undefined;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  /** Epochs since the last improvement that beat the baseline. */
  wait = 0;
  /** 0-based epoch at which this callback stopped training; 0 if it did not. */
  stoppedEpoch = 0;
  best: number | undefined;
  bestEpoch = 0;
  private bestWeights: Tensor[] | undefined;

  constructor(options: EarlyStoppingOptions = {}) {
    super(options, NAME);
    this.patience = nonNegativeInt("patience", options.patience ?? 0);
    this.startFromEpoch = nonNegativeInt("startFromEpoch", options.startFromEpoch ?? 0);
    if (options.baseline !== undefined && !Number.isFinite(options.baseline)) {
      throw new TrainingOptionError(`${NAME} baseline must be a finite number, got ${options.baseline}.`);
    }
    this.baseline = options.baseline;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = undefined;
    this.bestEpoch = 0;
    this.dropBestWeights();
    this.resetWarnings();
  }

  onEpochEnd(epoch: number, logs: EpochLogs): void {
    const current = this.monitored(logs, NAME);
    if (current === undefined || epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && this.bestWeights === undefined) {
      this.keepWeights();
      this.bestEpoch = epoch;
    }
    this.wait += 1;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.keepWeights();
      if (this.baseline === undefined || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.state.stopTraining = true;
    }
  }

  onTrainEnd(): void {
    if (this.restoreBestWeights && this.bestWeights !== undefined) {
      const weights = this.changeableWeights();
      weights.forEach((w, i) => w.write(this.bestWeights![i]));
    }
    this.dropBestWeights();
  }

  /** Weights training can change: every weight of a trainable layer (frozen layers stay as they are). */
  private changeableWeights() {
    return this.state.model.layers.filter((layer) => layer.trainable).flatMap((layer) => layer.weights);
  }

  private keepWeights(): void {
    this.dropBestWeights();
    this.bestWeights = this.changeableWeights().map((w) => tf.clone(w.read()));
  }

  private dropBestWeights(): void {
    if (this.bestWeights) tf.dispose(this.bestWeights);
    this.bestWeights = undefined;
  }
}

/** Keras' `EarlyStopping(monitor, min_delta, patience, mode, baseline, restore_best_weights)`. */
export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStopping {
  return new EarlyStopping(options);
}
