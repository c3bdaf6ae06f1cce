import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { tf } from "../tf.ts";
import { BackendError } from "../errors.ts";
import { BACKEND_NAMES, backendFromEnv, initBackend } from "./init-backend.ts";

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

describe("initBackend", () => {
  it("walks the chain, takes the first backend that loads and says why for each", async () => {
    const choice = await initBackend();
    expect(tf.getBackend()).toBe(choice.name === "tensorflow-gpu" ? "tensorflow" : choice.name);
    const tried = BACKEND_NAMES.slice(0, BACKEND_NAMES.indexOf(choice.name) + 1);
    expect(choice.reasons.map((r) => r.split(":")[0])).toEqual([...tried]);
    expect(choice.reasons.at(-1)).toContain("in use");
    choice.reasons.slice(0, -1).forEach((r) => expect(r).toContain("skipped"));
    if (!installed("@tensorflow/tfjs-node")) {
      expect(choice.reasons[1]).toMatch(/^tensorflow: skipped; @tensorflow\/tfjs-node did not load/);
    }
  });

  it("is idempotent and switches back to a backend asked for again", async () => {
    const cpu = await initBackend("cpu");
    expect(cpu).toEqual({ name: "cpu", reasons: ["cpu: in use (forced)"] });
    const wasm = await initBackend("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(wasm.reasons[0]).toMatch(/^wasm: in use; SIMD (on|off), \d+ threads?/);
    expect(await initBackend("cpu")).toBe(cpu);
    expect(tf.getBackend()).toBe("cpu");
  });

  it("reports that wasm runs single-threaded in Node when more cores were asked for", async () => {
    const { reasons } = await initBackend("wasm");
    expect(reasons[0]).toContain("1 thread");
    if (availableParallelism() > 1) expect(reasons[0]).toMatch(/asked for \d+; .* single-threaded/);
  });

  it.runIf(!installed("@tensorflow/tfjs-node"))("fails with the import error when a forced native backend is absent", async () => {
    await expect(initBackend("tensorflow")).rejects.toThrow(BackendError);
    await expect(initBackend("tensorflow")).rejects.toThrow(/Backend tensorflow cannot be used here \(tensorflow: skipped; @tensorflow\/tfjs-node did not load/);
  });

  it("rejects an unknown THAW_BACKEND naming the valid values", () => {
    expect(backendFromEnv({ THAW_BACKEND: "wasm" })).toBe("wasm");
    expect(backendFromEnv({})).toBeUndefined();
    expect(() => backendFromEnv({ THAW_BACKEND: "gpu" })).toThrow("THAW_BACKEND=gpu is not a backend; use one of tensorflow-gpu, tensorflow, wasm, cpu");
  });
});
