import { defineConfig } from "vitest/config";

// TF.js model building and training on 2 shared cores is slow; tests get room to finish.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
