import { describe, expect, it } from "vitest";
import { epsilonSquared, parameterImportance, type ImportanceRun } from "./importance.ts";
import { seededRng } from "./rng.ts";

describe("parameter importance", () => {
  it("epsilon squared matches a hand-computed one-way ANOVA", () => {
    // Groups a: 1, 2, 3 (mean 2); b: 4, 5, 6 (mean 5). Grand mean 3.5.
    // SS_between = 3*(1.5^2)*2 = 13.5; SS_within = 2 + 2 = 4; MS_within = 4 / 4 = 1.
    // epsilon^2 = (13.5 - 1 * 1) / (13.5 + 4) = 12.5 / 17.5.
    expect(epsilonSquared(["a", "a", "a", "b", "b", "b"], [1, 2, 3, 4, 5, 6])).toBeCloseTo(12.5 / 17.5, 12);
    expect(epsilonSquared(["a", "b", "a", "b"], [1, 1, 1, 1])).toBe(0);
  });

  it("ranks the parameter that drives accuracy first, with an interval that contains its estimate", () => {
    const rng = seededRng(4);
    const runs: ImportanceRun[] = [];
    for (const frozen of [0, 11, 15, 19]) {
      for (const lr of [1e-4, 3e-4, 1e-3, 3e-3]) {
        for (const optimizer of ["sgd", "adam"]) {
          runs.push({ params: { frozenLayers: frozen, learningRate: lr, optimizer }, value: 0.5 + 0.02 * Math.log10(lr / 1e-4) * 10 + 0.01 * rng.normal() });
        }
      }
    }
    const result = parameterImportance(runs, { seed: 1 });
    expect(result[0].param).toBe("learningRate");
    expect(result[0].importance).toBeGreaterThan(0.9);
    for (const entry of result) {
      expect(entry.low).toBeLessThanOrEqual(entry.importance + 1e-9);
      expect(entry.high).toBeGreaterThanOrEqual(entry.importance - 1e-9);
    }
    expect(result.find((r) => r.param === "optimizer")?.importance).toBeLessThan(0.05);
  });

  it("gives a wider interval with fewer runs", () => {
    const make = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ params: { frozenLayers: i % 2 ? 19 : 11 }, value: (i % 2 ? 0.8 : 0.7) + 0.05 * Math.sin(i * 7.1) }));
    const width = (n: number) => {
      const [entry] = parameterImportance(make(n), { seed: 2 });
      return entry.high - entry.low;
    };
    expect(width(8)).toBeGreaterThan(width(64));
  });

  it("says nothing about fewer than 3 runs or a parameter that never varied", () => {
    expect(parameterImportance([{ params: { a: 1 }, value: 1 }, { params: { a: 2 }, value: 2 }])).toEqual([]);
    expect(parameterImportance([1, 2, 3].map((v) => ({ params: { a: 1 }, value: v })))).toEqual([]);
  });
});
