// `thaw runs`: one line per run, newest first.
import type { Command } from "commander";
import { parseRunProgress, type RunListItem } from "@thaw/tracking";
import { fmtBytes, fmtDuration, fmtLr, fmtNumber, table } from "../format.ts";
import { withStore } from "../store.ts";

export function registerRuns(program: Command): void {
  program
    .command("runs")
    .description("list runs: id, status, frozen, lr, best val acc, epochs, duration, progress inside the epoch")
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
        console.log(renderRunList(page.items));
        // Per experiment: every run's live checkpoints, not only this page's.
        const experiments = (await store.listExperiments()).filter((e) => experimentId === undefined || e.id === experimentId);
        console.log(`\ncheckpoints on disk: ${experiments.map((e) => `${e.name} ${fmtBytes(e.diskBytes)}`).join(", ")}`);
      });
    });
}

/** A running run's phase, percent and ETA inside its epoch, e.g. "cache 20% ETA 0:20". */
function progressCell(run: RunListItem): string {
  const p = run.status === "RUNNING" ? parseRunProgress(run.progress) : null;
  if (!p) return "-";
  const percent = p.total > 0 ? Math.floor((p.done / p.total) * 100) : 100;
  return `${p.phase} ${percent}%${p.etaSeconds === null ? "" : ` ETA ${fmtDuration(p.etaSeconds * 1000)}`}`;
}

export function renderRunList(runs: RunListItem[]): string {
  const rows = runs.map((r) => [
    String(r.id),
    r.experimentName,
    r.prunedAtEpoch === null ? r.status : `${r.status} (pruned)`,
    String(r.frozenLayers),
    fmtLr(r.learningRate),
    fmtNumber(r.bestValAccuracy),
    `${r.epochsDone}/${r.epochs}`,
    fmtDuration(r.durationMs),
    fmtBytes(r.diskBytes),
    progressCell(r),
  ]);
  return table(["id", "experiment", "status", "frozen", "lr", "best val acc", "epochs", "duration", "disk", "progress"], rows);
}
