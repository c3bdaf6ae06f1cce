import { describe, expect, it } from "vitest";
import { confusion, precisionRecall } from "./confusion.ts";

describe("confusion", () => {
  it("counts true classes in rows and predictions in columns", () => {
    const result = confusion([0, 0, 0, 1, 1, 2], [0, 1, 0, 1, 1, 0], 3);
    expect(result.confusionMatrix).toEqual([
      [2, 1, 0],
      [0, 2, 0],
      [1, 0, 0],
    ]);
    expect(result.perClassAccuracy[0]).toBeCloseTo(2 / 3, 12);
    expect(result.perClassAccuracy[1]).toBe(1);
    expect(result.perClassAccuracy[2]).toBe(0);
    expect(result.accuracy).toBeCloseTo(4 / 6, 12);
  });

  it("gives 0 for a class without examples instead of NaN", () => {
    expect(confusion([0], [0], 2).perClassAccuracy).toEqual([1, 0]);
  });

  it("gives precision by predicted column and recall by true row, null where undefined", () => {
    // true cat: 3 right, 1 called dog; true dog: 2 right; nothing is ever called bird, and there is one bird called cat
    const matrix = [
      [3, 1, 0],
      [0, 2, 0],
      [1, 0, 0],
    ];
    expect(precisionRecall(matrix)).toEqual({ precision: [3 / 4, 2 / 3, null], recall: [3 / 4, 1, 0] });
    expect(precisionRecall([[0, 0], [0, 5]]).recall).toEqual([null, 1]);
  });
});
