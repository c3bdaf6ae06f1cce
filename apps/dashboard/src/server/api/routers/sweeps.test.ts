import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { harness, makeDatasetFolder, RUN_DEFAULTS, type Harness } from "../../../test/harness.ts";
import { ashaExpectedEpochs, sweepBudget } from "../../../shared/run-params.ts";

let h: Harness;
let experimentId: number;
let datasetId: number;

beforeEach(async () => {
  h = await harness({ sweepLimit: 30 });
  experimentId = (await h.store.createExperiment({ name: "search" })).id;
  datasetId = (await h.store.registerDataset({ name: "pets", path: makeDatasetFolder(path.join(h.dir, "data"), "pets", ["cat", "dog"]) })).id;
});
afterEach(() => h.close());

const common = () => ({ ...RUN_DEFAULTS, experimentId, datasetId, epochs: 9, frozenLayersList: [11, 15, 19] });

/** Claims a run and logs a val_accuracy curve, asking the sweep after each epoch as the worker does. */
async function work(runId: number, curve: number[]): Promise<void> {
  await h.store.claimRun(runId, `w${runId}`);
  for (const [epoch, valAccuracy] of curve.entries()) {
    await h.store.logEpoch(runId, { epoch, loss: 1, accuracy: valAccuracy, valAccuracy, durationMs: 1 });
    if ((await h.store.decideEpoch(runId, epoch)).prune) break;
  }
  await h.store.finishRun(runId);
}

describe("launch.sweep with a sampler and early stopping", () => {
  it("random over a log range: the budget's runs, each within the range", async () => {
    const { runIds } = await h.caller.launch.sweep({ ...common(), learningRates: [], sampler: "random", budget: 8, learningRateRange: { min: 1e-5, max: 1e-2 } });
    expect(runIds).toHaveLength(8);
    for (const id of runIds) {
      const run = await h.store.getRun(id);
      expect(run.learningRate).toBeGreaterThanOrEqual(1e-5);
      expect(run.learningRate).toBeLessThanOrEqual(1e-2);
    }
  });

  it("refuses a budget over the limit, and a random sweep with neither rates nor a range", async () => {
    await expect(h.caller.launch.sweep({ ...common(), learningRates: [1e-3], sampler: "tpe", budget: 31 })).rejects.toThrow("This sweep would queue 31 runs, more than the limit of 30; lower the run budget.");
    await expect(h.caller.launch.sweep({ ...common(), learningRates: [], sampler: "random", budget: 4 })).rejects.toThrow(/Give at least one learning rate/);
  });

  it("sweeps.get reports pruned runs and the epochs early stopping saved", async () => {
    const { sweepId, runIds } = await h.caller.launch.sweep({ ...common(), learningRates: [1e-3], scheduler: { kind: "asha", minEpochs: 1, reductionFactor: 3 } });
    await work(runIds[0], [0.5, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.8]);
    await work(runIds[1], [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]);
    await work(runIds[2], [0.6, 0.65, 0.75, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9]);
    const sweep = await h.caller.sweeps.get({ id: sweepId });
    expect(sweep).toMatchObject({ sampler: "grid", budget: 3, pruned: 1, finished: 3, epochsRun: 9 + 1 + 9, epochsFullBudget: 27 });
    expect((await h.caller.sweeps.list({ experimentId })).map((s) => s.id)).toEqual([sweepId]);
    await expect(h.caller.sweeps.get({ id: "nope" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const compared = await h.caller.runs.compare({ ids: runIds });
    expect(compared.runs.find((r) => r.id === runIds[1])).toMatchObject({ prunedAtEpoch: 0, pruneReason: expect.stringMatching(/^pruned at epoch 1: 0\.30 < rung cutoff 0\.50/) });
    expect(compared.importance.map((i) => i.param)).toEqual(["frozenLayers"]);
  });
});

describe("the budget preview", () => {
  it("counts grid cells or the budget, and ASHA's expected epochs by hand", () => {
    expect(sweepBudget({ frozenLayersList: [11, 15], learningRates: [1e-3, 1e-4], sampler: "grid", epochs: 10 })).toEqual({ runs: 4, maxEpochs: 40, expectedEpochs: null });
    // 20 runs, 20 epochs, rungs 2, 6, 18: 20 x 2 + 7 x 4 + 3 x 12 + 1 x 2 = 106.
    expect(ashaExpectedEpochs(20, 20, 2, 3)).toBe(106);
    expect(sweepBudget({ frozenLayersList: [19], learningRates: [], sampler: "tpe", budget: 20, epochs: 20, scheduler: { kind: "asha", minEpochs: 2, reductionFactor: 3 } })).toEqual({
      runs: 20,
      maxEpochs: 400,
      expectedEpochs: 106,
    });
  });
});
