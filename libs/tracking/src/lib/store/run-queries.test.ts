import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { PARAMS, tempStore } from "../testing/temp-store.ts";
import type { ListRunsQuery, Run, RunListItem, RunSortKey, TrackingStore } from "../tracking-store.ts";
import { testProviders } from "../testing/postgresql.ts";

describe.each(testProviders())("on %s", (provider) => {
  let store: TrackingStore;
  let dispose: () => Promise<void>;
  let all: Run[];
  let experimentA: number;
  let sweepId: string;

  // 3 x 4 sweep in A (some trained, some not) plus 5 single runs in B: enough ties and NULLs
  // that paging must get ordering right, small enough to seed in a second.
  beforeAll(async () => {
    ({ store, dispose } = await tempStore(provider));
    experimentA = (await store.createExperiment({ name: "A" })).id;
    const experimentB = (await store.createExperiment({ name: "B" })).id;
    const dataset = await store.registerDataset({ name: "pets", path: "/data/pets" });
    const sweep = await store.enqueueSweep({ experimentId: experimentA, datasetId: dataset.id, ...PARAMS, frozenLayers: [7, 11, 15], learningRates: [0.1, 0.01, 0.001, 0.0001] });
    sweepId = sweep.sweepId;
    for (let i = 0; i < 5; i++) await store.enqueueRun({ experimentId: experimentB, ...PARAMS, frozenLayers: 19 - i, learningRate: 0.05 });
    // Claim and train 9 of the 17 runs; equal accuracies on purpose to exercise the id tiebreak.
    for (let i = 0; i < 9; i++) {
      const run = (await store.claimNextRun("w")) as Run;
      await store.logEpoch(run.id, { epoch: 0, loss: 1, accuracy: 0.5, valAccuracy: [0.6, 0.7, 0.6][i % 3], durationMs: 1 });
      if (i % 2 === 0) await store.finishRun(run.id);
    }
    all = (await Promise.all((await store.listRuns({ limit: 500 })).items.map((item) => store.getRun(item.id)))).map(({ experiment, dataset, baseRun, metrics, checkpoints, ...run }) => run);
  });
  afterAll(() => dispose());

  /** Independent reference: JS sort by key, NULLs last, id as tiebreak in the same direction. */
  function expectedOrder(runs: Run[], key: RunSortKey, direction: "asc" | "desc"): number[] {
    const sign = direction === "asc" ? 1 : -1;
    const value = (run: Run) => (key === "createdAt" ? run.createdAt.getTime() : run[key]);
    return [...runs]
      .sort((a, b) => {
        const [x, y] = [value(a), value(b)];
        if (x === null || y === null) return x === y ? sign * (a.id - b.id) : x === null ? 1 : -1;
        return x === y ? sign * (a.id - b.id) : sign * (x - y);
      })
      .map((run) => run.id);
  }

  async function pageThrough(query: ListRunsQuery): Promise<RunListItem[]> {
    const items: RunListItem[] = [];
    let cursor: number | null = null;
    do {
      const page = await store.listRuns({ ...query, cursor, limit: 4 });
      expect(page.items.length).toBeLessThanOrEqual(4);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return items;
  }

  describe("listRuns", () => {
    it.each([
      ["createdAt", "desc"],
      ["createdAt", "asc"],
      ["bestValAccuracy", "desc"],
      ["bestValAccuracy", "asc"],
      ["learningRate", "asc"],
      ["frozenLayers", "desc"],
      ["epochsDone", "desc"],
    ] as const)("pages through every run exactly once sorted by %s %s", async (key, direction) => {
      const items = await pageThrough({ sort: { key, direction } });
      expect(items.map((item) => item.id)).toEqual(expectedOrder(all, key, direction));
    });

    it("filters by experiment, status list, sweep and parameter ranges, alone and together", async () => {
      const cases: [ListRunsQuery, (run: Run) => boolean][] = [
        [{ experimentId: experimentA }, (run) => run.experimentId === experimentA],
        [{ status: ["RUNNING", "QUEUED"] }, (run) => run.status === "RUNNING" || run.status === "QUEUED"],
        [{ sweepId }, (run) => run.sweepId === sweepId],
        [{ frozenLayers: { min: 11, max: 16 } }, (run) => run.frozenLayers >= 11 && run.frozenLayers <= 16],
        [{ learningRate: { max: 0.01 } }, (run) => run.learningRate <= 0.01],
        [
          { experimentId: experimentA, status: ["FINISHED"], learningRate: { min: 0.001, max: 0.1 } },
          (run) => run.experimentId === experimentA && run.status === "FINISHED" && run.learningRate >= 0.001 && run.learningRate <= 0.1,
        ],
      ];
      for (const [query, keep] of cases) {
        const expected = expectedOrder(all.filter(keep), "bestValAccuracy", "desc");
        expect(expected.length, JSON.stringify(query)).toBeGreaterThan(0);
        const items = await pageThrough({ ...query, sort: { key: "bestValAccuracy", direction: "desc" } });
        expect(items.map((item) => item.id), JSON.stringify(query)).toEqual(expected);
      }
    });

    it("adds experiment and dataset names and durations from start and end (or now while running)", async () => {
      const before = Date.now();
      const { items } = await store.listRuns({ limit: 500 });
      const after = Date.now();
      for (const item of items) {
        const run = all.find((candidate) => candidate.id === item.id) as Run;
        expect(item.experimentName).toBe(run.experimentId === experimentA ? "A" : "B");
        expect(item.datasetName).toBe(run.experimentId === experimentA ? "pets" : null);
        if (run.status === "QUEUED") expect(item.durationMs).toBeNull();
        if (run.status === "FINISHED") expect(item.durationMs).toBe((run.endedAt as Date).getTime() - (run.startedAt as Date).getTime());
        if (run.status === "RUNNING") {
          const started = (run.startedAt as Date).getTime();
          expect(item.durationMs).toBeGreaterThanOrEqual(before - started);
          expect(item.durationMs).toBeLessThanOrEqual(after - started);
        }
      }
      expect(items.filter((item) => item.status === "RUNNING").length).toBeGreaterThan(0);
    });

    it("refuses a cursor that names no run and a page size out of range", async () => {
      await expect(store.listRuns({ cursor: 999 })).rejects.toThrow("Invalid cursor: run 999 does not exist;");
      await expect(store.listRuns({ limit: 0 })).rejects.toThrow(InvalidInputError);
      await expect(store.listRuns({ limit: 501 })).rejects.toThrow("Invalid limit: got 501; use a whole number from 1 to 500.");
    });
  });

  describe("compareRuns", () => {
    it("returns full details in the order asked, and names a missing run", async () => {
      const ids = [all[5].id, all[0].id, all[16].id];
      const runs = await store.compareRuns(ids);
      expect(runs.map((run) => run.id)).toEqual(ids);
      for (const run of runs) {
        expect(run.metrics.length).toBe(run.epochsDone);
        expect(run.experiment.id).toBe(run.experimentId);
      }
      await expect(store.compareRuns([all[0].id, 4242])).rejects.toThrow(NotFoundError);
      await expect(store.compareRuns([])).rejects.toThrow("Invalid runIds: got []; use one or more run ids.");
    });
  });
});
