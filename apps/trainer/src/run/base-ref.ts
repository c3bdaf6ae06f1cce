// The weights a queued run starts from, as the worker loads them: ImageNet, random, or the
// checkpoint pinned when the run was queued. A pinned checkpoint whose files changed since is
// refused rather than trained from silently.
import path from "node:path";
import { artifactPath, type TrackingStore } from "@thaw/tracking";
import { NotFoundError } from "../errors.ts";
import type { ExecSettings } from "./run-settings.ts";

export interface BaseToLoad {
  /** What loadBase takes: "vgg16-imagenet", "random" or a checkpoint folder. */
  spec: string;
  /** The sha256 the checkpoint must still have, when one was pinned. */
  sha256: string | null;
}

export async function baseToLoad(store: TrackingStore, settings: Pick<ExecSettings, "base" | "baseCheckpointId" | "baseCheckpointSha256">): Promise<BaseToLoad> {
  if (settings.base === "vgg16-imagenet" || settings.base === "random") return { spec: settings.base, sha256: null };
  if (settings.baseCheckpointId !== null) {
    const pinned = await store.getCheckpoint(settings.baseCheckpointId);
    return { spec: artifactPath(pinned.path), sha256: settings.baseCheckpointSha256 ?? pinned.sha256 };
  }
  // Runs queued before lineage was pinned: "run:<id>" still means that run's best checkpoint.
  const run = /^run:(\d+)$/.exec(settings.base);
  if (run) {
    const best = await store.bestCheckpoint(Number(run[1]));
    if (!best) throw new NotFoundError(`Run ${run[1]} has no checkpoint to start from; queue this run again with another base.`);
    return { spec: artifactPath(best.path), sha256: null };
  }
  return { spec: path.resolve(settings.base), sha256: null };
}
