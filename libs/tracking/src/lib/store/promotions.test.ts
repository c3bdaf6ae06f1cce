import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CrossExperimentPromotionError, InvalidInputError, NotFoundError } from "../errors.ts";
import { PARAMS, tempStore } from "../testing/temp-store.ts";
import type { Checkpoint, TrackingStore } from "../tracking-store.ts";
import { testProviders } from "../testing/postgresql.ts";
import { countRows, rawExecute } from "../testing/raw-query.ts";
import { artifactPath } from "../artifacts.ts";

describe.each(testProviders())("on %s", (provider) => {
  let store: TrackingStore;
  let dbPath: string;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    ({ store, dbPath, dispose } = await tempStore(provider));
  });
  afterEach(() => dispose());

  async function trainedCheckpoint(experimentId: number, valAccuracy: number): Promise<Checkpoint> {
    const run = await store.enqueueRun({ experimentId, ...PARAMS });
    await store.claimRun(run.id, "w");
    await store.logEpoch(run.id, { epoch: 0, loss: 1, accuracy: valAccuracy, valAccuracy, durationMs: 1 });
    const checkpoint = await store.addCheckpoint(run.id, { epoch: 0, path: `/ckpt/${run.id}`, metrics: { val_accuracy: valAccuracy }, sizeBytes: 1, sha256: "0".repeat(64) });
    await store.finishRun(run.id);
    return checkpoint;
  }

  async function tableCounts(): Promise<{ aliases: number; promotions: number }> {
    return { aliases: await countRows(dbPath, "ModelAlias"), promotions: await countRows(dbPath, "Promotion") };
  }

  describe("promote", () => {
    it("moves the champion alias and keeps a history naming what each promotion replaced", async () => {
      const experiment = await store.createExperiment({ name: "pets" });
      const first = await trainedCheckpoint(experiment.id, 0.7);
      const second = await trainedCheckpoint(experiment.id, 0.8);
      expect(await store.getAlias(experiment.id)).toBeNull();

      const p1 = await store.promote({ checkpointId: first.id, by: "ana", reason: "first good one" });
      expect(p1).toMatchObject({ experimentId: experiment.id, alias: "champion", checkpointId: first.id, previousCheckpointId: null, promotedBy: "ana", reason: "first good one", runId: first.runId, epoch: 0 });
      const p2 = await store.promote({ checkpointId: second.id, experimentId: experiment.id, by: "dashboard" });
      expect(p2).toMatchObject({ checkpointId: second.id, previousCheckpointId: first.id });

      const alias = await store.getAlias(experiment.id, "champion");
      expect(alias).toMatchObject({ experimentId: experiment.id, alias: "champion", checkpoint: { id: second.id }, run: { id: second.runId, status: "FINISHED" } });
      const history = await store.aliasHistory(experiment.id);
      expect(history.map((promotion) => [promotion.checkpointId, promotion.previousCheckpointId])).toEqual([[second.id, first.id], [first.id, null]]);
      expect(await tableCounts()).toEqual({ aliases: 1, promotions: 2 });

      const [summary] = await store.listExperiments();
      expect(summary).toMatchObject({ name: "pets", runCount: 2, runningCount: 0, bestValAccuracy: 0.8, champion: { checkpointId: second.id, runId: second.runId } });

      // Another alias lives beside the champion.
      await store.promote({ checkpointId: first.id, alias: "staging" });
      expect((await store.getAlias(experiment.id, "staging"))?.checkpoint.id).toBe(first.id);
      expect((await store.getAlias(experiment.id))?.checkpoint.id).toBe(second.id);
    });

    it("refuses a checkpoint of another experiment, a missing checkpoint or a bad alias, changing nothing", async () => {
      const mine = await store.createExperiment({ name: "mine" });
      const theirs = await store.createExperiment({ name: "theirs" });
      const own = await trainedCheckpoint(mine.id, 0.6);
      const foreign = await trainedCheckpoint(theirs.id, 0.9);
      await store.promote({ checkpointId: own.id, experimentId: mine.id });

      await expect(store.promote({ checkpointId: foreign.id, experimentId: mine.id })).rejects.toThrow(CrossExperimentPromotionError);
      await expect(store.promote({ checkpointId: foreign.id, experimentId: mine.id })).rejects.toThrow(
        `Checkpoint ${foreign.id} belongs to experiment ${theirs.id}, not experiment ${mine.id}; promote a checkpoint of a run in experiment ${mine.id}.`,
      );
      await expect(store.promote({ checkpointId: 999 })).rejects.toThrow(NotFoundError);
      await expect(store.promote({ checkpointId: own.id, alias: "no spaces" })).rejects.toThrow(InvalidInputError);
      expect(await tableCounts()).toEqual({ aliases: 1, promotions: 1 });
      expect((await store.getAlias(mine.id))?.checkpoint.id).toBe(own.id);
      expect(await store.getAlias(theirs.id)).toBeNull();
      await expect(store.aliasHistory(12345)).rejects.toThrow("Experiment with id 12345 does not exist");
    });
  });

  describe("experiments and datasets", () => {
    it("creates, finds by id or name, and refuses duplicates by name", async () => {
      const created = await store.createExperiment({ name: "cats-vs-dogs", description: "classic" });
      expect(await store.getExperiment("cats-vs-dogs")).toEqual(created);
      expect(await store.getExperiment(created.id)).toEqual(created);
      expect(await store.ensureExperiment("cats-vs-dogs")).toEqual(created);
      expect((await store.ensureExperiment("flowers")).id).not.toBe(created.id);
      await expect(store.createExperiment({ name: "cats-vs-dogs" })).rejects.toThrow('Experiment "cats-vs-dogs" already exists; choose another name or use the existing one.');
      await expect(store.getExperiment("nope")).rejects.toThrow('Experiment with name "nope" does not exist');
      await expect(store.createExperiment({ name: "  " })).rejects.toThrow("Invalid name:");
    });

    it("registers a dataset by name and updates it in place", async () => {
      const first = await store.registerDataset({ name: "pets", path: "/data/pets" });
      expect(first).toMatchObject({ fingerprint: null, classNames: null, imageCount: null });
      const scanned = await store.registerDataset({ name: "pets", path: "/data/pets", fingerprint: "abc", classNames: ["cat", "dog"], imageCount: 40 });
      expect(scanned).toMatchObject({ id: first.id, fingerprint: "abc", classNames: ["cat", "dog"], imageCount: 40 });
      const moved = await store.registerDataset({ name: "pets", path: "/mnt/pets" });
      expect(moved).toMatchObject({ id: first.id, path: "file:///mnt/pets", fingerprint: "abc", classNames: ["cat", "dog"] });
      expect(await store.registerDataset({ name: "pets", path: "/mnt/pets", classNames: null })).toMatchObject({ classNames: null });
      expect((await store.listDatasets()).map((dataset) => dataset.name)).toEqual(["pets"]);
      expect(await store.getDataset("pets")).toMatchObject({ id: first.id });
      await expect(store.getDataset(77)).rejects.toThrow("Dataset with id 77 does not exist");
    });

    it("records a dataset's folder as a file:// URI that artifactPath reads back, given a path or a URI; old plain-path rows still read", async () => {
      const byPath = await store.registerDataset({ name: "spaced", path: "/data/my pets" });
      expect(byPath.path).toBe("file:///data/my%20pets");
      expect(artifactPath(byPath.path)).toBe("/data/my pets");
      expect((await store.registerDataset({ name: "spaced", path: "file:///data/my%20pets" })).path).toBe("file:///data/my%20pets");
      await expect(store.registerDataset({ name: "remote", path: "s3://bucket/pets" })).rejects.toThrow(InvalidInputError);
      // A row written before datasets were URIs, as an older Thaw left it.
      await rawExecute(dbPath, `UPDATE "Dataset" SET path = $1 WHERE id = $2`, ["/data/legacy pets", byPath.id]);
      const legacy = await store.getDataset(byPath.id);
      expect(legacy.path).toBe("/data/legacy pets");
      expect(artifactPath(legacy.path)).toBe("/data/legacy pets");
    });
  });
});
