// `thaw stop RUN`: a queued run stops at once, a running one at its next batch.
import type { Command } from "commander";
import { parseRunId, requireRun } from "../refs.ts";
import { withStore } from "../store.ts";

export function registerStop(program: Command): void {
  program
    .command("stop")
    .description("stop a run (a running one stops at its next batch)")
    .argument("<run>", "run id")
    .action(async (runText: string) => {
      const runId = parseRunId(runText);
      await withStore(async (store) => {
        const before = await requireRun(store, runId);
        if (before.status !== "QUEUED" && before.status !== "RUNNING") {
          console.log(`Run ${runId} is already ${before.status}; nothing to stop.`);
          return;
        }
        const run = await store.requestStop(runId);
        console.log(
          run.status === "STOPPED"
            ? `Run ${runId} was queued and is now STOPPED.`
            : `Asked run ${runId} to stop; its worker stops it at the next batch.`,
        );
      });
    });
}
