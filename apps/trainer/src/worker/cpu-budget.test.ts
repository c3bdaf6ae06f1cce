import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.ts";
import { cpuBudget, describeBudget } from "./cpu-budget.ts";

describe("cpuBudget", () => {
  it("keeps runs x engine threads within the cores, deriving whichever number is left out", () => {
    expect(cpuBudget({}, 8)).toEqual({ concurrency: 8, threads: 1, cores: 8 });
    expect(cpuBudget({ concurrency: "2" }, 8)).toEqual({ concurrency: 2, threads: 4, cores: 8 });
    expect(cpuBudget({ concurrency: "3" }, 8)).toEqual({ concurrency: 3, threads: 2, cores: 8 });
    expect(cpuBudget({ threads: "4" }, 8)).toEqual({ concurrency: 2, threads: 4, cores: 8 });
    expect(cpuBudget({ threads: "16" }, 8)).toEqual({ concurrency: 1, threads: 16, cores: 8 });
    expect(cpuBudget({ concurrency: "2", threads: "1" }, 2)).toEqual({ concurrency: 2, threads: 1, cores: 2 });
    for (const [c, t] of [[1, 1], [2, 4], [4, 2], [8, 1]]) {
      const budget = cpuBudget({ concurrency: String(c) }, 8);
      expect(budget.concurrency * budget.threads).toBeLessThanOrEqual(8);
      expect(cpuBudget({ concurrency: String(c), threads: String(t) }, 8)).toEqual({ concurrency: c, threads: t, cores: 8 });
    }
    expect(describeBudget({ concurrency: 2, threads: 4, cores: 8 })).toBe("up to 2 run(s) at a time x 4 engine thread(s) each, on 8 core(s)");
  });

  it("refuses a budget over the cores and bad numbers, naming the fix", () => {
    expect(() => cpuBudget({ concurrency: "4", threads: "4" }, 8)).toThrow(UsageError);
    expect(() => cpuBudget({ concurrency: "4", threads: "4" }, 8)).toThrow(
      "--concurrency 4 x --threads 4 = 16 threads, more than this machine's 8 cores; lower one of them (or leave one out and it is derived).",
    );
    expect(() => cpuBudget({ threads: "0" }, 8)).toThrow('--threads must be a whole number of at least 1 such as 2; got "0".');
    expect(() => cpuBudget({ concurrency: "two" }, 8)).toThrow('--concurrency must be a whole number of at least 1 such as 2; got "two".');
  });
});
