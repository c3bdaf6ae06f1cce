// What a base names, resolved against the store and the disk: ImageNet weights, random
// weights, or a checkpoint. A run's base is pinned here, at queue time, to one checkpoint
// (id and sha256), so a base run that later saves a better checkpoint does not move it.
import { existsSync } from "node:fs";
import path from "node:path";
import { artifactPath, type TrackingStore } from "@thaw/tracking";
import type { CheckpointMeta } from "@thaw/vgg";
import { PlanRefusal } from "./errors.ts";

export type PlannedBase =
  | { kind: "imagenet" }
  | { kind: "random" }
  | {
      kind: "checkpoint";
      /** Absolute folder of the checkpoint. */
      path: string;
      /** The run that wrote it, and its row, when this store recorded it. */
      runId: number | null;
      checkpointId: number | null;
      sha256: string | null;
      meta: CheckpointMeta;
    };

const RUN_REF = /^(?:run[-:#]?)?(\d+)$/i;

/** The value stored in Run.base for a resolved base. */
export function baseString(base: PlannedBase): string {
  if (base.kind === "imagenet") return "vgg16-imagenet";
  if (base.kind === "random") return "random";
  return base.runId !== null ? `run:${base.runId}` : base.path;
}

async function readMeta(dir: string): Promise<CheckpointMeta> {
  // Loaded on demand: @thaw/vgg brings TF.js, which only a checkpoint base needs here.
  const { readCheckpointMeta } = await import("@thaw/vgg");
  try {
    return readCheckpointMeta(dir);
  } catch (error) {
    if (error instanceof Error && error.name === "CheckpointError") throw new PlanRefusal("base", error.message);
    throw error;
  }
}

async function runBase(store: TrackingStore, runId: number): Promise<PlannedBase> {
  const exists = await store.getRun(runId).then(
    () => true,
    (error: unknown) => {
      if ((error as { code?: unknown }).code === "NOT_FOUND") return false;
      throw error;
    },
  );
  if (!exists) throw new PlanRefusal("base", `Run ${runId} does not exist; pick an earlier run that does (\`thaw runs\` lists them).`);
  const best = await store.bestCheckpoint(runId);
  if (!best) throw new PlanRefusal("base", `Run ${runId} has no checkpoint to start from; wait until it has finished an epoch, or pick another base.`);
  const dir = artifactPath(best.path);
  return { kind: "checkpoint", path: dir, runId, checkpointId: best.id, sha256: best.sha256, meta: await readMeta(dir) };
}

/** Resolves a base as typed (`vgg16-imagenet`, `random`, `run:12`, `12`, a checkpoint folder). */
export async function resolveBase(store: TrackingStore, text: string): Promise<PlannedBase> {
  const value = text.trim();
  if (value === "vgg16-imagenet" || value === "imagenet") return { kind: "imagenet" };
  if (value === "random" || value === "scratch") return { kind: "random" };
  const run = RUN_REF.exec(value);
  if (run) return runBase(store, Number(run[1]));
  if (existsSync(value)) {
    const dir = path.resolve(value);
    const meta = await readMeta(dir);
    const row = await store.checkpointAtPath(dir);
    return { kind: "checkpoint", path: dir, runId: row?.runId ?? null, checkpointId: row?.id ?? null, sha256: row?.sha256 ?? null, meta };
  }
  throw new PlanRefusal("base", `The base "${text}" is neither vgg16-imagenet, random, a run id nor an existing checkpoint folder; pick one of those.`);
}
