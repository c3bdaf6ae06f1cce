import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Decoding runs on sharp's threads; on a busy 2-core machine a test can take seconds.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
