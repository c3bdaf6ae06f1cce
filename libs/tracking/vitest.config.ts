import { defineConfig } from "vitest/config";

// Several tests start child processes and wait on SQLite locks; two files at a time keeps
// the shared two-core machine responsive.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
  },
});
