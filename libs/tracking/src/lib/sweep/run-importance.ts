// Parameter importance of stored runs: the hyperparameters users vary, read from the run's
// columns (dropout from its JSON), against its best validation accuracy. Runs without one
// (queued, failed before an epoch) say nothing and are left out.
import type { Run } from "../../generated/prisma/client.ts";
import { parameterImportance, type ImportanceOptions, type ParamImportance } from "./importance.ts";

type ImportanceColumns = Pick<Run, "frozenLayers" | "learningRate" | "optimizer" | "batchSize" | "augment" | "momentum" | "params" | "bestValAccuracy">;

export function runImportance(runs: ImportanceColumns[], options?: ImportanceOptions): ParamImportance[] {
  const rows = runs
    .filter((run) => run.bestValAccuracy !== null)
    .map((run) => {
      const dropout = (run.params as Record<string, unknown> | null)?.dropout;
      return {
        params: {
          frozenLayers: run.frozenLayers,
          learningRate: run.learningRate,
          optimizer: run.optimizer,
          batchSize: run.batchSize,
          momentum: run.momentum,
          augment: run.augment,
          ...(typeof dropout === "number" && { dropout }),
        },
        value: run.bestValAccuracy as number,
      };
    });
  return parameterImportance(rows, options);
}
