// The same end-to-end test with the store on PostgreSQL: a fresh database on the server
// THAW_TEST_PG_URL names (.ci/run starts one). Under CI a missing URL fails the run; locally
// without a server it is skipped, loudly.
import { describe, it } from "vitest";

if (process.env.THAW_TEST_PG_URL || process.env.CI === "true") {
  process.env.THAW_E2E_DB = "postgresql";
  await import("./dashboard.e2e.ts");
} else {
  console.warn("\n*** THAW_TEST_PG_URL is not set: the dashboard's end-to-end test on PostgreSQL is SKIPPED (see .ci/run to start a server). ***\n");
  describe.skip("dashboard on PostgreSQL", () => {
    it("needs THAW_TEST_PG_URL", () => undefined);
  });
}
