import { describe, expect, it } from "vitest";
import { needsTrainingAllocator, trainingProcessEnv } from "./training-allocator.ts";

const linux = process.platform === "linux";

describe("training allocator settings", () => {
  it.runIf(linux)("adds glibc's no-mmap, no-trim settings to a training process's environment", () => {
    const env = trainingProcessEnv({ PATH: "/bin" });
    expect(env).toEqual({ PATH: "/bin", MALLOC_MMAP_MAX_: "0", MALLOC_TRIM_THRESHOLD_: String(2 ** 40) });
    expect(needsTrainingAllocator({ PATH: "/bin" })).toBe(true);
    expect(needsTrainingAllocator(env)).toBe(false);
  });

  it.runIf(linux)("keeps a value the user set, and everything with THAW_SYSTEM_MALLOC=1", () => {
    expect(trainingProcessEnv({ MALLOC_MMAP_MAX_: "4" }).MALLOC_MMAP_MAX_).toBe("4");
    const optOut = { THAW_SYSTEM_MALLOC: "1" };
    expect(trainingProcessEnv(optOut)).toEqual(optOut);
    expect(needsTrainingAllocator(optOut)).toBe(false);
  });

});
