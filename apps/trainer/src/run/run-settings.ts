// A stored run's settings as the executor needs them: the typed columns plus the JSON extras.
import { DEFAULT_KEEP_CHECKPOINTS, runParams, type Run, type RunParams } from "@thaw/tracking";

export interface ExecSettings extends Omit<RunParams, "extra"> {
  runId: number;
  head: "fc2" | "pooled";
  widthMultiplier: number;
  validationSplit: number;
  dropout: number;
  /** Checkpoints retention keeps: the newest N (the best among them); promoted and pinned ones too. */
  keepCheckpoints: number;
  /** The checkpoint pinned as the base when the run was queued, and its sha256 (lineage). */
  baseCheckpointId: number | null;
  baseCheckpointSha256: string | null;
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
    keepCheckpoints: num("keepCheckpoints", DEFAULT_KEEP_CHECKPOINTS),
    baseCheckpointId: run.baseCheckpointId,
    baseCheckpointSha256: run.baseCheckpointSha256,
    kerasCompatible: extra.kerasCompatible === true,
    split: extra.split === "keras" || (extra.split === undefined && extra.kerasCompatible === true) ? "keras" : "stratified",
  };
}
