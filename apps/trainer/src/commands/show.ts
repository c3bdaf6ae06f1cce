// `thaw show RUN`: parameters, facts of the execution, per-epoch metrics and checkpoints.
import type { Command } from "commander";
import { artifactPath, parseRunProgress, type RunDetail, type RunInfo, type TestEvaluation } from "@thaw/tracking";
import { fmtBytes, fmtDuration, fmtNumber, table } from "../format.ts";
import { parseRunId, requireRun } from "../refs.ts";
import { progressBar } from "../progress.ts";
import { describeProgress } from "../run/progress-meter.ts";
import { runParamPairs } from "../run-params.ts";
import { withStore } from "../store.ts";

export function registerShow(program: Command): void {
  program
    .command("show")
    .description("show a run: parameters, per-epoch metrics, checkpoints, evaluation")
    .argument("<run>", "run id")
    .action(async (runText: string) => {
      const runId = parseRunId(runText);
      await withStore(async (store) => console.log(renderRun(await requireRun(store, runId))));
    });
}

export function renderRun(run: RunDetail): string {
  const out: string[] = [];
  const duration = run.startedAt ? (run.endedAt ?? new Date()).getTime() - run.startedAt.getTime() : null;
  out.push(`Run ${run.id}${run.name ? ` (${run.name})` : ""}  ${run.status}  experiment "${run.experiment.name}"  duration ${fmtDuration(duration)}`);
  if (run.error) out.push(`error: ${run.error}`);
  const progress = run.status === "RUNNING" ? parseRunProgress(run.progress) : null;
  if (progress) {
    const age = Math.max(0, Math.round((Date.now() - Date.parse(progress.updatedAt)) / 1000));
    out.push(`epoch ${progress.epoch + 1}/${run.epochs} ${progressBar(progress.done, progress.total)} ${describeProgress(progress)} (${age} s ago)`);
  }
  if (run.pruneReason) out.push(`early stopping: ${run.pruneReason} (sweep ${run.sweepId})`);
  out.push("", table(["param", "value"], runParamPairs(run)));
  const facts: Array<[string, string]> = [
    ["dataset", run.dataset ? `${run.dataset.name} (${artifactPath(run.dataset.path)})` : "-"],
    ["dataset fingerprint", run.datasetFingerprint ?? "-"],
    ["base run", run.baseRun ? `${run.baseRun.id} ${run.baseRun.name ?? ""} ${run.baseRun.status}`.replace(/\s+/g, " ") : "-"],
    ["base checkpoint", run.baseCheckpointId !== null ? `ckpt ${run.baseCheckpointId} (sha256 ${(run.baseCheckpointSha256 ?? "?").slice(0, 12)}), pinned when queued` : "-"],
    ["base weights hash", run.baseWeightsHash ?? "-"],
    ["backend", run.backend ?? "-"],
    ["engine", run.engine ?? "-"],
    ["thaw version", run.thawVersion ?? "-"],
    ["worker", run.workerId ?? "-"],
    ["sweep", run.sweepId ?? "-"],
  ];
  out.push("", table(["fact", "value"], facts));
  const skipped = Array.isArray(run.skipReport) ? (run.skipReport as RunInfo["skipReport"]) ?? [] : [];
  if (skipped.length > 0) out.push("", `skipped files (${skipped.length}):`, ...skipped.map((s) => `  ${s.path}: ${s.reason}`));
  if (run.metrics.length > 0) {
    const rows = [...run.metrics]
      .sort((a, b) => a.epoch - b.epoch)
      .map((m) => [
        String(m.epoch + 1),
        fmtNumber(m.loss),
        fmtNumber(m.accuracy),
        fmtNumber(m.valLoss),
        fmtNumber(m.valAccuracy),
        `${(m.durationMs / 1000).toFixed(1)}s`,
        m.epoch === run.bestEpoch ? "*" : "",
      ]);
    out.push("", table(["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "time", "best"], rows));
  }
  if (run.checkpoints.length > 0) {
    const rows = run.checkpoints.map((c) => [String(c.id), String(c.epoch + 1), fmtBytes(c.sizeBytes), c.sha256.slice(0, 12), c.path]);
    out.push("", table(["ckpt", "epoch", "size", "sha256", "path"], rows));
  }
  if (run.derivedRuns.length > 0) {
    const rows = run.derivedRuns.map((d) => [String(d.id), d.name ?? "", d.status, d.baseCheckpointId !== null ? `ckpt ${d.baseCheckpointId}` : "best at start"]);
    out.push("", "runs started from this run's checkpoints:", table(["run", "name", "status", "from"], rows));
  }
  const evaluation = run.evaluation as RunInfo["evaluation"] | null;
  if (evaluation) out.push("", renderEvaluation(evaluation));
  const testEvaluation = run.testEvaluation as TestEvaluation | null;
  if (testEvaluation) out.push("", renderTestEvaluation(testEvaluation));
  if (run.errorStack) out.push("", run.errorStack);
  return out.join("\n");
}

function renderEvaluation(evaluation: NonNullable<RunInfo["evaluation"]>): string {
  const names = evaluation.classNames;
  const rows = names.map((name, i) => [
    name,
    ...evaluation.confusionMatrix[i].map(String),
    fmtNumber(evaluation.perClassAccuracy[i]),
  ]);
  return [
    "confusion matrix of the best checkpoint on the validation data (rows: true, columns: predicted)",
    table(["class", ...names, "accuracy"], rows),
  ].join("\n");
}

function renderTestEvaluation(test: TestEvaluation): string {
  const names = test.classNames;
  const source = test.testSplit > 0 ? `${test.testSplit} of each class held out (seed ${test.testSeed})` : "the test/ folder";
  const rows = names.map((name, i) => [name, ...test.confusionMatrix[i].map(String), fmtNumber(test.precision[i]), fmtNumber(test.recall[i])]);
  return [
    `test set: ${test.images.length} images, ${source}; best checkpoint ${test.checkpointId} accuracy ${fmtNumber(test.accuracy)}`,
    "confusion matrix on the test set (rows: true, columns: predicted)",
    table(["class", ...names, "precision", "recall"], rows),
  ].join("\n");
}
