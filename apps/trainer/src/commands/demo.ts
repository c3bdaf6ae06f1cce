// `thaw demo`: everything a first visitor needs, offline. A synthetic source dataset and a
// smaller target dataset; a small VGG (same builder, reduced width and input) pretrained on
// the source as an ordinary tracked run; then a queued sweep transferring it to the target
// (frozen counts x learning rates) next to a from-scratch baseline on the same target data.
// Idempotent: a second call sees the demo and only says so. `--wait` executes the queue here
// and prints the closing note (wall time, best validation accuracies, transfer vs scratch).
import os from "node:os";
import type { Command } from "commander";
import { heartbeatTimings } from "../config.ts";
import { withStore } from "../store.ts";
import { runWorker } from "../worker/pool.ts";
import { cpuBudget } from "../worker/cpu-budget.ts";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("prepare the offline demo: synthetic data, a pretrained small VGG, a queued transfer sweep")
    .option("--quick", "a much smaller demo (for tests)")
    .option("--wait", "execute the queued runs here and print the closing note")
    .option("--concurrency <n>", "runs at a time with --wait (default: one per CPU core)")
    .action(async (opts: { quick?: boolean; wait?: boolean; concurrency?: string }) => {
      const started = Date.now();
      // Loaded on demand: the demo pulls in the data and model libraries.
      const { demoSizes, prepareDemo, closingNote, findDemo } = await import("../demo/demo.ts");
      const sizes = demoSizes(Boolean(opts.quick));
      const existing = await withStore((store) => findDemo(store));
      if (existing && !opts.wait) {
        console.log(`The demo is already prepared (experiments "${existing.pretrain}" and "${existing.transfer}"); nothing to do. \`thaw runs\` lists its runs.`);
        return;
      }
      if (!existing) await withStore((store) => prepareDemo(store, sizes, (line) => console.log(`[demo] ${line}`)));
      if (!opts.wait) {
        console.log("[demo] the transfer sweep and the scratch baseline are queued; `thaw worker` (started by `npm start`) executes them.");
        return;
      }
      await runWorker({
        once: true,
        budget: cpuBudget({ concurrency: opts.concurrency }, os.availableParallelism()),
        pollMs: 500,
        heartbeatTimeoutMs: heartbeatTimings().timeoutMs,
        log: (line) => console.log(`[worker] ${line}`),
      });
      console.log(await withStore((store) => closingNote(store, Date.now() - started)));
    });
}
