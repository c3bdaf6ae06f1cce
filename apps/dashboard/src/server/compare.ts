// Shapes stored runs for the compare page: compact per-metric series, summary statistics
// and the frozen-layers x learning-rate grid. Pure functions over RunDetail, no queries.
import { runParams, type RunDetail } from "@thaw/tracking";

export const METRICS = ["loss", "accuracy", "valLoss", "valAccuracy"] as const;
export type MetricKey = (typeof METRICS)[number];

/** For each metric, whether a higher value is better. */
export const HIGHER_IS_BETTER: Record<MetricKey, boolean> = { loss: false, accuracy: true, valLoss: false, valAccuracy: true };

export interface MetricStats {
  best: number | null;
  last: number | null;
  min: number | null;
  max: number | null;
}

export interface CompareRun {
  id: number;
  name: string | null;
  status: RunDetail["status"];
  experimentName: string;
  datasetName: string | null;
  params: Record<string, string | number | boolean | null>;
  epochsDone: number;
  bestValAccuracy: number | null;
  sweepId: string | null;
  /** 0-based epoch after which the sweep's scheduler stopped the run, and why; null otherwise. */
  prunedAtEpoch: number | null;
  pruneReason: string | null;
  /** The best checkpoint on the dataset's held-out test images; null without a test set. */
  testAccuracy: number | null;
  /** epoch -> value per metric; null where the epoch logged no value. */
  series: Record<MetricKey, (number | null)[]>;
  stats: Record<MetricKey, MetricStats>;
}

export interface GridCell {
  frozenLayers: number;
  learningRate: number;
  /** The best validation accuracy over the selected runs with these two values. */
  bestValAccuracy: number | null;
  runIds: number[];
}

export function statsOf(values: (number | null)[], higherIsBetter: boolean): MetricStats {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) return { best: null, last: null, min: null, max: null };
  const min = Math.min(...present);
  const max = Math.max(...present);
  return { best: higherIsBetter ? max : min, last: present[present.length - 1], min, max };
}

function paramsOf(run: RunDetail): CompareRun["params"] {
  const { extra = {}, ...columns } = runParams(run);
  const flat: CompareRun["params"] = { ...columns, dataset: run.dataset?.name ?? null };
  for (const [key, value] of Object.entries(extra)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") flat[key] = value;
  }
  return flat;
}

export function compareRun(run: RunDetail): CompareRun {
  const length = run.metrics.reduce((n, m) => Math.max(n, m.epoch + 1), 0);
  const series = Object.fromEntries(METRICS.map((k) => [k, new Array<number | null>(length).fill(null)])) as CompareRun["series"];
  for (const m of run.metrics) {
    for (const key of METRICS) series[key][m.epoch] = m[key] ?? null;
  }
  const stats = Object.fromEntries(METRICS.map((k) => [k, statsOf(series[k], HIGHER_IS_BETTER[k])])) as CompareRun["stats"];
  return {
    id: run.id,
    name: run.name,
    status: run.status,
    experimentName: run.experiment.name,
    datasetName: run.dataset?.name ?? null,
    params: paramsOf(run),
    epochsDone: run.epochsDone,
    bestValAccuracy: run.bestValAccuracy,
    sweepId: run.sweepId,
    prunedAtEpoch: run.prunedAtEpoch,
    pruneReason: run.pruneReason,
    testAccuracy: run.testAccuracy,
    series,
    stats,
  };
}

export function gridOf(runs: Pick<CompareRun, "id" | "params" | "bestValAccuracy">[]): GridCell[] {
  const cells = new Map<string, GridCell>();
  for (const run of runs) {
    const frozenLayers = Number(run.params.frozenLayers);
    const learningRate = Number(run.params.learningRate);
    const key = `${frozenLayers}|${learningRate}`;
    const cell = cells.get(key) ?? { frozenLayers, learningRate, bestValAccuracy: null, runIds: [] };
    cell.runIds.push(run.id);
    if (run.bestValAccuracy !== null && (cell.bestValAccuracy === null || run.bestValAccuracy > cell.bestValAccuracy)) {
      cell.bestValAccuracy = run.bestValAccuracy;
    }
    cells.set(key, cell);
  }
  return [...cells.values()].sort((a, b) => a.frozenLayers - b.frozenLayers || a.learningRate - b.learningRate);
}

/** The run with the highest best validation accuracy, or null when none has one. */
export function bestRunId(runs: Pick<CompareRun, "id" | "bestValAccuracy">[]): number | null {
  let best: { id: number; value: number } | null = null;
  for (const run of runs) {
    if (run.bestValAccuracy !== null && (best === null || run.bestValAccuracy > best.value)) best = { id: run.id, value: run.bestValAccuracy };
  }
  return best?.id ?? null;
}
