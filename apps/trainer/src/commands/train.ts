// `thaw train`: enqueue one run, claim it and execute it in this process, so that it is
// recorded exactly as a run executed by the worker.
import type { Command } from "commander";
import type { RunDetail } from "@thaw/tracking";
import { RunEndedError } from "../errors.ts";
import { fmtLr, fmtNumber } from "../format.ts";
import { withStore } from "../store.ts";
import { parseOptions, trainSchema } from "../validate.ts";
import { addRunOptions } from "./run-options.ts";

export function registerTrain(program: Command): void {
  addRunOptions(program.command("train").description("train one run in this process and record it"))
    .option("--frozen <n>", "freeze Keras' layers[:N] (default 19: the whole convolutional base)")
    .option("--lr <rate>", "learning rate (default 1e-4)")
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(trainSchema, raw);
      const { restartForTraining } = await import("../run/restart-for-training.ts");
      if (await restartForTraining()) return;
      await withStore(async (store) => {
        // Loaded on demand: the data and model libraries are heavy, listing commands need neither.
        const { planFromOptions } = await import("../run/plan.ts");
        const plan = await planFromOptions(store, opts, [opts.frozen], [opts.lr]);
        const { trainNow } = await import("../run/train-now.ts");
        const { runId, outcome } = await trainNow(store, opts, plan, opts.frozen, opts.lr, (id) =>
          console.log(`Run ${id} (experiment "${opts.experiment}"): frozen ${opts.frozen}, lr ${fmtLr(opts.lr)}, base ${plan.baseString}`),
        );
        const detail = await store.getRun(runId);
        console.log(summary(detail));
        if (outcome === "FAILED") throw new RunEndedError(`Run ${runId} FAILED: ${detail.error ?? "unknown error"}`, 1);
      });
    });
}

export function summary(run: RunDetail): string {
  const best = run.checkpoints.find((c) => c.epoch === run.bestEpoch) ?? run.checkpoints.at(-1);
  const lines = [
    `Run ${run.id} ${run.status} after ${run.epochsDone} epoch(s).`,
    run.bestEpoch === null ? "No validation accuracy was recorded." : `Best epoch ${run.bestEpoch + 1}: val_accuracy ${fmtNumber(run.bestValAccuracy)}`,
  ];
  if (best) lines.push(`Checkpoint: ${best.path}`);
  return lines.join("\n");
}
