// A stored run's settings as the executor needs them: the typed columns plus the JSON extras.
import type { Run, RunParams } from "@thaw/tracking";

export interface ExecSettings extends Omit<RunParams, "extra"> {
  runId: number;
  head: "fc2" | "pooled";
  widthMultiplier: number;
  validationSplit: number;
  dropout: number;
}

export function execSettings(run: Run): ExecSettings {
  const extra = (run.params && typeof run.params === "object" && !Array.isArray(run.params) ? run.params : {}) as Record<string, unknown>;
  const num = (key: string, fallback: number) => (typeof extra[key] === "number" ? (extra[key] as number) : fallback);
  return {
    runId: run.id,
    frozenLayers: run.frozenLayers,
    learningRate: run.learningRate,
    optimizer: run.optimizer === "adam" ? "adam" : "sgd",
    momentum: run.momentum,
    batchSize: run.batchSize,
    epochs: run.epochs,
    patience: run.patience,
    imageSize: run.imageSize,
    base: run.base,
    augment: run.augment,
    seed: run.seed,
    head: extra.head === "pooled" ? "pooled" : "fc2",
    widthMultiplier: num("widthMultiplier", 1),
    validationSplit: num("validationSplit", 0.2),
    dropout: num("dropout", 0),
  };
}
