// The CLI's door to the planner: `thaw train`, `thaw sweep` and the demo ask @thaw/planner,
// as the dashboard does, whether their runs can run. Only the CLI may download Keras' file.
import { planRun, type RunPlan } from "@thaw/planner";
import type { TrackingStore } from "@thaw/tracking";

export interface PlanOptions {
  data: string;
  base: string;
  head?: "fc2" | "pooled";
  width?: number;
  imageSize: number;
  dropout: number;
  batch?: number;
  kerasCompatible?: boolean;
  testSplit?: number;
}

export function planFromOptions(store: TrackingStore, opts: PlanOptions, frozen: number[], lrs: number[]): Promise<RunPlan> {
  return planRun(store, {
    data: opts.data,
    base: opts.base,
    head: opts.head,
    widthMultiplier: opts.width,
    imageSize: opts.imageSize,
    dropout: opts.dropout,
    batchSize: opts.batch,
    kerasCompatible: opts.kerasCompatible,
    testSplit: opts.testSplit,
    frozenLayers: frozen,
    learningRates: lrs,
    weights: { download: true },
  });
}
