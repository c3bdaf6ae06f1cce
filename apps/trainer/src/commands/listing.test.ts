// The listing commands' renderers on a real store in a temporary folder: `thaw show` and
// `thaw compare` read back what a run recorded and mark the parameters that differ.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type TrackingStore } from "@thaw/tracking";
import { renderComparison } from "./compare.ts";
import { renderRunList } from "./runs.ts";
import { renderRun } from "./show.ts";

let store: TrackingStore;
let ids: number[];
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "thaw-listing-"));
  store = await openStore({ path: path.join(dir, "thaw.db") });
  const experiment = await store.ensureExperiment("listing");
  const common = {
    experimentId: experiment.id,
    optimizer: "sgd" as const,
    momentum: 0.9,
    batchSize: 32,
    epochs: 2,
    patience: 40,
    imageSize: 224,
    base: "vgg16-imagenet",
    augment: false,
    seed: 42,
    extra: { head: "fc2", widthMultiplier: 1 },
  };
  const a = await store.enqueueRun({ ...common, frozenLayers: 19, learningRate: 1e-4 });
  const b = await store.enqueueRun({ ...common, frozenLayers: 15, learningRate: 1e-4 });
  ids = [a.id, b.id];
  for (const [i, id] of ids.entries()) {
    await store.claimRun(id, `test:${i}`);
    await store.logEpoch(id, { epoch: 0, loss: 0.7, accuracy: 0.5, valLoss: 0.69, valAccuracy: 0.55 + i * 0.1, durationMs: 1500 });
    await store.logEpoch(id, { epoch: 1, loss: 0.5, accuracy: 0.8, valLoss: 0.6, valAccuracy: 0.6 - i * 0.1, durationMs: 1400 });
    await store.addCheckpoint(id, { epoch: 0, path: `/ckpt/run-${id}/epoch-1`, metrics: { val_accuracy: 0.55 }, sizeBytes: i === 0 ? 5 * 1024 ** 3 : 2048, sha256: "ab".repeat(32) });
    await store.recordRunInfo(id, { evaluation: { classNames: ["cat", "dog"], confusionMatrix: [[3, 1], [0, 4]], perClassAccuracy: [0.75, 1] } });
    await store.finishRun(id);
  }
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("thaw show", () => {
  it("prints parameters, one row per epoch with the best marked, checkpoints and the confusion matrix", async () => {
    const text = renderRun(await store.getRun(ids[0]));
    expect(text).toMatch(new RegExp(`^Run ${ids[0]}  FINISHED  experiment "listing"`));
    expect(text).toMatch(/^frozen\s+19$/m);
    expect(text).toMatch(/^lr\s+1e-4$/m);
    expect(text).toMatch(/^\s+1\s+0\.7000\s+0\.5000\s+0\.6900\s+0\.5500\s+1\.5s$/m);
    // Run 0's best val_accuracy (0.60) is at epoch 2.
    expect(text).toMatch(/^\s+2\s+0\.5000\s+0\.8000\s+0\.6000\s+0\.6000\s+1\.4s\s+\*$/m);
    expect(text).toContain(`/ckpt/run-${ids[0]}/epoch-1`);
    // A checkpoint past 32 bits of bytes (the store keeps sizes as bigints).
    expect(text).toMatch(new RegExp(`^\\s*\\d+\\s+1\\s+5\\.00 GiB\\s+abababababab\\s+/ckpt/run-${ids[0]}/epoch-1$`, "m"));
    expect(renderRunList((await store.listRuns({})).items)).toMatch(new RegExp(`^\\s*${ids[0]}\\s.*\\s5\\.00 GiB\\s+-$`, "m"));
    expect(text).toMatch(/^cat\s+3\s+1\s+0\.7500$/m);
    expect(text).toMatch(/^dog\s+0\s+4\s+1\.0000$/m);
  });
});

describe("thaw show of a running run", () => {
  it("prints the progress inside the epoch with a bar, and nothing of it once the run has ended", async () => {
    const experiment = await store.ensureExperiment("listing");
    const run = await store.enqueueRun({
      experimentId: experiment.id, frozenLayers: 15, learningRate: 1e-3, optimizer: "adam", momentum: 0, batchSize: 16,
      epochs: 3, patience: 2, imageSize: 224, base: "random", augment: false, seed: 1,
    });
    await store.claimRun(run.id, "test:progress");
    await store.recordProgress(run.id, { phase: "cache", epoch: 0, done: 250, total: 1000, imagesPerSecond: 8.04, etaSeconds: 93.3 });
    const listed = renderRunList((await store.listRuns({ experimentId: experiment.id })).items).split("\n");
    expect(listed[0]).toMatch(/\s+progress$/);
    expect(listed.find((line) => line.trimStart().startsWith(`${run.id} `))).toMatch(/\s+RUNNING\s+.*\s+cache 25% ETA 1:33$/);
    expect(listed.find((line) => line.trimStart().startsWith(`${ids[0]} `))).toMatch(/\s+-$/);
    const text = renderRun(await store.getRun(run.id));
    expect(text.split("\n")[1]).toMatch(
      new RegExp(`^epoch 1/3 \\[={7}>\\.{22}\\] filling the feature cache 250/1000 images \\(25%\\), 8\\.0 images/s, ETA 1:33 \\(\\d+ s ago\\)$`),
    );
    await store.stopRun(run.id);
    expect(renderRun(await store.getRun(run.id))).not.toMatch(/images\/s|feature cache/);
  });
});

describe("thaw show, lineage", () => {
  it("shows the checkpoint a derived run was pinned to, and the derived runs on the base run", async () => {
    const base = await store.getRun(ids[0]);
    const checkpoint = base.checkpoints[0];
    const derived = await store.enqueueRun({
      experimentId: base.experimentId, optimizer: "sgd", momentum: 0.9, batchSize: 8, epochs: 1, patience: 1, imageSize: 224, augment: false, seed: 1,
      base: `run:${base.id}`, baseRunId: base.id, baseCheckpointId: checkpoint.id, baseCheckpointSha256: checkpoint.sha256, frozenLayers: 19, learningRate: 1e-3, name: "derived",
    });
    const child = renderRun(await store.getRun(derived.id));
    expect(child).toMatch(new RegExp(`^base checkpoint\\s+ckpt ${checkpoint.id} \\(sha256 abababababab\\), pinned when queued$`, "m"));
    const parent = renderRun(await store.getRun(base.id));
    expect(parent).toContain("runs started from this run's checkpoints:");
    expect(parent).toMatch(new RegExp(`^\\s*${derived.id}\\s+derived\\s+QUEUED\\s+ckpt ${checkpoint.id}$`, "m"));
  });
});

describe("thaw compare", () => {
  it("marks exactly the parameters that differ and shows best and last metrics side by side", async () => {
    const text = renderComparison(await store.compareRuns(ids));
    const marked = text.split("\n").filter((l) => l.startsWith("* ")).map((l) => l.slice(2).split(/\s{2,}/)[0]);
    expect(marked).toEqual(["frozen"]);
    expect(text).toMatch(/^\* frozen\s+19\s+15$/m);
    expect(text).toMatch(/^best val_accuracy\s+0\.6000\s+0\.6500$/m);
    expect(text).toMatch(/^best epoch\s+2\s+1$/m);
    expect(text).toMatch(/^last val_accuracy\s+0\.6000\s+0\.5000$/m);
  });
});
