import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidInputError } from "../errors.ts";
import { PARAMS, tempStore } from "../testing/temp-store.ts";
import type { Run, TrackingStore } from "../tracking-store.ts";

let store: TrackingStore;
let dispose: () => Promise<void>;
let experimentId: number;

beforeEach(async () => {
  ({ store, dispose } = await tempStore());
  experimentId = (await store.createExperiment({ name: "sweeps" })).id;
});
afterEach(() => dispose());

const { frozenLayers: _f, learningRate: _l, ...shared } = PARAMS;

/** Claims a run as a worker would and logs its val_accuracy curve, asking after each epoch. */
async function train(run: Run, curve: number[]): Promise<{ prunedAt: number | null; reason?: string }> {
  await store.claimRun(run.id, `w${run.id}`);
  for (const [epoch, valAccuracy] of curve.entries()) {
    await store.logEpoch(run.id, { epoch, loss: 1, accuracy: valAccuracy, valAccuracy, durationMs: 1 });
    const decision = await store.decideEpoch(run.id, epoch);
    if (decision.prune) {
      await store.finishRun(run.id);
      return { prunedAt: epoch, reason: decision.reason };
    }
  }
  await store.finishRun(run.id);
  return { prunedAt: null };
}

describe("createSweep", () => {
  it("grid: queues today's frozen x lr grid whole, one trial index per cell", async () => {
    const { sweep, runs } = await store.createSweep({
      experimentId,
      ...shared,
      sampler: "grid",
      space: { frozenLayers: { kind: "set", values: [11, 19] }, learningRate: { kind: "set", values: [1e-3, 1e-4] } },
    });
    expect(sweep).toMatchObject({ sampler: "grid", budget: 4 });
    expect(runs.map((r) => [r.frozenLayers, r.learningRate, r.trialIndex, r.sweepId])).toEqual([
      [11, 1e-3, 0, sweep.id],
      [11, 1e-4, 1, sweep.id],
      [19, 1e-3, 2, sweep.id],
      [19, 1e-4, 3, sweep.id],
    ]);
  });

  it("random: queues the budget at once, within bounds, with dropout in the run's JSON", async () => {
    const { runs } = await store.createSweep({
      experimentId,
      ...shared,
      sampler: "random",
      budget: 12,
      space: {
        frozenLayers: { kind: "set", values: [11, 15, 17, 19] },
        learningRate: { kind: "range", min: 1e-5, max: 1e-2, scale: "log" },
        dropout: { kind: "range", min: 0, max: 0.5, scale: "linear" },
      },
    });
    expect(runs).toHaveLength(12);
    for (const run of runs) {
      expect(run.learningRate).toBeGreaterThanOrEqual(1e-5);
      expect(run.learningRate).toBeLessThanOrEqual(1e-2);
      const dropout = (run.params as { dropout: number }).dropout;
      expect(dropout).toBeGreaterThanOrEqual(0);
      expect(dropout).toBeLessThan(0.5);
    }
  });

  it("refuses a grid over a continuous range and a budget beyond the grid, naming the fix", async () => {
    const range = { kind: "range", min: 1e-5, max: 1e-2, scale: "log" } as const;
    await expect(store.createSweep({ experimentId, ...shared, sampler: "grid", space: { frozenLayers: { kind: "set", values: [19] }, learningRate: range } })).rejects.toThrow(
      /random or tpe sampler/,
    );
    await expect(
      store.createSweep({ experimentId, ...shared, sampler: "grid", budget: 5, space: { frozenLayers: { kind: "set", values: [19] }, learningRate: { kind: "set", values: [1e-3] } } }),
    ).rejects.toThrow(InvalidInputError);
  });
});

describe("refillSweep (TPE)", () => {
  it("queues one run per freed slot until the budget is spent, sampling from the finished results", async () => {
    const { sweep, runs } = await store.createSweep({
      experimentId,
      ...shared,
      epochs: 2,
      sampler: "tpe",
      budget: 6,
      parallelism: 2,
      tpeStartup: 3,
      space: { frozenLayers: { kind: "set", values: [11, 19] }, learningRate: { kind: "range", min: 1e-5, max: 1e-2, scale: "log" } },
    });
    expect(runs).toHaveLength(3);
    expect(await store.refillSweep(sweep.id)).toEqual([]);
    const seen = [...runs];
    for (let i = 0; seen.some((r) => r.status === "QUEUED") && i < 10; i++) {
      const next = seen.find((r) => r.status === "QUEUED") as Run;
      await train(next, [0.5, 0.5 + next.learningRate * 10]);
      next.status = "FINISHED";
      seen.push(...(await store.refillSweep(sweep.id)));
    }
    expect(seen).toHaveLength(6);
    expect(seen.map((r) => r.trialIndex)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await store.refillSweep(sweep.id)).toEqual([]);
    expect(await store.getSweep(sweep.id)).toMatchObject({ runs: 6, finished: 6, queued: 0, epochsRun: 12, epochsFullBudget: 12 });
  });
});

