// The hyperparameters of a stored run as name/value pairs, in the order users read them.
import type { Run } from "@thaw/tracking";
import { fmtLr } from "./format.ts";

export function runParamPairs(run: Run): Array<[string, string]> {
  const pairs: Array<[string, string]> = [
    ["base", run.base],
    ["frozen", String(run.frozenLayers)],
    ["lr", fmtLr(run.learningRate)],
    ["optimizer", run.optimizer],
    ["momentum", String(run.momentum)],
    ["epochs", String(run.epochs)],
    ["batch", String(run.batchSize)],
    ["patience", String(run.patience)],
    ["image size", String(run.imageSize)],
    ["augment", String(run.augment)],
    ["seed", String(run.seed)],
  ];
  const extra = run.params;
  if (extra && typeof extra === "object" && !Array.isArray(extra)) {
    for (const [key, value] of Object.entries(extra).sort(([a], [b]) => a.localeCompare(b))) {
      pairs.push([key, typeof value === "string" ? value : JSON.stringify(value)]);
    }
  }
  return pairs;
}
