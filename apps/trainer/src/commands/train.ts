// `thaw train`: enqueue one run, claim it and execute it in this process, so that it is
// recorded exactly as a run executed by the worker.
import type { Command } from "commander";
import type { RunDetail } from "@thaw/tracking";
import { RunEndedError } from "../errors.ts";
import { fmtNumber } from "../format.ts";
import { enqueueOne } from "../run/enqueue.ts";
import { executeRun } from "../run/execute-run.ts";
import { preflight } from "../run/preflight.ts";
import { withStore } from "../store.ts";
import { parseOptions, trainSchema } from "../validate.ts";
import { workerIdOf } from "../worker/worker-id.ts";
import { addRunOptions } from "./run-options.ts";

export function registerTrain(program: Command): void {
  addRunOptions(program.command("train").description("train one run in this process and record it"))
    .option("--frozen <n>", "freeze Keras' layers[:N] (default 19: the whole convolutional base)")
    .option("--lr <rate>", "learning rate (default 1e-4)")
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(trainSchema, raw);
      await withStore(async (store) => {
        const plan = await preflight(store, { ...opts, frozen: [opts.frozen] });
        const queued = await enqueueOne(store, opts, plan, opts.frozen, opts.lr);
        const workerId = workerIdOf();
        const run = await store.claimRun(queued.id, workerId);
        console.log(`Run ${run.id} (experiment "${opts.experiment}"): frozen ${opts.frozen}, lr ${opts.lr}, base ${plan.baseString}`);
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
        try {
          const outcome = await executeRun(store, run, { workerId, signal: controller.signal });
          const detail = await store.getRun(run.id);
          console.log(summary(detail));
          if (outcome.status === "FAILED") throw new RunEndedError(`Run ${run.id} FAILED: ${detail.error ?? "unknown error"}`, 1);
        } finally {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
        }
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
