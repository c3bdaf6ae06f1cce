import { defineConfig } from "vitest/config";

// Several tests start child processes and wait on SQLite locks; two files at a time keeps
// the shared two-core machine responsive.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Under a loaded CI machine a child process under tsx can take 10+ s to start.
    testTimeout: 240_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
});
