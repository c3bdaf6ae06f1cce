import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidStateError } from "../errors.ts";
import { PARAMS, tempStore } from "../testing/temp-store.ts";
import type { Checkpoint, TrackingStore } from "../tracking-store.ts";

let store: TrackingStore;
let dispose: () => Promise<void>;

beforeEach(async () => {
  ({ store, dispose } = await tempStore());
});
afterEach(() => dispose());

/** A running run with `epochs` improving epochs, one checkpoint each (best-only saving). */
async function improvingRun(epochs: number): Promise<{ runId: number; experimentId: number; checkpoints: Checkpoint[] }> {
  const experiment = await store.ensureExperiment("retention");
  const run = await store.enqueueRun({ experimentId: experiment.id, ...PARAMS, epochs });
  await store.claimRun(run.id, "w");
  const checkpoints: Checkpoint[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const valAccuracy = 0.5 + epoch / 100;
    await store.logEpoch(run.id, { epoch, loss: 1, accuracy: valAccuracy, valAccuracy, durationMs: 1 });
    checkpoints.push(await store.addCheckpoint(run.id, { epoch, path: `/ckpt/run-${run.id}/epoch-${epoch + 1}`, metrics: { val_accuracy: valAccuracy }, sizeBytes: 10, sha256: "0".repeat(64) }));
  }
  return { runId: run.id, experimentId: experiment.id, checkpoints };
}

const ids = (rows: Checkpoint[]) => rows.map((c) => c.id);

describe("pruneCheckpoints", () => {
  it("keeps the newest two of ten improving checkpoints and marks the rest", async () => {
    const { runId, checkpoints } = await improvingRun(10);
    const marked = await store.pruneCheckpoints(runId, 2);
    expect(ids(marked)).toEqual(ids(checkpoints.slice(0, 8)).reverse());
    expect(marked.every((c) => c.deletedAt instanceof Date)).toBe(true);
    expect(ids(await store.listCheckpoints({ deleted: false }))).toEqual(ids(checkpoints.slice(8)));
    expect((await store.bestCheckpoint(runId))!.id).toBe(checkpoints[9].id);
    // Disk use counts what is left: two checkpoints of 10 bytes.
    expect((await store.listRuns({})).items.map((r) => r.diskBytes)).toEqual([20n]);
    expect((await store.listExperiments()).map((e) => e.diskBytes)).toEqual([20n]);
    // Pruning again finds nothing more to delete.
    expect(await store.pruneCheckpoints(runId, 2)).toEqual([]);
  });

  it("never marks a promoted checkpoint or one another run was queued from", async () => {
    const { runId, experimentId, checkpoints } = await improvingRun(6);
    await store.promote({ checkpointId: checkpoints[1].id });
    const derived = await store.enqueueRun({ experimentId, ...PARAMS, base: `run:${runId}`, baseRunId: runId, baseCheckpointId: checkpoints[2].id, baseCheckpointSha256: checkpoints[2].sha256 });
    expect(derived.baseCheckpointId).toBe(checkpoints[2].id);
    const marked = await store.pruneCheckpoints(runId, 1);
    expect(ids(marked).sort((a, b) => a - b)).toEqual([checkpoints[0].id, checkpoints[3].id, checkpoints[4].id]);
    expect(ids(await store.listCheckpoints({ deleted: false }))).toEqual([checkpoints[1].id, checkpoints[2].id, checkpoints[5].id]);
  });

  it("refuses to promote a deleted checkpoint, and to keep fewer than one", async () => {
    const { runId, checkpoints } = await improvingRun(3);
    await store.pruneCheckpoints(runId, 1);
    await expect(store.promote({ checkpointId: checkpoints[0].id })).rejects.toThrow(InvalidStateError);
    await expect(store.promote({ checkpointId: checkpoints[0].id })).rejects.toThrow(/deleted by checkpoint retention/);
    await expect(store.pruneCheckpoints(runId, 0)).rejects.toThrow(/keep at least 1 checkpoint/);
  });

  it("marks rows whose folders a repair found missing, once", async () => {
    const { checkpoints } = await improvingRun(2);
    expect(await store.markCheckpointsDeleted([checkpoints[0].id])).toBe(1);
    expect(await store.markCheckpointsDeleted([checkpoints[0].id])).toBe(0);
    expect(ids(await store.listCheckpoints({ deleted: true }))).toEqual([checkpoints[0].id]);
  });
});
