// `thaw sweep`: queues a search over frozen layers, learning rate and optionally optimizer,
// batch size, dropout and augmentation for `thaw worker`. The grid sampler (the default) runs
// every cell; random and tpe draw `--runs` configurations, tpe from the results so far as
// workers free slots; `--scheduler asha|median` stops losing runs early.
import type { Command } from "commander";
import { gridSize, type Domain, type SchedulerConfig, type SearchSpace } from "@thaw/tracking";
import { UsageError } from "../errors.ts";
import { fmtLr } from "../format.ts";
import { enqueueSearch } from "../run/enqueue.ts";
import { withStore } from "../store.ts";
import { parseOptions, sweepSchema, type SweepOptions } from "../validate.ts";
import { addRunOptions } from "./run-options.ts";

export function registerSweep(program: Command): void {
  addRunOptions(program.command("sweep").description("queue a sweep of runs (grid, random or TPE search, optional early stopping) for the worker"))
    .option("--frozen <set|range>", "frozen-layer counts: 11,15,19 or 11..19 (default 19)")
    .option("--lr <set|range>", "learning rates: 1e-3,1e-4 or 1e-5..1e-2:log (default 1e-4)")
    .option("--augment-both", "try each configuration's augmentation on and off (a searched parameter)")
    .option("--sampler <name>", "grid | random | tpe (default grid)")
    .option("--runs <n>", "run budget (default: the grid's size; 20 for random and tpe)")
    .option("--parallel <n>", "tpe: runs waiting at once, sampled as slots free (default 2)")
    .option("--scheduler <name>", "early stopping of losing runs: none | asha | median (default none)")
    .option("--min-epochs <n>", "asha: first rung; median: epochs before any pruning (default 1)")
    .option("--reduction-factor <n>", "asha: keep the top 1/n at each rung, rungs every n-fold epochs (default 3)")
    .option("--min-runs <n>", "median: other runs that must have reached an epoch before pruning there (default 3)")
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(sweepSchema, raw);
      const space = searchSpace(opts);
      await withStore(async (store) => {
        // Loaded on demand: the data and model libraries are heavy, listing commands need neither.
        // Refused whole when any frozen count cannot run: a sweep is queued entire or not at all.
        const { planFromOptions } = await import("../run/plan.ts");
        const plan = await planFromOptions(store, { ...opts, dropout: maxOf(opts.dropout), batch: firstOf(opts.batch) }, valuesToCheck(opts.frozen), valuesToCheck(opts.lr));
        const settings = { ...opts, optimizer: opts.optimizer[0], batch: firstOf(opts.batch), dropout: firstOf(opts.dropout) };
        const { sweep, runs } = await enqueueSearch(store, settings, plan, {
          space,
          sampler: opts.sampler,
          budget: opts.runs,
          parallelism: opts.parallel,
          scheduler: schedulerOf(opts),
        });
        console.log(`Queued sweep ${sweep.id} (${sweep.sampler}, ${sweep.budget} run(s), ${describeScheduler(schedulerOf(opts))}) in experiment "${opts.experiment}":`);
        for (const run of runs) console.log(`  run ${run.id}: frozen ${run.frozenLayers}, lr ${fmtLr(run.learningRate)}${run.name ? ` (${run.name})` : ""}`);
        if (runs.length < sweep.budget) console.log(`  the other ${sweep.budget - runs.length} are sampled by the workers as runs finish (up to ${sweep.parallelism} waiting at once).`);
        console.log("Start `thaw worker` to execute them.");
      });
    });
}

function varies(domain: Domain<number>): boolean {
  return domain.kind === "range" ? domain.max > domain.min : domain.values.length > 1;
}

function firstOf(domain: Domain<number>): number {
  return domain.kind === "range" ? domain.min : domain.values[0];
}

function maxOf(domain: Domain<number>): number {
  return domain.kind === "range" ? domain.max : Math.max(...domain.values);
}

function valuesToCheck(domain: Domain<number>): number[] {
  return domain.kind === "range" ? [domain.min, domain.max] : domain.values;
}

export function searchSpace(opts: SweepOptions): SearchSpace {
  const space: SearchSpace = { frozenLayers: opts.frozen, learningRate: opts.lr };
  if (opts.optimizer.length > 1) space.optimizer = { kind: "set", values: opts.optimizer };
  if (varies(opts.batch)) space.batchSize = opts.batch;
  if (varies(opts.dropout)) space.dropout = opts.dropout;
  if (opts.augmentBoth) space.augment = { kind: "set", values: [false, true] };
  if (opts.sampler === "grid" && gridSize(space) === null) {
    throw new UsageError("The grid sampler cannot enumerate a continuous range (--lr or --dropout given as lo..hi); give a list such as 1e-3,1e-4, or use --sampler random or tpe with --runs.");
  }
  return space;
}

function schedulerOf(opts: SweepOptions): SchedulerConfig {
  if (opts.scheduler === "asha") return { kind: "asha", minEpochs: opts.minEpochs, reductionFactor: opts.reductionFactor };
  if (opts.scheduler === "median") return { kind: "median", minEpochs: opts.minEpochs, minRuns: opts.minRuns };
  return { kind: "none" };
}

export function describeScheduler(scheduler: SchedulerConfig): string {
  if (scheduler.kind === "asha") return `ASHA from epoch ${scheduler.minEpochs}, reduction factor ${scheduler.reductionFactor}`;
  if (scheduler.kind === "median") return `median rule from epoch ${scheduler.minEpochs} once ${scheduler.minRuns} runs report`;
  return "no early stopping";
}
