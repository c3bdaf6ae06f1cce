// Router tests run against a real store in a temporary SQLite file, through createCaller.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openStore, type Run, type TrackingStore } from "@thaw/tracking";
import { createCaller } from "../server/api/root.ts";
import type { Context } from "../server/api/trpc.ts";

export interface Harness {
  dir: string;
  store: TrackingStore;
  ctx: Context;
  caller: ReturnType<typeof createCaller>;
  close(): Promise<void>;
}

export async function harness(options: { sweepLimit?: number } = {}): Promise<Harness> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "thaw-dashboard-"));
  const store = await openStore({ path: path.join(dir, "thaw.db") });
  mkdirSync(path.join(dir, "data"));
  mkdirSync(path.join(dir, "home", ".keras", "models"), { recursive: true });
  const ctx: Context = {
    store,
    config: { dataRoots: [path.join(dir, "data")], sweepLimit: options.sweepLimit ?? 100, weightSearch: { env: { NODE_ENV: "test" }, homeDir: path.join(dir, "home") } },
  };
  return {
    dir,
    store,
    ctx,
    caller: createCaller(ctx),
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A class-folder dataset with `perClass` (empty) image files per class; scanning does not decode. */
export function makeDatasetFolder(root: string, name: string, classes: string[], perClass = 3): string {
  const folder = path.join(root, name);
  for (const c of classes) {
    mkdirSync(path.join(folder, c), { recursive: true });
    for (let i = 0; i < perClass; i++) writeFileSync(path.join(folder, c, `${i}.png`), "");
  }
  return folder;
}

export const RUN_DEFAULTS = {
  base: "random",
  optimizer: "sgd",
  momentum: 0.9,
  epochs: 5,
  batchSize: 8,
  patience: 2,
  imageSize: 32,
  augment: false,
  seed: 1,
  widthMultiplier: 0.125,
  validationSplit: 0.25,
  head: "fc2",
  dropout: 0,
} as const;

/** The thaw.json a checkpoint of this run would carry (the planner reads it for a run base). */
function writeFakeCheckpoint(dir: string, run: Run, epoch: number): void {
  const extra = run.params as { head?: string; widthMultiplier?: number };
  mkdirSync(dir, { recursive: true });
  const meta = {
    format: "thaw-checkpoint@1",
    classNames: ["cat", "dog"],
    inputSize: [run.imageSize, run.imageSize],
    preprocessing: "caffe",
    base: run.base,
    baseWeightsHash: "fake",
    frozenLayers: run.frozenLayers,
    head: extra.head ?? "fc2",
    widthMultiplier: extra.widthMultiplier ?? 1,
    datasetFingerprint: "fake",
    epoch,
    metrics: {},
  };
  writeFileSync(path.join(dir, "thaw.json"), JSON.stringify(meta));
}

/** Plays the worker's part: claims the run, logs epochs (val acc as given), checkpoints the best
 *  (a folder with thaw.json under `checkpointRoot`, or a path that does not exist), finishes. */
export async function trainFake(store: TrackingStore, runId: number, valAccuracies: number[], finish = true, checkpointRoot?: string): Promise<Run> {
  const claimed = await store.claimRun(runId, "test-worker");
  let best = -1;
  for (const [epoch, valAccuracy] of valAccuracies.entries()) {
    await store.logEpoch(runId, { epoch, loss: 1 - valAccuracy / 2, accuracy: valAccuracy + 0.05, valLoss: 1 - valAccuracy, valAccuracy, durationMs: 1000 + epoch * 100 });
    if (valAccuracy > best) {
      best = valAccuracy;
      const dir = checkpointRoot ? path.join(checkpointRoot, `run-${runId}`, `epoch-${epoch}`) : `/tmp/ckpt-${runId}-${epoch}`;
      if (checkpointRoot) writeFakeCheckpoint(dir, claimed, epoch);
      await store.addCheckpoint(runId, { epoch, path: dir, metrics: { val_accuracy: valAccuracy, val_loss: 1 - valAccuracy, accuracy: valAccuracy + 0.05, loss: 1 - valAccuracy / 2 }, sizeBytes: 2048, sha256: "0".repeat(64) });
    }
  }
  return finish ? store.finishRun(runId) : store.getRun(runId);
}