describe("decideEpoch (ASHA through the store)", () => {
  it("prunes losers at the rungs, keeps their epochs, counts them finished and reports the epochs saved", async () => {
    const { sweep, runs } = await store.createSweep({
      experimentId,
      ...shared,
      epochs: 9,
      sampler: "grid",
      scheduler: { kind: "asha", minEpochs: 1, reductionFactor: 3 },
      space: { frozenLayers: { kind: "set", values: [11, 15, 17, 19] }, learningRate: { kind: "set", values: [1e-3] } },
    });
    // Rungs at 1 and 3 epochs. Runs train one after another, in this order.
    const curves = [
      [0.5, 0.6, 0.7, 0.72, 0.74, 0.75, 0.76, 0.77, 0.78], // first at every rung: full length
      [0.4, 0.5, 0.55, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6], // 0.4 < 0.5 at rung 1: pruned after 1 epoch
      [0.6, 0.65, 0.66, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7], // 0.6 >= q(0.5, 0.4) at rung 1; 0.66 < 0.70 at rung 3: pruned after 3
      [0.7, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9], // ahead everywhere: full length
    ];
    const results = [];
    for (const [i, run] of runs.entries()) results.push(await train(run, curves[i]));
    expect(results.map((r) => r.prunedAt)).toEqual([null, 0, 2, null]);
    expect(results[2].reason).toBe("pruned at epoch 3: 0.66 < rung cutoff 0.70 (top 1/3 of 1 run(s) at epoch 3)");
    const pruned = await store.getRun(runs[2].id);
    expect(pruned).toMatchObject({ status: "FINISHED", prunedAtEpoch: 2, epochsDone: 3, bestValAccuracy: 0.66 });
    expect(pruned.metrics).toHaveLength(3);
    expect(await store.getSweep(sweep.id)).toMatchObject({ finished: 4, pruned: 2, epochsRun: 9 + 1 + 3 + 9, epochsFullBudget: 36 });
    const finished = await store.listRuns({ sweepId: sweep.id, status: ["FINISHED"] });
    expect(finished.items).toHaveLength(4);
  });

  it("runs outside a sweep, and sweeps without a scheduler, always go on", async () => {
    const lone = await store.enqueueRun({ experimentId, ...PARAMS });
    expect((await train(lone, [0.1, 0.1])).prunedAt).toBeNull();
    const { runs } = await store.createSweep({
      experimentId,
      ...shared,
      epochs: 3,
      sampler: "grid",
      space: { frozenLayers: { kind: "set", values: [11, 19] }, learningRate: { kind: "set", values: [1e-3] } },
    });
    await train(runs[0], [0.9, 0.9, 0.9]);
    expect((await train(runs[1], [0.1, 0.1, 0.1])).prunedAt).toBeNull();
  });
});

describe("ASHA replayed on recorded curves of the demo's grid", () => {
  const recorded = JSON.parse(readFileSync(new URL("../sweep/fixtures/demo-grid-curves.json", import.meta.url), "utf8")) as {
    runs: { frozenLayers: number; learningRate: number; valAccuracy: number[] }[];
  };
  const curveOf = (run: Run) => recorded.runs.find((r) => r.frozenLayers === run.frozenLayers && r.learningRate === run.learningRate)!.valAccuracy;
  const gridBest = Math.max(...recorded.runs.flatMap((r) => r.valAccuracy));
  const space = { frozenLayers: { kind: "set", values: [0, 11, 15, 17, 19] }, learningRate: { kind: "set", values: [1e-4, 3e-4, 1e-3, 3e-3] } } as const;

  it("one worker in queue order: the grid's best within a point with at most 40% of its epochs", async () => {
    const { sweep, runs } = await store.createSweep({
      experimentId,
      ...shared,
      epochs: 20,
      seed: 7,
      sampler: "grid",
      scheduler: { kind: "asha", minEpochs: 1, reductionFactor: 3 },
      space: { frozenLayers: { ...space.frozenLayers, values: [...space.frozenLayers.values] }, learningRate: { ...space.learningRate, values: [...space.learningRate.values] } },
    });
    // Queued in a seeded random order, not frozen-major: the grid's own order would let the
    // four frozen-0 runs set every rung's bar.
    expect(runs.map((r) => r.frozenLayers)).not.toEqual([...runs.map((r) => r.frozenLayers)].sort((a, b) => a - b));
    for (const run of runs) await train(run, curveOf(run));
    const view = await store.getSweep(sweep.id);
    expect(view.epochsRun).toBeLessThanOrEqual(0.4 * 400);
    expect(gridBest - (view.bestValAccuracy ?? 0)).toBeLessThanOrEqual(0.01);
    expect(view.pruned).toBeGreaterThan(10);
  });
});
