import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidInputError, NotFoundError, ParamsImmutableError } from "../errors.ts";
import { PARAMS, tempStore } from "../testing/temp-store.ts";
import type { TrackingStore } from "../tracking-store.ts";
import { MAX_SWEEP_RUNS } from "../validation.ts";
import { testProviders } from "../testing/postgresql.ts";
import { countRows } from "../testing/raw-query.ts";

describe.each(testProviders())("on %s", (provider) => {
  let store: TrackingStore;
  let dbPath: string;
  let dispose: () => Promise<void>;
  let experimentId: number;

  beforeEach(async () => {
    ({ store, dbPath, dispose } = await tempStore(provider));
    experimentId = (await store.createExperiment({ name: "queue" })).id;
  });
  afterEach(() => dispose());

  const runCount = () => countRows(dbPath, "Run");

  describe("enqueueRun", () => {
    it("stores typed hyperparameter columns and the rest as JSON", async () => {
      const dataset = await store.registerDataset({ name: "cats", path: "/data/cats", classNames: ["cat", "dog"] });
      const run = await store.enqueueRun({ experimentId, datasetId: dataset.id, name: "first", ...PARAMS, extra: { head: "fc", dropout: 0.5 } });
      expect(run).toMatchObject({ status: "QUEUED", experimentId, datasetId: dataset.id, name: "first", frozenLayers: 15, learningRate: 0.001, optimizer: "sgd", augment: false, params: { head: "fc", dropout: 0.5 }, epochsDone: 0, stopRequested: false });
      const derived = await store.enqueueRun({ experimentId, ...PARAMS, baseRunId: run.id, base: `run:${run.id}` });
      expect((await store.getRun(derived.id)).baseRun).toEqual({ id: run.id, name: "first", status: "QUEUED" });
    });

    it.each([
      [{ learningRate: -0.1 }, "Invalid learningRate: got -0.1; use a finite number greater than 0, such as 0.001."],
      [{ learningRate: Number.POSITIVE_INFINITY }, "Invalid learningRate: got Infinity; use a finite number greater than 0, such as 0.001."],
      [{ frozenLayers: -1 }, "Invalid frozenLayers: got -1; use a whole number of layers, 0 or more (0 trains every layer)."],
      [{ frozenLayers: 2.5 }, "Invalid frozenLayers: got 2.5;"],
      [{ momentum: 1 }, "Invalid momentum: got 1; use a number from 0 up to but not including 1, such as 0.9."],
      [{ batchSize: 0 }, "Invalid batchSize: got 0; use a whole number of at least 1."],
      [{ epochs: 0 }, "Invalid epochs: got 0; use a whole number of at least 1."],
      [{ optimizer: "rmsprop" }, 'Invalid optimizer: got "rmsprop"; use "sgd" or "adam".'],
    ])("refuses %o with a message naming the field and the fix, and stores nothing", async (bad, message) => {
      const attempt = store.enqueueRun({ experimentId, ...PARAMS, ...bad } as Parameters<TrackingStore["enqueueRun"]>[0]);
      await expect(attempt).rejects.toThrow(InvalidInputError);
      await expect(store.enqueueRun({ experimentId, ...PARAMS, ...bad } as Parameters<TrackingStore["enqueueRun"]>[0])).rejects.toThrow(message);
      expect(await runCount()).toBe(0);
    });

    it("refuses unknown experiment, dataset and base run ids by name", async () => {
      await expect(store.enqueueRun({ experimentId: 77, ...PARAMS })).rejects.toThrow(NotFoundError);
      await expect(store.enqueueRun({ experimentId: 77, ...PARAMS })).rejects.toThrow("Experiment with id 77 does not exist");
      await expect(store.enqueueRun({ experimentId, datasetId: 5, ...PARAMS })).rejects.toThrow("Dataset with id 5 does not exist");
      await expect(store.enqueueRun({ experimentId, baseRunId: 9, ...PARAMS })).rejects.toThrow("Run with id 9 does not exist");
      expect(await runCount()).toBe(0);
    });
  });

  describe("enqueueSweep", () => {
    it("queues the frozen-layers x learning-rate grid with one shared sweepId", async () => {
      // A sweep's input has no single learningRate or frozenLayers; leave them out as callers do.
      const { learningRate: _single, frozenLayers: _count, ...shared } = PARAMS;
      const { sweepId, runs } = await store.enqueueSweep({ experimentId, ...shared, name: "grid", frozenLayers: [11, 15, 19], learningRates: [0.01, 0.001] });
      expect(sweepId).toMatch(/^[0-9a-f-]{36}$/);
      expect(runs.map((run) => [run.frozenLayers, run.learningRate])).toEqual([[11, 0.01], [11, 0.001], [15, 0.01], [15, 0.001], [19, 0.01], [19, 0.001]]);
      expect(new Set(runs.map((run) => run.sweepId))).toEqual(new Set([sweepId]));
      expect(runs.map((run) => run.name)).toContain("grid frozen=15 lr=0.001");
      expect(new Set(runs.map((run) => run.createdAt.getTime())).size).toBe(1);
      const listed = await store.listRuns({ sweepId });
      expect(listed.items.map((run) => run.id).sort((a, b) => a - b)).toEqual(runs.map((run) => run.id));
    });

    it(`refuses a grid over ${MAX_SWEEP_RUNS} runs, repeated values or a bad rate, and queues none of it`, async () => {
      const frozen = Array.from({ length: 11 }, (_, i) => i);
      const rates = Array.from({ length: 10 }, (_, i) => (i + 1) / 1000);
      await expect(store.enqueueSweep({ experimentId, ...PARAMS, frozenLayers: frozen, learningRates: rates })).rejects.toThrow(
        `Invalid learningRates: 11 frozen-layer counts x 10 learning rates make 110 runs, more than ${MAX_SWEEP_RUNS};`,
      );
      await expect(store.enqueueSweep({ experimentId, ...PARAMS, frozenLayers: [1, 1], learningRates: [0.1] })).rejects.toThrow(
        "Invalid frozenLayers: the list repeats a value;",
      );
      await expect(store.enqueueSweep({ experimentId, ...PARAMS, frozenLayers: [1, 2], learningRates: [0.1, -0.01] })).rejects.toThrow(
        "Invalid learningRates.1: got -0.01; use finite numbers greater than 0",
      );
      await expect(store.enqueueSweep({ experimentId, ...PARAMS, frozenLayers: [], learningRates: [0.1] })).rejects.toThrow(InvalidInputError);
      expect(await runCount()).toBe(0);
    });
  });

  describe("updateRunParams", () => {
    it("changes a queued run's parameters, checking the merged result", async () => {
      const run = await store.enqueueRun({ experimentId, ...PARAMS, extra: { head: "fc" } });
      const updated = await store.updateRunParams(run.id, { learningRate: 0.01, extra: { head: "pooled" } });
      expect(updated).toMatchObject({ learningRate: 0.01, frozenLayers: 15, params: { head: "pooled" } });
      await expect(store.updateRunParams(run.id, { momentum: -0.5 })).rejects.toThrow("Invalid momentum: got -0.5;");
      expect((await store.getRun(run.id)).momentum).toBe(0.9);
    });

    it("refuses changes once the run has started and leaves the stored values alone", async () => {
      const run = await store.enqueueRun({ experimentId, ...PARAMS });
      await store.claimRun(run.id, "w1");
      await expect(store.updateRunParams(run.id, { learningRate: 0.5 })).rejects.toThrow(ParamsImmutableError);
      await expect(store.updateRunParams(run.id, { learningRate: 0.5 })).rejects.toThrow(
        `Run ${run.id} is RUNNING, and hyperparameters are fixed once a run has started; enqueue a new run with the changed parameters instead.`,
      );
      expect((await store.getRun(run.id)).learningRate).toBe(0.001);
      await expect(store.updateRunParams(31337, { learningRate: 0.5 })).rejects.toThrow(NotFoundError);
    });
  });
});
