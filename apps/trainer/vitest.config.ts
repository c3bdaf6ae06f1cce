import { defineConfig } from "vitest/config";

// The end-to-end tests spawn the real CLI, which trains tiny models: give them time, and run
// test files one after another so two trainings do not fight for the machine's two cores.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
