// `thaw compare RUN...`: parameters side by side (differing ones marked), best and last metrics.
// With --importance: which parameter mattered for the best validation accuracy, over the given
// runs or a whole experiment or sweep, with a bootstrap interval.
import type { Command } from "commander";
import { runImportance, type ParamImportance, type Run, type RunDetail, type TrackingStore } from "@thaw/tracking";
import { UsageError } from "../errors.ts";
import { fmtNumber, table } from "../format.ts";
import { parseRunId, requireRun } from "../refs.ts";
import { runParamPairs } from "../run-params.ts";
import { withStore } from "../store.ts";

interface CompareFlags {
  importance?: boolean;
  experiment?: string;
  sweep?: string;
}

export function registerCompare(program: Command): void {
  program
    .command("compare")
    .description("compare runs: parameters side by side, differing ones marked with *; --importance ranks the parameters")
    .argument("[runs...]", "two or more run ids")
    .option("--importance", "which parameter mattered for best val_accuracy (share of variance, 90% bootstrap interval)")
    .option("--experiment <name>", "with --importance: every run of this experiment")
    .option("--sweep <id>", "with --importance: every run of this sweep")
    .action(async (runTexts: string[], flags: CompareFlags) => {
      const ids = runTexts.map(parseRunId);
      if (!flags.importance && (flags.experiment || flags.sweep)) throw new UsageError("--experiment and --sweep choose the runs of --importance; add --importance, or give run ids to compare.");
      if (!flags.importance && ids.length < 2) throw new UsageError("Compare needs at least two runs; give two or more run ids.");
      if (flags.importance && ids.length === 0 && !flags.experiment && !flags.sweep) {
        throw new UsageError("--importance needs runs: give run ids, --experiment NAME or --sweep ID.");
      }
      await withStore(async (store) => {
        if (flags.importance) {
          const runs = ids.length > 0 ? await Promise.all(ids.map((id) => requireRun(store, id))) : await runsOf(store, flags);
          console.log(renderImportance(runs));
          return;
        }
        const runs: RunDetail[] = [];
        for (const id of ids) runs.push(await requireRun(store, id));
        console.log(renderComparison(runs));
      });
    });
}

async function runsOf(store: TrackingStore, flags: CompareFlags): Promise<Run[]> {
  const experimentId = flags.experiment ? (await store.getExperiment(flags.experiment)).id : undefined;
  const runs: Run[] = [];
  for (let cursor: number | null = null; ; ) {
    const page = await store.listRuns({ experimentId, sweepId: flags.sweep, cursor, limit: 500 });
    runs.push(...page.items);
    if (page.nextCursor === null) return runs;
    cursor = page.nextCursor;
  }
}

export function renderImportance(runs: Run[], importance: ParamImportance[] = runImportance(runs)): string {
  const scored = runs.filter((run) => run.bestValAccuracy !== null).length;
  if (importance.length === 0) {
    return `No importance to show: ${scored} run(s) with a validation accuracy${scored < 3 ? " (at least 3 are needed)" : ", and no parameter varied among them"}.`;
  }
  const rows = importance.map((entry) => [entry.param, fmtNumber(entry.importance), `${fmtNumber(entry.low)} - ${fmtNumber(entry.high)}`, String(entry.groups)]);
  return [
    `Parameter importance for best val_accuracy over ${scored} run(s): share of its variance each parameter explains alone`,
    "(epsilon squared of a one-way ANOVA; interval: 90% bootstrap over runs, wide when runs are few).",
    "",
    table(["parameter", "importance", "90% interval", "groups"], rows),
  ].join("\n");
}

export function renderComparison(runs: RunDetail[]): string {
  const perRun = runs.map((r) => new Map(runParamPairs(r)));
  const names = [...new Set(perRun.flatMap((m) => [...m.keys()]))];
  const paramRows = names.map((name) => {
    const values = perRun.map((m) => m.get(name) ?? "-");
    const differs = new Set(values).size > 1;
    return [`${differs ? "* " : "  "}${name}`, ...values];
  });
  const header = ["", ...runs.map((r) => `run ${r.id}`)];
  const last = (r: RunDetail) => [...r.metrics].sort((a, b) => b.epoch - a.epoch)[0];
  const metricRows = [
    ["status", ...runs.map((r) => (r.prunedAtEpoch === null ? r.status : `${r.status} (pruned at epoch ${r.prunedAtEpoch + 1})`))],
    ["best val_accuracy", ...runs.map((r) => fmtNumber(r.bestValAccuracy))],
    ["best epoch", ...runs.map((r) => (r.bestEpoch === null ? "-" : String(r.bestEpoch + 1)))],
    ["test accuracy", ...runs.map((r) => fmtNumber(r.testAccuracy))],
    ["last loss", ...runs.map((r) => fmtNumber(last(r)?.loss))],
    ["last accuracy", ...runs.map((r) => fmtNumber(last(r)?.accuracy))],
    ["last val_loss", ...runs.map((r) => fmtNumber(last(r)?.valLoss))],
    ["last val_accuracy", ...runs.map((r) => fmtNumber(last(r)?.valAccuracy))],
    ["epochs done", ...runs.map((r) => String(r.epochsDone))],
  ];
  return [table(header, paramRows), "", table(header, metricRows), "", "(* marks the parameters that differ)"].join("\n");
}
