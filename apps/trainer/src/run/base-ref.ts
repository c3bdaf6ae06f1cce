// What `--base` names: ImageNet weights, random weights, a previous run (its best checkpoint)
// or a checkpoint directory; and the checkpoint metadata a base carries.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { artifactPath, type TrackingStore } from "@thaw/tracking";
import { NotFoundError, UsageError } from "../errors.ts";
import { isNotFound, parseRunId, requireRun } from "../refs.ts";

export type BaseRef =
  | { kind: "imagenet" }
  | { kind: "random" }
  | { kind: "checkpoint"; path: string; runId: number | null };

/** The fields of a checkpoint's thaw.json that decide what a new run may do with it. */
export interface CheckpointMeta {
  classNames: string[];
  inputSize: [number, number];
  head: "fc2" | "pooled";
  widthMultiplier: number;
}

export function readCheckpointMeta(dir: string): CheckpointMeta {
  const file = path.join(dir, "thaw.json");
  if (!existsSync(file)) throw new UsageError(`${dir} is not a Thaw checkpoint (no thaw.json); give a directory written by a Thaw run, a run id, vgg16-imagenet or random.`);
  const meta = JSON.parse(readFileSync(file, "utf8")) as Partial<CheckpointMeta>;
  return {
    classNames: meta.classNames ?? [],
    inputSize: meta.inputSize ?? [224, 224],
    head: meta.head === "pooled" ? "pooled" : "fc2",
    widthMultiplier: meta.widthMultiplier ?? 1,
  };
}

/** The value stored in Run.base for a reference. */
export function baseString(ref: BaseRef): string {
  if (ref.kind === "imagenet") return "vgg16-imagenet";
  if (ref.kind === "random") return "random";
  return ref.runId !== null ? `run:${ref.runId}` : ref.path;
}

/** Resolves `--base` (or a stored Run.base) against the store and the disk. */
export async function resolveBaseRef(store: TrackingStore, text: string): Promise<BaseRef> {
  if (text === "vgg16-imagenet" || text === "imagenet") return { kind: "imagenet" };
  if (text === "random" || text === "scratch") return { kind: "random" };
  if (/^(?:run[-:#]?)?\d+$/i.test(text)) {
    const runId = parseRunId(text);
    await requireRun(store, runId);
    const best = await store.bestCheckpoint(runId);
    if (!best) throw new NotFoundError(`Run ${runId} has no checkpoint to start from; wait until it has finished an epoch, or pick another --base.`);
    return { kind: "checkpoint", path: artifactPath(best.path), runId };
  }
  if (existsSync(text)) {
    const dir = path.resolve(text);
    readCheckpointMeta(dir);
    return { kind: "checkpoint", path: dir, runId: await owningRun(store, dir) };
  }
  throw new UsageError(`--base "${text}" is neither vgg16-imagenet, random, a run id nor an existing checkpoint directory; pick one of those.`);
}

/** The run of this store that wrote a checkpoint directory, for lineage; null when none did. */
async function owningRun(store: TrackingStore, dir: string): Promise<number | null> {
  const match = /run-(\d+)[\\/]epoch-\d+$/.exec(dir);
  if (!match) return null;
  try {
    const run = await store.getRun(Number(match[1]));
    return run.checkpoints.some((c) => path.resolve(c.path) === dir) ? run.id : null;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}
