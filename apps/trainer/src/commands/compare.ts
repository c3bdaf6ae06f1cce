// `thaw compare RUN...`: parameters side by side (differing ones marked), best and last metrics.
import type { Command } from "commander";
import type { RunDetail } from "@thaw/tracking";
import { UsageError } from "../errors.ts";
import { fmtNumber, table } from "../format.ts";
import { parseRunId, requireRun } from "../refs.ts";
import { runParamPairs } from "../run-params.ts";
import { withStore } from "../store.ts";

export function registerCompare(program: Command): void {
  program
    .command("compare")
    .description("compare runs: parameters side by side, differing ones marked with *")
    .argument("<runs...>", "two or more run ids")
    .action(async (runTexts: string[]) => {
      const ids = runTexts.map(parseRunId);
      if (ids.length < 2) throw new UsageError("Compare needs at least two runs; give two or more run ids.");
      await withStore(async (store) => {
        const runs: RunDetail[] = [];
        for (const id of ids) runs.push(await requireRun(store, id));
        console.log(renderComparison(runs));
      });
    });
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
    ["status", ...runs.map((r) => r.status)],
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
