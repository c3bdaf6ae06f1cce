import { describe, expect, it } from "vitest";
import { ashaRungs, decide, quantile, type SchedulerConfig } from "./scheduler.ts";

const asha: SchedulerConfig = { kind: "asha", minEpochs: 1, reductionFactor: 3 };

describe("ASHA rungs and decisions", () => {
  it("puts rungs at minEpochs * eta^k below the run's length", () => {
    expect(ashaRungs(1, 3, 20)).toEqual([1, 3, 9]);
    expect(ashaRungs(2, 2, 20)).toEqual([2, 4, 8, 16]);
    expect(ashaRungs(5, 3, 5)).toEqual([]);
  });

  it("lets the first run at a rung continue and decides later ones against the top 1/eta", () => {
    // numpy.percentile([0.5, 0.6, 0.9], 66.67) = 0.7 (by hand: position 1.333 between 0.6 and 0.9).
    expect(quantile([0.5, 0.6, 0.9], 2 / 3)).toBeCloseTo(0.7, 10);
    expect(decide({ scheduler: asha, epoch: 0, maxEpochs: 20, curve: [0.3], others: [] })).toEqual({ prune: false });
    const others = [[0.5], [0.6], [0.9]];
    expect(decide({ scheduler: asha, epoch: 0, maxEpochs: 20, curve: [0.71], others })).toEqual({ prune: false });
    const pruned = decide({ scheduler: asha, epoch: 0, maxEpochs: 20, curve: [0.61], others });
    expect(pruned).toEqual({ prune: true, reason: "pruned at epoch 1: 0.61 < rung cutoff 0.70 (top 1/3 of 3 run(s) at epoch 1)" });
  });

  it("keeps a run that ties the cutoff, also when one engine's 4/6 is float32 and another's float64", () => {
    expect(decide({ scheduler: asha, epoch: 2, maxEpochs: 20, curve: [0.2, 0.4, 0.7], others: [[0.7, 0.7, 0.7], [0.1, 0.2, 0.7]] })).toEqual({ prune: false });
    const f32 = Math.fround(4 / 6);
    expect(f32).not.toBe(4 / 6);
    const [lower, higher] = [Math.min(f32, 4 / 6), Math.max(f32, 4 / 6)];
    expect(decide({ scheduler: asha, epoch: 0, maxEpochs: 20, curve: [lower], others: [[higher], [higher]] })).toEqual({ prune: false });
  });

  it("decides only at rungs and never at the last epoch", () => {
    const losing = { scheduler: asha, maxEpochs: 20, others: [[0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]] };
    expect(decide({ ...losing, epoch: 1, curve: [0.1, 0.1] }).prune).toBe(false);
    expect(decide({ ...losing, epoch: 2, curve: [0.1, 0.1, 0.1] }).prune).toBe(true);
    expect(decide({ scheduler: asha, epoch: 2, maxEpochs: 3, curve: [0.1, 0.1, 0.1], others: losing.others }).prune).toBe(false);
  });

  it("compares the best accuracy so far, not one noisy epoch", () => {
    // The run was at 0.8 at epoch 2 and dipped to 0.5 at epoch 3; its rung value is 0.8.
    expect(decide({ scheduler: asha, epoch: 2, maxEpochs: 20, curve: [0.6, 0.8, 0.5], others: [[0.7, 0.75, 0.78]] })).toEqual({ prune: false });
  });

  it("on recorded curves arriving out of order, each run is judged by the runs that reached the rung before it", () => {
    // Recorded val_accuracy curves of 5 runs; they reach epoch 3 (a rung) in the order C, A, E, B, D.
    const curves: Record<string, number[]> = {
      A: [0.4, 0.55, 0.62],
      B: [0.35, 0.5, 0.74],
      C: [0.45, 0.6, 0.7],
      D: [0.3, 0.33, 0.34],
      E: [0.5, 0.71, 0.8],
    };
    const order = ["C", "A", "E", "B", "D"];
    const verdicts = order.map((id, i) => [id, decide({ scheduler: asha, epoch: 2, maxEpochs: 20, curve: curves[id], others: order.slice(0, i).map((o) => curves[o]) }).prune]);
    // C first: continues. A 0.62 < C 0.70: pruned. E 0.80 >= q(0.62, 0.70; 2/3) = 0.673: continues.
    // B 0.74 vs q(0.62, 0.70, 0.80; 2/3) = 0.7333: continues. D 0.34 < anything: pruned.
    expect(Object.fromEntries(verdicts)).toEqual({ C: false, A: true, E: false, B: false, D: true });
  });
});

describe("median rule", () => {
  const median: SchedulerConfig = { kind: "median", minEpochs: 2, minRuns: 2 };

  it("waits for minEpochs and minRuns, then prunes a run below the others' median", () => {
    const others = [[0.5, 0.6], [0.7, 0.8]];
    expect(decide({ scheduler: median, epoch: 0, maxEpochs: 10, curve: [0.1], others }).prune).toBe(false);
    expect(decide({ scheduler: median, epoch: 1, maxEpochs: 10, curve: [0.1, 0.2], others: [[0.5, 0.6]] }).prune).toBe(false);
    expect(decide({ scheduler: median, epoch: 1, maxEpochs: 10, curve: [0.1, 0.61], others })).toEqual({
      prune: true,
      reason: "pruned at epoch 2: 0.61 < median 0.70 of 2 run(s) at epoch 2",
    });
    expect(decide({ scheduler: median, epoch: 1, maxEpochs: 10, curve: [0.1, 0.7], others }).prune).toBe(false);
  });

  it("never prunes under the none scheduler", () => {
    expect(decide({ scheduler: { kind: "none" }, epoch: 3, maxEpochs: 10, curve: [0, 0, 0, 0], others: [[1, 1, 1, 1]] }).prune).toBe(false);
  });
});
