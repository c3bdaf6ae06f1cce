// The worker loads the checkpoint a run was pinned to when queued, not its base run's best
// at the time it starts; runs queued before pinning still mean "the best at start".
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type TrackingStore } from "@thaw/tracking";
import { baseToLoad } from "./base-ref.ts";

let store: TrackingStore;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "thaw-base-ref-"));
  store = await openStore({ path: path.join(dir, "thaw.db") });
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("baseToLoad", () => {
  it("keeps a derived run on its pinned checkpoint after the base run gains a better one", async () => {
    const experiment = await store.ensureExperiment("lineage");
    const params = { experimentId: experiment.id, optimizer: "sgd" as const, momentum: 0.9, batchSize: 8, epochs: 3, patience: 3, imageSize: 32, augment: false, seed: 1, frozenLayers: 0, learningRate: 0.01 };
    const base = await store.enqueueRun({ ...params, base: "random" });
    await store.claimRun(base.id, "test");
    await store.logEpoch(base.id, { epoch: 0, loss: 1, accuracy: 0.5, valLoss: 1, valAccuracy: 0.5, durationMs: 1 });
    const first = await store.addCheckpoint(base.id, { epoch: 0, path: path.join(dir, "epoch-1"), metrics: { val_accuracy: 0.5 }, sizeBytes: 1, sha256: "a".repeat(64) });
    const pinned = { base: `run:${base.id}`, baseCheckpointId: first.id, baseCheckpointSha256: first.sha256 };
    const legacy = { base: `run:${base.id}`, baseCheckpointId: null, baseCheckpointSha256: null };

    await store.logEpoch(base.id, { epoch: 1, loss: 0.5, accuracy: 0.9, valLoss: 0.5, valAccuracy: 0.9, durationMs: 1 });
    const better = await store.addCheckpoint(base.id, { epoch: 1, path: path.join(dir, "epoch-2"), metrics: { val_accuracy: 0.9 }, sizeBytes: 1, sha256: "b".repeat(64) });

    expect(await baseToLoad(store, pinned)).toEqual({ spec: first.path, sha256: "a".repeat(64) });
    expect(await baseToLoad(store, legacy)).toEqual({ spec: better.path, sha256: null });
    expect(await baseToLoad(store, { base: "random", baseCheckpointId: null, baseCheckpointSha256: null })).toEqual({ spec: "random", sha256: null });
  });
});
