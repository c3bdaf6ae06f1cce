// Parsing of what users type to name runs and checkpoints: `12`, `run-12`, `run:12`,
// `ckpt:7`, or a checkpoint directory on disk.
import { existsSync } from "node:fs";
import path from "node:path";
import { artifactPath, type Checkpoint, type RunDetail, type TrackingStore } from "@thaw/tracking";
import { NotFoundError, UsageError } from "./errors.ts";

export function parseRunId(text: string): number {
  const match = /^(?:run[-:#]?)?(\d+)$/i.exec(text.trim());
  if (!match) throw new UsageError(`"${text}" is not a run id; give a number such as 12 (see \`thaw runs\`).`);
  return Number(match[1]);
}

/** Reads a run, turning the store's not-found error into one sentence with the fix. */
export async function requireRun(store: TrackingStore, runId: number): Promise<RunDetail> {
  try {
    return await store.getRun(runId);
  } catch (error) {
    if (isNotFound(error)) throw new NotFoundError(`Run ${runId} does not exist; list the runs with \`thaw runs\`.`);
    throw error;
  }
}

export function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (error as { code?: unknown }).code === "NOT_FOUND" || error.name === "NotFoundError";
}

export type CheckpointRef = { kind: "run"; runId: number } | { kind: "checkpoint"; checkpointId: number } | { kind: "path"; path: string };

/** `ckpt:7` names a checkpoint, an existing directory a checkpoint on disk, anything else a run. */
export function parseCheckpointRef(text: string): CheckpointRef {
  const ckpt = /^(?:ckpt|checkpoint)[-:#](\d+)$/i.exec(text.trim());
  if (ckpt) return { kind: "checkpoint", checkpointId: Number(ckpt[1]) };
  if (!/^(?:run[-:#]?)?\d+$/i.test(text.trim()) && existsSync(text)) return { kind: "path", path: path.resolve(text) };
  if (/[/\\]/.test(text)) throw new UsageError(`There is no checkpoint at ${text}; give an existing checkpoint directory, a run id or ckpt:<id>.`);
  return { kind: "run", runId: parseRunId(text) };
}

/** The stored checkpoint a reference means: for a run, its best checkpoint. */
export async function resolveCheckpoint(store: TrackingStore, ref: CheckpointRef): Promise<Checkpoint> {
  if (ref.kind === "checkpoint") {
    try {
      return await store.getCheckpoint(ref.checkpointId);
    } catch (error) {
      if (isNotFound(error)) throw new NotFoundError(`Checkpoint ${ref.checkpointId} does not exist; \`thaw show RUN\` lists a run's checkpoints.`);
      throw error;
    }
  }
  if (ref.kind === "run") {
    await requireRun(store, ref.runId);
    const best = await store.bestCheckpoint(ref.runId);
    if (!best) throw new NotFoundError(`Run ${ref.runId} has no checkpoint yet; wait for it to finish an epoch or pick another run.`);
    return best;
  }
  const found = await store.checkpointAtPath(ref.path);
  if (found) return found;
  throw new NotFoundError(`The checkpoint at ${ref.path} is not recorded in this store; promote a checkpoint listed by \`thaw show RUN\`.`);
}

/** A checkpoint folder for commands that only read it: a folder given directly need not be in the store. */
export async function checkpointDirFor(store: TrackingStore, text: string): Promise<string> {
  const ref = parseCheckpointRef(text);
  if (ref.kind === "path") {
    // The one reader of thaw.json says what is wrong with the folder; loaded on demand (TF.js).
    const { readCheckpointMeta } = await import("@thaw/vgg");
    try {
      readCheckpointMeta(ref.path);
    } catch (error) {
      if (error instanceof Error && error.name === "CheckpointError") throw new UsageError(error.message);
      throw error;
    }
    return ref.path;
  }
  return artifactPath((await resolveCheckpoint(store, ref)).path);
}
