// Turns libs/vgg's onProgress counts into what a person reads: images done of the phase's
// total, images/s over a short moving window and the phase's ETA, and decides when that is
// worth a write to the run's row (at most once a second, and at every change of phase).
import type { RunProgressInput } from "@thaw/tracking";
import type { TrainProgress } from "@thaw/vgg";
import { fmtDuration } from "../format.ts";

export interface MeterOptions {
  trainCount: number;
  validationCount: number;
  now?: () => number;
  /** Images/s are measured over about this much recent time. */
  windowMs?: number;
  /** Least time between two writes of the same phase. */
  minIntervalMs?: number;
}

interface Sample {
  t: number;
  done: number;
}

export class ProgressMeter {
  private readonly now: () => number;
  private readonly windowMs: number;
  private readonly minIntervalMs: number;
  /** Epochs whose time goes to filling the feature cache: their training and validation counts are part of the fill. */
  private readonly fillEpochs = new Set<number>();
  private segment = "";
  private samples: Sample[] = [];
  private lastEventAt: number;
  private written: { segment: string; at: number } | null = null;
  private latest: RunProgressInput | null = null;

  constructor(private readonly options: MeterOptions) {
    this.now = options.now ?? (() => Date.now());
    this.windowMs = options.windowMs ?? 10_000;
    this.minIntervalMs = options.minIntervalMs ?? 1000;
    this.lastEventAt = this.now();
  }

  /** The first phase of an epoch is measured from here. */
  epochBegin(): void {
    this.lastEventAt = this.now();
  }

  /** True when this epoch's time goes to filling the feature cache (a "cache" report came). */
  filling(epoch: number): boolean {
    return this.fillEpochs.has(epoch);
  }

  /** The progress as of the last report (null before the first). */
  current(): RunProgressInput | null {
    return this.latest;
  }

  /** Folds in one report; returns the progress when it is due for a write, else null. */
  update(report: TrainProgress): RunProgressInput | null {
    if (report.phase === "cache") this.fillEpochs.add(report.epoch);
    else if (this.fillEpochs.has(report.epoch)) return null;
    const now = this.now();
    const segment = `${report.epoch}:${report.phase}`;
    if (segment !== this.segment) {
      this.segment = segment;
      this.samples = [{ t: this.lastEventAt, done: 0 }];
    }
    this.lastEventAt = now;
    this.samples.push({ t: now, done: report.done });
    // Keep one sample at or before the window's start, so the window always spans two points.
    while (this.samples.length > 2 && this.samples[1].t <= now - this.windowMs) this.samples.shift();
    const first = this.samples[0];
    const seconds = (now - first.t) / 1000;
    const imagesPerSecond = seconds > 0 ? (report.done - first.done) / seconds : null;
    const total = Math.max(report.done, this.totalOf(report.phase));
    const etaSeconds = imagesPerSecond === null ? null : report.done >= total ? 0 : imagesPerSecond > 0 ? (total - report.done) / imagesPerSecond : null;
    this.latest = { phase: report.phase, epoch: report.epoch, done: report.done, total, imagesPerSecond, etaSeconds };
    const due = this.written === null || this.written.segment !== segment || now - this.written.at >= this.minIntervalMs;
    if (!due) return null;
    this.written = { segment, at: now };
    return this.latest;
  }

  private totalOf(phase: TrainProgress["phase"]): number {
    const { trainCount, validationCount } = this.options;
    return phase === "train" ? trainCount : phase === "validate" ? validationCount : trainCount + validationCount;
  }
}

const PHASE_LABELS: Record<RunProgressInput["phase"], string> = {
  cache: "filling the feature cache",
  train: "training",
  validate: "validating",
};

/** "training 320/1000 images (32%), 12.3 images/s, ETA 0:55", shared by the CLI's lines and `thaw show`. */
export function describeProgress(p: RunProgressInput): string {
  const percent = p.total > 0 ? Math.floor((p.done / p.total) * 100) : 100;
  const rate = p.imagesPerSecond === null ? "" : `, ${p.imagesPerSecond >= 100 ? p.imagesPerSecond.toFixed(0) : p.imagesPerSecond.toFixed(1)} images/s`;
  const eta = p.etaSeconds === null ? "" : `, ETA ${fmtDuration(p.etaSeconds * 1000)}`;
  return `${PHASE_LABELS[p.phase]} ${p.done}/${p.total} images (${percent}%)${rate}${eta}`;
}
