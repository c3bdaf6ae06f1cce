import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { engineThreads } from "./onnx-engine.ts";

describe("engineThreads", () => {
  it("takes THAW_THREADS when set, else one thread per core, and refuses a bad value naming the fix", () => {
    expect(engineThreads({})).toBe(availableParallelism());
    expect(engineThreads({ THAW_THREADS: "" })).toBe(availableParallelism());
    expect(engineThreads({ THAW_THREADS: "3" })).toBe(3);
    expect(() => engineThreads({ THAW_THREADS: "0" })).toThrow('THAW_THREADS must be a whole number of at least 1, such as 2; got "0". Unset it to use one thread per core.');
    expect(() => engineThreads({ THAW_THREADS: "1.5" })).toThrow(/THAW_THREADS must be a whole number/);
  });
});
