import { defineConfig } from "vitest/config";

// End-to-end: builds the app when stale, serves it with a worker on a temp store, drives
// Debian's Chromium. One file, run serially; generous timeouts for the build and training.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    testTimeout: 240_000,
    hookTimeout: 600_000,
    fileParallelism: false,
    pool: "forks",
  },
});
