// `thaw runs`: one line per run, newest first.
import type { Command } from "commander";
import { fmtDuration, fmtLr, fmtNumber, table } from "../format.ts";
import { withStore } from "../store.ts";

export function registerRuns(program: Command): void {
  program
    .command("runs")
    .description("list runs: id, status, frozen, lr, best val acc, epochs, duration")
    .option("--experiment <name>", "only the runs of this experiment")
    .option("--limit <n>", "at most this many runs", "50")
    .action(async (opts: { experiment?: string; limit: string }) => {
      await withStore(async (store) => {
        const experimentId = opts.experiment ? (await store.getExperiment(opts.experiment)).id : undefined;
        const page = await store.listRuns({
          experimentId,
          limit: Math.max(1, Number(opts.limit) || 50),
          sort: { key: "createdAt", direction: "desc" },
        });
        if (page.items.length === 0) {
          console.log(opts.experiment ? `No runs in experiment "${opts.experiment}" yet.` : "No runs yet; start one with `thaw train` or `thaw demo`.");
          return;
        }
        const rows = page.items.map((r) => [
          String(r.id),
          r.experimentName,
          r.prunedAtEpoch === null ? r.status : `${r.status} (pruned)`,
          String(r.frozenLayers),
          fmtLr(r.learningRate),
          fmtNumber(r.bestValAccuracy),
          `${r.epochsDone}/${r.epochs}`,
          fmtDuration(r.durationMs),
        ]);
        console.log(table(["id", "experiment", "status", "frozen", "lr", "best val acc", "epochs", "duration"], rows));
      });
    });
}
