// Which parameter mattered: for each varied parameter, the share of the variance of the best
// validation accuracy explained by it (epsilon squared of a one-way ANOVA, eta squared less
// its small-sample bias, clamped to [0, 1]), with a bootstrap interval over runs that widens
// when there are few runs. Continuous parameters (learning rates from a range) are cut into
// up to four quantile bins on their own scale, so that every group holds several runs.
import { seededRng } from "./rng.ts";

export interface ImportanceRun {
  /** Parameter name -> value (numbers, strings or booleans). */
  params: Record<string, number | string | boolean>;
  value: number;
}

export interface ParamImportance {
  param: string;
  /** Share of variance explained, on all runs. */
  importance: number;
  /** Bootstrap percentile interval (default 90%). */
  low: number;
  high: number;
  /** Distinct groups the runs fall into. */
  groups: number;
}

export interface ImportanceOptions {
  resamples?: number;
  /** Interval coverage, default 0.9. */
  level?: number;
  seed?: number;
}

const MAX_BINS = 4;

/** Maps each run's value of `param` to a group label: itself, or its quantile bin. */
function grouper(runs: ImportanceRun[], param: string): ((run: ImportanceRun) => string) | null {
  const values = runs.map((run) => run.params[param]);
  const distinct = [...new Set(values.map(String))];
  if (distinct.length < 2) return null;
  if (distinct.length <= 6 || !values.every((v) => typeof v === "number")) return (run) => String(run.params[param]);
  const nums = values as number[];
  const log = nums.every((v) => v > 0) && Math.max(...nums) / Math.min(...nums) > 20;
  const scale = (v: number) => (log ? Math.log(v) : v);
  const sorted = nums.map(scale).sort((a, b) => a - b);
  const edges = Array.from({ length: MAX_BINS - 1 }, (_, i) => sorted[Math.floor(((i + 1) * sorted.length) / MAX_BINS)]);
  return (run) => String(edges.filter((edge) => scale(run.params[param] as number) >= edge).length);
}

export function epsilonSquared(groups: string[], values: number[]): number {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const byGroup = new Map<string, number[]>();
  groups.forEach((g, i) => byGroup.set(g, [...(byGroup.get(g) ?? []), values[i]]));
  const k = byGroup.size;
  let between = 0;
  let within = 0;
  for (const members of byGroup.values()) {
    const m = members.reduce((a, b) => a + b, 0) / members.length;
    between += members.length * (m - mean) ** 2;
    within += members.reduce((acc, v) => acc + (v - m) ** 2, 0);
  }
  const total = between + within;
  if (total <= 1e-15 || k < 2) return 0;
  const msWithin = n > k ? within / (n - k) : 0;
  return Math.min(1, Math.max(0, (between - (k - 1) * msWithin) / total));
}

export function parameterImportance(runs: ImportanceRun[], options: ImportanceOptions = {}): ParamImportance[] {
  if (runs.length < 3) return [];
  const params = [...new Set(runs.flatMap((run) => Object.keys(run.params)))];
  const rng = seededRng(options.seed ?? 0);
  const resamples = options.resamples ?? 500;
  const tail = (1 - (options.level ?? 0.9)) / 2;
  const samples = Array.from({ length: resamples }, () => runs.map(() => rng.index(runs.length)));
  const result: ParamImportance[] = [];
  for (const param of params) {
    const group = grouper(runs, param);
    if (!group) continue;
    const labels = runs.map(group);
    const values = runs.map((run) => run.value);
    const boot = samples
      .map((idx) => epsilonSquared(idx.map((i) => labels[i]), idx.map((i) => values[i])))
      .sort((a, b) => a - b);
    result.push({
      param,
      importance: epsilonSquared(labels, values),
      low: boot[Math.floor(tail * (resamples - 1))],
      high: boot[Math.ceil((1 - tail) * (resamples - 1))],
      groups: new Set(labels).size,
    });
  }
  return result.sort((a, b) => b.importance - a.importance);
}
