// A stored run's hyperparameters as one object: the typed columns plus the JSON extras, so
// that every reader (executor, comparison) takes them from the same place.
import type { Run, RunParams } from "./tracking-store.ts";

export function runParams(run: Run): RunParams {
  const params = run.params;
  const extra = params && typeof params === "object" && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
  return {
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
    extra,
  };
}
