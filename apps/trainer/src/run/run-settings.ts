// A stored run's settings as the executor needs them: the typed columns plus the JSON extras.
import { runParams, type Run, type RunParams } from "@thaw/tracking";

export interface ExecSettings extends Omit<RunParams, "extra"> {
  runId: number;
  head: "fc2" | "pooled";
  widthMultiplier: number;
  validationSplit: number;
  dropout: number;
  split: "stratified" | "keras";
  kerasCompatible: boolean;
}

export function execSettings(run: Run): ExecSettings {
  const { extra = {}, ...columns } = runParams(run);
  const num = (key: string, fallback: number) => (typeof extra[key] === "number" ? (extra[key] as number) : fallback);
  return {
    ...columns,
    runId: run.id,
    head: extra.head === "pooled" ? "pooled" : "fc2",
    widthMultiplier: num("widthMultiplier", 1),
    validationSplit: num("validationSplit", 0.2),
    dropout: num("dropout", 0),
    kerasCompatible: extra.kerasCompatible === true,
    split: extra.split === "keras" || (extra.split === undefined && extra.kerasCompatible === true) ? "keras" : "stratified",
  };
}
