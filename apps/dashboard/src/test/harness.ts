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

/** Plays the worker's part: claims the run, logs epochs (val acc as given), checkpoints the best, finishes. */
export async function trainFake(store: TrackingStore, runId: number, valAccuracies: number[], finish = true): Promise<Run> {
  await store.claimRun(runId, "test-worker");
  let best = -1;
  for (const [epoch, valAccuracy] of valAccuracies.entries()) {
    await store.logEpoch(runId, { epoch, loss: 1 - valAccuracy / 2, accuracy: valAccuracy + 0.05, valLoss: 1 - valAccuracy, valAccuracy, durationMs: 1000 + epoch * 100 });
    if (valAccuracy > best) {
      best = valAccuracy;
      await store.addCheckpoint(runId, { epoch, path: `/tmp/ckpt-${runId}-${epoch}`, metrics: { val_accuracy: valAccuracy, val_loss: 1 - valAccuracy, accuracy: valAccuracy + 0.05, loss: 1 - valAccuracy / 2 }, sizeBytes: 2048, sha256: "0".repeat(64) });
    }
  }
  return finish ? store.finishRun(runId) : store.getRun(runId);
}
