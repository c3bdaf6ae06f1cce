// Sweeps through the real CLI: a TPE sweep over a log range with ASHA queued by `thaw sweep`,
// executed by `thaw worker`, which asks the store after each epoch whether a run goes on;
// then `thaw compare --importance` over the sweep.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeSandbox, sandbox, thaw, withTestStore, type Sandbox } from "./testing/cli-harness.ts";

let box: Sandbox;
let data: string;

beforeAll(() => {
  box = sandbox("thaw-sweep-");
  data = path.join(box.dir, "shapes");
  const synth = thaw(box, ["data", "synth", data, "--classes", "circle,square", "--per-class", "16", "--size", "32"]);
  expect(synth.status, synth.stderr).toBe(0);
});
afterAll(() => removeSandbox(box));

const tiny = ["--base", "random", "--head", "pooled", "--width", "0.0625", "--image-size", "32", "--batch", "8", "--optimizer", "adam", "--seed", "5"];

/** numpy.percentile(values, q * 100) with linear interpolation, written out for the check. */
function percentile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  return s[Math.floor(pos)] + (s[Math.ceil(pos)] - s[Math.floor(pos)]) * (pos - Math.floor(pos));
}

describe("thaw sweep --sampler tpe --scheduler asha", () => {
  it("queues configurations drawn from the log range, within the budget", async () => {
    const result = thaw(box, [
      "sweep", "--data", data, "--experiment", "search", ...tiny, "--epochs", "4",
      "--frozen", "15,19", "--lr", "1e-6..1e-1:log", "--sampler", "tpe", "--runs", "5",
      "--scheduler", "asha", "--min-epochs", "1", "--reduction-factor", "2",
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Queued sweep \S+ \(tpe, 5 run\(s\), ASHA from epoch 1, reduction factor 2\)/);
    await withTestStore(box, async (store) => {
      const runs = (await store.listRuns({ experimentId: (await store.getExperiment("search")).id })).items;
      expect(runs).toHaveLength(5);
      for (const run of runs) {
        expect(run.learningRate).toBeGreaterThanOrEqual(1e-6);
        expect(run.learningRate).toBeLessThanOrEqual(1e-1);
        expect([15, 19]).toContain(run.frozenLayers);
      }
    });
  });

  it("the worker prunes at the rungs exactly where ASHA says, and pruned runs end FINISHED with their epochs", async () => {
    const worker = thaw(box, ["worker", "--once", "--concurrency", "1", "--poll", "200"], 170_000);
    expect(worker.status, worker.stdout + worker.stderr).toBe(0);
    await withTestStore(box, async (store) => {
      const listed = (await store.listRuns({ experimentId: (await store.getExperiment("search")).id })).items;
      const runs = await Promise.all(listed.map((r) => store.getRun(r.id)));
      // One worker, one run at a time: runs reach each rung in the order they started.
      runs.sort((a, b) => (a.startedAt?.getTime() ?? 0) - (b.startedAt?.getTime() ?? 0));
      const rungs = [1, 2]; // minEpochs 1, factor 2, below 4 epochs
      const reached: number[][] = rungs.map(() => []);
      let pruned = 0;
      for (const run of runs) {
        expect(run.status).toBe("FINISHED");
        const curve = run.metrics.map((m) => m.valAccuracy as number);
        let expectedPrune: number | null = null;
        for (const [i, rung] of rungs.entries()) {
          if (curve.length < rung) break;
          const best = Math.max(...curve.slice(0, rung));
          // As Ray Tune's ASHA: judged against the runs recorded at the rung before it, and
          // recorded there itself whether it goes on or not.
          const bar = reached[i].length > 0 ? percentile(reached[i], 0.5) : null;
          reached[i].push(best);
          if (bar !== null && best < bar - 1e-6) {
            expectedPrune = rung - 1;
            break;
          }
        }
        expect(run.prunedAtEpoch, `run ${run.id} curve ${curve.join(",")}`).toBe(expectedPrune);
        if (expectedPrune === null) expect(run.epochsDone).toBe(4);
        else {
          pruned++;
          expect(run.epochsDone).toBe(expectedPrune + 1);
          expect(run.pruneReason).toMatch(new RegExp(`^pruned at epoch ${expectedPrune + 1}: \\d\\.\\d\\d < rung median \\d\\.\\d\\d`));
          expect(run.checkpoints.length).toBeGreaterThan(0);
        }
      }
      expect(pruned).toBeGreaterThan(0);
      expect(worker.stdout).toMatch(/pruned at epoch \d/);
    });
  });

  it("thaw compare --importance ranks the parameters over the sweep with an interval", async () => {
    const sweepId = await withTestStore(box, async (store) => (await store.listSweeps())[0].id);
    const result = thaw(box, ["compare", "--importance", "--sweep", sweepId]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/over 5 run\(s\)/);
    expect(result.stdout).toMatch(/learningRate\s+\d\.\d{4}\s+\d\.\d{4} - \d\.\d{4}/);
  });
});
