// Keras-like progress: a bar per epoch, redrawn in place on a terminal; when stdout is not a
// terminal (CI logs, files) exactly one line per epoch.
import { fmtDuration } from "./format.ts";

export interface EpochLogs {
  loss: number;
  accuracy: number;
  val_loss?: number;
  val_accuracy?: number;
}

export interface ProgressOptions {
  epochs: number;
  stepsPerEpoch: number;
  write?: (text: string) => void;
  tty?: boolean;
  now?: () => number;
}

const BAR_WIDTH = 30;

export function progressBar(done: number, total: number): string {
  if (total <= 0) return `[${"=".repeat(BAR_WIDTH)}]`;
  const filled = Math.min(BAR_WIDTH, Math.floor((done / total) * BAR_WIDTH));
  const head = done < total && filled < BAR_WIDTH ? ">" : "";
  return `[${"=".repeat(filled)}${head}${".".repeat(BAR_WIDTH - filled - head.length)}]`;
}

export function formatLogs(logs: Partial<EpochLogs>): string {
  return (["loss", "accuracy", "val_loss", "val_accuracy"] as const)
    .filter((key) => typeof logs[key] === "number")
    .map((key) => ` - ${key}: ${(logs[key] as number).toFixed(4)}`)
    .join("");
}

function fmtSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)}s` : `${Math.round(ms)}ms`;
}

export class KerasProgress {
  private readonly write: (text: string) => void;
  private readonly tty: boolean;
  private readonly now: () => number;
  private epochStart = 0;
  private readonly epochTimes: number[] = [];

  constructor(private readonly options: ProgressOptions) {
    this.write = options.write ?? ((text) => process.stdout.write(text));
    this.tty = options.tty ?? Boolean(process.stdout.isTTY);
    this.now = options.now ?? (() => Date.now());
  }

  private prefix(epoch: number): string {
    const width = String(this.options.epochs).length;
    return `Epoch ${String(epoch + 1).padStart(width)}/${this.options.epochs}`;
  }

  epochBegin(epoch: number): void {
    this.epochStart = this.now();
    if (this.tty) this.write(`${this.prefix(epoch)}  0/${this.options.stepsPerEpoch} ${progressBar(0, this.options.stepsPerEpoch)}`);
  }

  /** batch is 0-based; logs are the running means of the epoch so far; the rate is in images/s. */
  batchEnd(epoch: number, batch: number, logs: Partial<EpochLogs>, imagesPerSecond?: number | null): void {
    if (!this.tty) return;
    const steps = this.options.stepsPerEpoch;
    const done = batch + 1;
    const elapsed = this.now() - this.epochStart;
    const eta = steps > done ? (elapsed / done) * (steps - done) : 0;
    const rate = typeof imagesPerSecond === "number" ? ` - ${imagesPerSecond.toFixed(1)} images/s` : "";
    this.write(`\r\x1b[2K${this.prefix(epoch)}  ${done}/${steps} ${progressBar(done, steps)} - ETA: ${fmtSeconds(eta)}${rate}${formatLogs(logs)}`);
  }

  /**
   * Redraws the line on a terminal with a phase that batchEnd does not draw (the feature
   * cache filling, validation): `text` says what and how far, the bar shows done of total.
   */
  phase(epoch: number, done: number, total: number, text: string): void {
    if (this.tty) this.write(`\r\x1b[2K${this.prefix(epoch)}  ${progressBar(done, total)} ${text}`);
  }

  /** Prints the epoch's line: bar, time, time per step, metrics and the ETA of the run. */
  epochEnd(epoch: number, logs: EpochLogs, stepsDone = this.options.stepsPerEpoch): string {
    const elapsed = this.now() - this.epochStart;
    this.epochTimes.push(elapsed);
    const mean = this.epochTimes.reduce((a, b) => a + b, 0) / this.epochTimes.length;
    const remaining = Math.max(0, this.options.epochs - epoch - 1);
    const perStep = stepsDone > 0 ? elapsed / stepsDone : elapsed;
    const line =
      `${this.prefix(epoch)}  ${stepsDone}/${this.options.stepsPerEpoch} ${progressBar(stepsDone, this.options.stepsPerEpoch)}` +
      ` - ${fmtSeconds(elapsed)} ${fmtSeconds(perStep)}/step${formatLogs(logs)} - ETA ${fmtDuration(mean * remaining)}`;
    this.write(`${this.tty ? "\r\x1b[2K" : ""}${line}\n`);
    return line;
  }
}
