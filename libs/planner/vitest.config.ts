import { defineConfig } from "vitest/config";

// The planner opens real SQLite stores and loads @thaw/vgg (TF.js) once per file.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
  },
});
