import { describe, expect, it } from "vitest";
import { maxRelativeError } from "./compare-outputs.ts";

describe("maxRelativeError", () => {
  it("divides the largest difference by the largest reference magnitude", () => {
    const expected = Float32Array.from([1, -4, 2]);
    const actual = Float32Array.from([1.5, -4, 1.75]);
    expect(maxRelativeError(actual, expected)).toBeCloseTo(0.5 / 4, 7);
  });

  it("is 0 for equal outputs and the absolute difference against zeros", () => {
    expect(maxRelativeError(Float32Array.from([3, 2]), Float32Array.from([3, 2]))).toBe(0);
    expect(maxRelativeError(Float32Array.from([0, 0.25]), Float32Array.from([0, 0]))).toBe(0.25);
  });

  it("refuses outputs of different sizes", () => {
    expect(() => maxRelativeError(new Float32Array(2), new Float32Array(3))).toThrow(/2 and 3 values/);
  });
});
