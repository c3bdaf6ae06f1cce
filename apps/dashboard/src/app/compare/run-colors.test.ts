import { describe, expect, it } from "vitest";
import { runColors } from "./run-colors.ts";

describe("runColors", () => {
  it("gives every run its own colour, for 1 to 100 runs", () => {
    for (let n = 1; n <= 100; n++) {
      const ids = Array.from({ length: n }, (_, i) => 1000 - 7 * i);
      const colors = runColors(ids);
      expect(new Set(colors.values()).size, `${n} runs`).toBe(n);
    }
  });

  it("keeps 7 runs apart (the case where golden-angle hues gave #3 and #8 the same green)", () => {
    const colors = [...runColors([1, 2, 3, 4, 5, 6, 8]).values()];
    const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
    for (let i = 0; i < colors.length; i++) {
      for (let j = i + 1; j < colors.length; j++) {
        const [a, b] = [hex(colors[i]), hex(colors[j])];
        // Euclidean RGB distance; 60 is well beyond "the same green".
        expect(Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]), `${colors[i]} vs ${colors[j]}`).toBeGreaterThan(60);
      }
    }
  });

  it("depends on the set of runs, not on the order they are listed in", () => {
    expect(runColors([5, 3, 9])).toEqual(runColors([9, 5, 3]));
    expect(runColors([5, 3, 9]).get(9)).toBe(runColors([3, 9, 5]).get(9));
  });
});
