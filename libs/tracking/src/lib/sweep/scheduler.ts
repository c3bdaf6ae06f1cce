// Early stopping of losing runs, decided from the curves in the store after each epoch, so
// that any number of workers on any database reach the same kind of decision.
//
// ASHA (Li et al. 2020, "A System for Massively Parallel Hyperparameter Tuning"; Ray Tune's
// ASHAScheduler): rungs at minEpochs * eta^k epochs. A run reaching a rung is compared with
// the runs of its sweep that reached that rung before it; it continues when it is in their top
// 1/eta (at or above the (1 - 1/eta) quantile), else it is pruned. The first run at a rung
// always continues, so no run waits for another: the asynchronous part.
//
// Median rule (Google Vizier; Optuna's MedianPruner): from minEpochs on, a run whose best so
// far is below the median of the other runs' best at the same epoch is pruned, once at least
// minRuns other runs have reached that epoch.
//
// A run's value at an epoch is its best validation accuracy up to that epoch: one noisy epoch
// of a small validation set should not prune a run that was ahead the epoch before.
import { z } from "zod";

export const schedulerSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("none") }),
  z.object({
    kind: z.literal("asha"),
    minEpochs: z.number().int().min(1, { message: "minEpochs must be at least 1" }),
    reductionFactor: z.number().int().min(2, { message: "the reduction factor must be a whole number of at least 2, e.g. 3" }),
  }),
  z.object({
    kind: z.literal("median"),
    minEpochs: z.number().int().min(1, { message: "minEpochs must be at least 1" }),
    minRuns: z.number().int().min(1, { message: "minRuns must be at least 1, e.g. 3" }),
  }),
]);
export type SchedulerConfig = z.output<typeof schedulerSchema>;
export const SCHEDULERS = ["none", "asha", "median"] as const;

export type Decision = { prune: false; reason?: undefined } | { prune: true; reason: string };

/** ASHA's rungs as numbers of epochs done, below the run's full length. */
export function ashaRungs(minEpochs: number, reductionFactor: number, maxEpochs: number): number[] {
  const rungs: number[] = [];
  for (let rung = minEpochs; rung < maxEpochs; rung *= reductionFactor) rungs.push(rung);
  return rungs;
}

/** Quantile with linear interpolation between order statistics (numpy's default). */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/** Best of a curve up to and including `epoch` (0-based); null when it has no value there. */
export function bestUpTo(curve: readonly (number | null | undefined)[], epoch: number): number | null {
  if (curve.length <= epoch) return null;
  let best: number | null = null;
  for (let i = 0; i <= epoch; i++) {
    const v = curve[i];
    if (typeof v === "number" && (best === null || v > best)) best = v;
  }
  return best;
}

export interface DecideInput {
  scheduler: SchedulerConfig;
  /** 0-based epoch the run has just finished. */
  epoch: number;
  /** The run's full number of epochs. */
  maxEpochs: number;
  /** The run's validation accuracy per epoch so far. */
  curve: readonly (number | null | undefined)[];
  /** The other runs of the sweep that have reached `epoch` (their curves as recorded now). */
  others: readonly (readonly (number | null | undefined)[])[];
}

const fmt = (v: number) => v.toFixed(2);
/** Accuracies arrive as float32 from one engine and float64 from another: 4/6 is not always
 *  4/6. Differences below this are ties, and ties continue. */
const TIE = 1e-6;

export function decide(input: DecideInput): Decision {
  const { scheduler, epoch } = input;
  const done = epoch + 1;
  if (scheduler.kind === "none" || done >= input.maxEpochs) return { prune: false };
  const value = bestUpTo(input.curve, epoch);
  if (value === null) return { prune: false };
  const others = input.others.map((curve) => bestUpTo(curve, epoch)).filter((v): v is number => v !== null);
  if (scheduler.kind === "asha") {
    if (!ashaRungs(scheduler.minEpochs, scheduler.reductionFactor, input.maxEpochs).includes(done) || others.length === 0) return { prune: false };
    const cutoff = quantile(others, 1 - 1 / scheduler.reductionFactor);
    if (value >= cutoff - TIE) return { prune: false };
    const label = scheduler.reductionFactor === 2 ? "rung median" : `rung cutoff`;
    return {
      prune: true,
      reason: `pruned at epoch ${done}: ${fmt(value)} < ${label} ${fmt(cutoff)} (top 1/${scheduler.reductionFactor} of ${others.length} run(s) at epoch ${done})`,
    };
  }
  if (done < scheduler.minEpochs || others.length < scheduler.minRuns) return { prune: false };
  const median = quantile(others, 0.5);
  if (value >= median - TIE) return { prune: false };
  return { prune: true, reason: `pruned at epoch ${done}: ${fmt(value)} < median ${fmt(median)} of ${others.length} run(s) at epoch ${done}` };
}

