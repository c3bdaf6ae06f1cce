import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { harness, makeDatasetFolder, RUN_DEFAULTS, trainFake, type Harness } from "../../../test/harness.ts";

let h: Harness;
let experimentId: number;
let datasetId: number;

beforeEach(async () => {
  h = await harness();
  experimentId = (await h.store.createExperiment({ name: "e" })).id;
  datasetId = (await h.store.registerDataset({ name: "d", path: makeDatasetFolder(path.join(h.dir, "data"), "d", ["a", "b"]) })).id;
});
afterEach(() => h.close());

async function trained(frozenLayers: number, learningRate: number, acc: number[]) {
  const { runId } = await h.caller.launch.run({ ...RUN_DEFAULTS, experimentId, datasetId, frozenLayers, learningRate });
  await trainFake(h.store, runId, acc);
  return runId;
}

describe("models", () => {
  it("previews, then promotes the best checkpoint, and keeps the history", async () => {
    const weak = await trained(11, 0.01, [0.5, 0.6]);
    const strong = await trained(15, 0.001, [0.7, 0.9, 0.8]);
    // Disk use per experiment: 2 + 2 improving checkpoints of 2048 bytes.
    expect((await h.caller.models.overview())[0].experiment.diskBytes).toBe(BigInt(4 * 2048));

    const weakCheckpoint = (await h.store.bestCheckpoint(weak))!;
    await h.caller.models.promote({ checkpointId: weakCheckpoint.id, experimentId, reason: "first try" });

    const preview = await h.caller.models.preview({ experimentId });
    expect(preview.current).toMatchObject({ runId: weak, checkpointId: weakCheckpoint.id });
    expect(preview.candidate).toMatchObject({ runId: strong, epoch: 1, bestValAccuracy: 0.9 });
    expect(preview.changes).toEqual([
      { param: "frozenLayers", from: 11, to: 15 },
      { param: "learningRate", from: 0.01, to: 0.001 },
    ]);
    expect(preview.alreadyChampion).toBe(false);

    const promotion = await h.caller.models.promoteBest({ experimentId });
    expect(promotion).toMatchObject({ runId: strong, epoch: 1, promotedBy: "dashboard", previousCheckpointId: weakCheckpoint.id });
    expect(promotion.reason).toContain("90.0%");
    expect((await h.caller.models.preview({ experimentId })).alreadyChampion).toBe(true);

    const [entry] = await h.caller.models.overview();
    expect(entry.champion).toMatchObject({ runId: strong, epoch: 1 });
    expect(entry.history.map((p) => p.runId)).toEqual([strong, weak]);
    expect((await h.caller.runs.get({ id: strong })).championCheckpointId).toBe(promotion.checkpointId);
  });

  it("refuses a checkpoint of another experiment, unknown checkpoints and experiments", async () => {
    const other = (await h.store.createExperiment({ name: "other" })).id;
    const runId = await trained(11, 0.01, [0.5]);
    const checkpoint = (await h.store.bestCheckpoint(runId))!;
    await expect(h.caller.models.promote({ checkpointId: checkpoint.id, experimentId: other })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(h.caller.models.promote({ checkpointId: 999 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(h.caller.models.preview({ experimentId: 999 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(h.caller.models.promoteBest({ experimentId: 999 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(h.caller.models.promote({ checkpointId: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("says there is nothing to promote before any checkpoint exists", async () => {
    await expect(h.caller.models.promoteBest({ experimentId })).rejects.toThrow("This experiment has no checkpoint yet");
    expect(await h.caller.models.preview({ experimentId })).toMatchObject({ current: null, candidate: null, changes: [] });
  });
});
