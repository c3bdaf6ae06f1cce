// The monitor logic Keras 3 shares between EarlyStopping and ModelCheckpoint: which
// metric, which direction, how much change counts as an improvement.
import { TrainingOptionError } from "../../errors.ts";
import { logValue, ModelCallback, type EpochLogs } from "./callback.ts";

export type MonitorMode = "auto" | "min" | "max";

export interface MonitorOptions {
  /** A key of the epoch logs. Default 'val_loss'. `acc` / `val_acc` mean `accuracy` / `val_accuracy` (Keras 2.3 names). */
  monitor?: string;
  /** 'auto' (default) infers the direction: losses go down, accuracies up. */
  mode?: MonitorMode;
  /** A change smaller than this (absolute) is no improvement. Default 0. */
  minDelta?: number;
}

const ALIASES: Record<string, string> = { acc: "accuracy", val_acc: "val_accuracy" };

/** The logs' name for a monitored metric: Keras 2.4+ logs `accuracy`, the seed asked for `val_acc`. */
export function canonicalMetric(name: string): string {
  return ALIASES[name] ?? name;
}

function direction(monitor: string, mode: MonitorMode, owner: string): "min" | "max" {
  if (mode === "min" || mode === "max") return mode;
  const metric = monitor.replace(/^val_/, "");
  if (metric === "loss") return "min";
  if (metric === "accuracy") return "max";
  throw new TrainingOptionError(`${owner} cannot tell whether '${monitor}' should go up or down; pass mode: 'max' or mode: 'min'.`);
}

export abstract class MonitorCallback extends ModelCallback {
  readonly monitor: string;
  readonly mode: "min" | "max";
  readonly minDelta: number;
  private warnedMissing = false;

  constructor(options: MonitorOptions, owner: string) {
    super();
    const { monitor = "val_loss", mode = "auto", minDelta = 0 } = options;
    if (!["auto", "min", "max"].includes(mode)) {
      throw new TrainingOptionError(`${owner} mode must be 'auto', 'min' or 'max', got '${mode}'.`);
    }
    if (!Number.isFinite(minDelta)) {
      throw new TrainingOptionError(`${owner} minDelta must be a finite number, got ${minDelta}.`);
    }
    this.monitor = canonicalMetric(monitor);
    this.mode = direction(this.monitor, mode, owner);
    this.minDelta = Math.abs(minDelta);
  }

  /** Keras' _is_improvement: better than the reference by more than minDelta; anything beats none. */
  protected isImprovement(value: number, reference: number | undefined): boolean {
    if (reference === undefined) return true;
    return this.mode === "min" ? value + this.minDelta < reference : value - this.minDelta > reference;
  }

  /** The monitored value, or undefined with one warning listing the keys that exist. */
  protected monitored(logs: EpochLogs, owner: string): number | undefined {
    const value = logValue(logs, this.monitor);
    if (value === undefined && !this.warnedMissing) {
      this.warnedMissing = true;
      console.warn(`${owner} monitors '${this.monitor}', which is not in the epoch logs; available: ${Object.keys(logs).join(", ")}. Pass validation data or monitor one of those.`);
    }
    return value;
  }

  protected resetWarnings(): void {
    this.warnedMissing = false;
  }
}
