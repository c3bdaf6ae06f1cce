// `thaw sweep`: queues the grid frozen-layer counts x learning rates for `thaw worker`.
import type { Command } from "commander";
import { fmtLr } from "../format.ts";
import { enqueueGrid } from "../run/enqueue.ts";
import { withStore } from "../store.ts";
import { parseOptions, sweepSchema } from "../validate.ts";
import { addRunOptions } from "./run-options.ts";

export function registerSweep(program: Command): void {
  addRunOptions(program.command("sweep").description("queue a grid of runs (frozen x lr) for the worker"))
    .option("--frozen <list>", "comma-separated frozen-layer counts, e.g. 11,15,19 (default 19)")
    .option("--lr <list>", "comma-separated learning rates, e.g. 1e-3,1e-4 (default 1e-4)")
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(sweepSchema, raw);
      await withStore(async (store) => {
        // Loaded on demand: the data and model libraries are heavy, listing commands need neither.
        const { planFromOptions } = await import("../run/plan.ts");
        const plan = await planFromOptions(store, opts, opts.frozen, opts.lr);
        const { sweepId, runs } = await enqueueGrid(store, opts, plan, opts.frozen, opts.lr);
        console.log(`Queued sweep ${sweepId}: ${runs.length} run(s) in experiment "${opts.experiment}".`);
        for (const run of runs) console.log(`  run ${run.id}: frozen ${run.frozenLayers}, lr ${fmtLr(run.learningRate)}`);
        console.log("Start `thaw worker` to execute them.");
      });
    });
}
