// A run that fails before its first epoch still records the backend it started and the
// engine the selection rule chose, beside its error.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openStore, type TrackingStore } from "@thaw/tracking";
import { executeRun } from "./execute-run.ts";

let store: TrackingStore;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "thaw-execute-"));
  vi.stubEnv("THAW_HOME", path.join(dir, "home"));
  vi.stubEnv("THAW_BACKEND", "cpu");
  vi.stubEnv("THAW_ENGINE", "tfjs");
  store = await openStore({ path: path.join(dir, "thaw.db") });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("executeRun", () => {
  it("records backend and engine of a run that fails before its first epoch", async () => {
    const experiment = await store.ensureExperiment("fails-early");
    // The data folder is gone by the time the worker starts.
    const dataset = await store.registerDataset({ name: "gone", path: path.join(dir, "no-such-folder") });
    const queued = await store.enqueueRun({
      experimentId: experiment.id, datasetId: dataset.id, frozenLayers: 0, learningRate: 0.01, optimizer: "sgd", momentum: 0.9, batchSize: 8,
      epochs: 1, patience: 1, imageSize: 32, base: "random", augment: false, seed: 1, extra: { head: "pooled", widthMultiplier: 0.0625 },
    });
    const run = await store.claimRun(queued.id, "test");
    const outcome = await executeRun(store, run, { workerId: "test", write: () => undefined });
    expect(outcome).toBe("FAILED");
    const stored = await store.getRun(run.id);
    expect(stored.epochsDone).toBe(0);
    expect(stored.error).toMatch(/no-such-folder/);
    expect(stored.backend).toBe("cpu");
    expect(stored.engine).toBe("tfjs chosen for the frozen prefix (THAW_ENGINE=tfjs)");
  });
});
