import { describe, expect, it } from "vitest";
import { gridPlan, suggest, type Observation, type SamplerName } from "./samplers.ts";
import { gridSize, searchSpaceSchema, type Config, type SearchSpace } from "./search-space.ts";

const space: SearchSpace = {
  frozenLayers: { kind: "set", values: [11, 15, 17, 19] },
  learningRate: { kind: "range", min: 1e-5, max: 1e-2, scale: "log" },
  batchSize: { kind: "range", min: 8, max: 32, scale: "linear", integer: true },
  dropout: { kind: "range", min: 0, max: 0.5, scale: "linear" },
};

function sweep(sampler: SamplerName, seed: number, runs: number, objective?: (c: Config) => number, startup = 6): Config[] {
  const history: Observation[] = [];
  const configs: Config[] = [];
  for (let index = 0; index < runs; index++) {
    const config = suggest({ sampler, space, seed, budget: runs, index, history, tpe: { startup } });
    configs.push(config);
    if (objective) history.push({ config, value: objective(config) });
  }
  return configs;
}

describe("random and TPE samplers", () => {
  it.each(["random", "tpe"] as const)("%s: the same seed gives the same configurations, another seed others", (sampler) => {
    const objective = (c: Config) => -Math.abs(Math.log10(c.learningRate) + 3);
    expect(sweep(sampler, 5, 20, objective)).toEqual(sweep(sampler, 5, 20, objective));
    expect(sweep(sampler, 6, 20, objective)).not.toEqual(sweep(sampler, 5, 20, objective));
  });

  it.each(["random", "tpe"] as const)("%s: every value lies in its domain; integers stay whole", (sampler) => {
    const configs = sweep(sampler, 1, 200, (c) => c.frozenLayers / 19 - (c.dropout ?? 0));
    for (const c of configs) {
      expect([11, 15, 17, 19]).toContain(c.frozenLayers);
      expect(c.learningRate).toBeGreaterThanOrEqual(1e-5);
      expect(c.learningRate).toBeLessThanOrEqual(1e-2);
      expect(Number.isInteger(c.batchSize)).toBe(true);
      expect(c.batchSize).toBeGreaterThanOrEqual(8);
      expect(c.batchSize).toBeLessThanOrEqual(32);
      expect(c.dropout).toBeGreaterThanOrEqual(0);
      expect(c.dropout).toBeLessThanOrEqual(0.5);
    }
  });

  it("random: a log range is uniform in the exponent (each decade gets a third of 3000 draws)", () => {
    const decades = [0, 0, 0];
    for (const c of sweep("random", 3, 3000)) decades[Math.min(2, Math.floor(Math.log10(c.learningRate) + 5))]++;
    // Binomial(3000, 1/3): sd 26; a linear draw would put ~90% in the top decade.
    for (const count of decades) expect(Math.abs(count - 1000)).toBeLessThan(110);
  });

  it("tpe: on a known objective it ends nearer the optimum than random in the same budget of 24 runs", () => {
    // Peak at lr 3e-4 and 17 frozen layers; the measurement that justifies TPE over random
    // (40 seeds; measured: regret 0.0030 vs 0.0053, best lr 0.08 vs 0.23 decades off).
    const objective = (c: Config) => 0.95 - 0.05 * (Math.log10(c.learningRate) - Math.log10(3e-4)) ** 2 - 0.02 * Math.abs(c.frozenLayers - 17);
    const measure = (sampler: SamplerName) => {
      let regret = 0;
      let lrOff = 0;
      for (let seed = 0; seed < 40; seed++) {
        const best = sweep(sampler, seed, 24, objective, 10).reduce((a, b) => (objective(b) > objective(a) ? b : a));
        regret += (0.95 - objective(best)) / 40;
        lrOff += Math.abs(Math.log10(best.learningRate) - Math.log10(3e-4)) / 40;
      }
      return { regret, lrOff };
    };
    const tpe = measure("tpe");
    const random = measure("random");
    expect(tpe.regret).toBeLessThan(random.regret * 0.8);
    expect(tpe.lrOff).toBeLessThan(random.lrOff * 0.5);
  });
});

describe("grid sampler", () => {
  const grid: SearchSpace = { frozenLayers: { kind: "set", values: [11, 19] }, learningRate: { kind: "set", values: [1e-3, 1e-4, 1e-5] } };

  it("enumerates frozen x lr with frozen outermost, as the grid sweep always has", () => {
    expect(gridSize(grid)).toBe(6);
    expect(gridPlan(grid, 6, 0)).toEqual([
      { frozenLayers: 11, learningRate: 1e-3 },
      { frozenLayers: 11, learningRate: 1e-4 },
      { frozenLayers: 11, learningRate: 1e-5 },
      { frozenLayers: 19, learningRate: 1e-3 },
      { frozenLayers: 19, learningRate: 1e-4 },
      { frozenLayers: 19, learningRate: 1e-5 },
    ]);
  });

  it("takes a seeded subset of distinct cells when the budget is smaller than the grid", () => {
    const subset = gridPlan(grid, 4, 9);
    expect(subset).toHaveLength(4);
    expect(new Set(subset.map((c) => JSON.stringify(c))).size).toBe(4);
    expect(gridPlan(grid, 4, 9)).toEqual(subset);
  });

  it("refuses a continuous range and a run beyond the grid, naming the fix", () => {
    expect(() => suggest({ sampler: "grid", space, seed: 0, budget: 4, index: 0, history: [] })).toThrow(/use the random or tpe sampler/);
    expect(() => suggest({ sampler: "grid", space: grid, seed: 0, budget: 6, index: 6, history: [] })).toThrow(/at most 6/);
  });
});

describe("search space validation", () => {
  it("refuses a log range reaching 0 and bounds in the wrong order", () => {
    const bad = searchSpaceSchema.safeParse({ frozenLayers: { kind: "set", values: [19] }, learningRate: { kind: "range", min: 0, max: 1e-2, scale: "log" } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/minimum above 0/);
    const swapped = searchSpaceSchema.safeParse({ frozenLayers: { kind: "set", values: [19] }, learningRate: { kind: "range", min: 1e-2, max: 1e-5, scale: "log" } });
    expect(JSON.stringify(swapped.error?.issues)).toMatch(/swap the two bounds/);
  });
});
