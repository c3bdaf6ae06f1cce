// `thaw worker` and the hidden child command it forks for each run.
import os from "node:os";
import type { Command } from "commander";
import { heartbeatTimings } from "../config.ts";
import { cpuBudget } from "../worker/cpu-budget.ts";
import { CHILD_COMMAND, runChild } from "../worker/child.ts";
import { runWorker } from "../worker/pool.ts";

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("execute queued runs until stopped (SIGINT/SIGTERM stop runs at the next batch)")
    .option("--once", "exit when the queue is empty")
    .option("--concurrency <n>", "runs at a time, each in its own process (default: cores / --threads, else one per core)")
    .option("--threads <n>", "ONNX Runtime threads per run (default: cores / --concurrency); runs x threads must fit in the cores")
    .option("--poll <ms>", "how often to look for queued runs", "1000")
    .action(async (opts: { once?: boolean; concurrency?: string; threads?: string; poll: string }) => {
      await runWorker({
        once: Boolean(opts.once),
        budget: cpuBudget(opts, os.availableParallelism()),
        pollMs: Math.max(50, Number(opts.poll) || 1000),
        heartbeatTimeoutMs: heartbeatTimings().timeoutMs,
        log: (line) => console.log(`[worker] ${line}`),
      });
    });
  program.command(CHILD_COMMAND, { hidden: true }).action(async () => {
    process.exitCode = await runChild();
  });
}
