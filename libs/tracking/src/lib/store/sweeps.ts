// Sweeps as records: created with their space, sampler, budget and early-stopping rule; topped
// up by whichever worker ends one of their runs (the sampler is asked when a slot frees, so
// model-based samplers see every result finished by then); and asked after each epoch whether
// a run should go on. Every query is plain Prisma, so any number of workers on SQLite or
// PostgreSQL share the decisions; the unique (sweepId, trialIndex) index keeps two workers that
// top up at once from starting the same trial twice.
import { randomUUID } from "node:crypto";
import type { Prisma, Run, Sweep } from "../../generated/prisma/client.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { seededRng } from "../sweep/rng.ts";
import { suggest, type Observation, type SamplerName } from "../sweep/samplers.ts";
import { decide, schedulerSchema, type Decision, type SchedulerConfig } from "../sweep/scheduler.ts";
import { gridSize, searchSpaceSchema, spaceParams, type Config, type SearchSpace } from "../sweep/search-space.ts";
import { createSweepSchema } from "../sweep/sweep-schema.ts";
import type { CreateSweepInput, RunParams, SweepView } from "../tracking-store.ts";
import { idSchema, parseInput, runMetaShape, runParamsSchema } from "../validation.ts";
import { isUniqueViolation, toJson, writeTransaction, type StoreContext } from "./context.ts";
import { z } from "zod";

const templateSchema = runParamsSchema.omit({ frozenLayers: true, learningRate: true }).extend(runMetaShape);
type Template = z.output<typeof templateSchema>;

const DEFAULT_BUDGET = 20;
const DEFAULT_TPE_STARTUP = 10;

function parseSweep(row: Sweep) {
  return {
    space: searchSpaceSchema.parse(row.space) as SearchSpace,
    scheduler: schedulerSchema.parse(row.scheduler) as SchedulerConfig,
    template: templateSchema.parse(row.template) as Template,
    sampler: row.sampler as SamplerName,
  };
}

function describe(config: Config): string {
  const parts = [`frozen=${config.frozenLayers}`, `lr=${Number(config.learningRate.toPrecision(3))}`];
  if (config.optimizer !== undefined) parts.push(config.optimizer);
  if (config.batchSize !== undefined) parts.push(`batch=${config.batchSize}`);
  if (config.dropout !== undefined) parts.push(`dropout=${Number(config.dropout.toFixed(3))}`);
  if (config.augment !== undefined) parts.push(config.augment ? "augment" : "no-augment");
  return parts.join(" ");
}

function runRow(sweepId: string, template: Template, config: Config, trialIndex: number, createdAt: Date): Prisma.RunCreateManyInput {
  const { experimentId, datasetId, baseRunId, name, extra, ...shared } = template;
  const { dropout, ...columns } = config;
  return {
    experimentId,
    datasetId: datasetId ?? null,
    baseRunId: baseRunId ?? null,
    name: `${name ? `${name} ` : ""}${describe(config)}`,
    sweepId,
    trialIndex,
    createdAt,
    ...shared,
    ...columns,
    params: toJson({ ...(extra ?? {}), ...(dropout !== undefined && { dropout }) }),
  };
}

/**
 * The order runs are queued (and so claimed) in. A grid lists one frozen count's cells before
 * the next; under an asynchronous scheduler the first runs to reach a rung set its bar, so a
 * grid in its own order lets one block of the grid decide for all the others (ASHA with rungs
 * 1, 3, 9 replayed on the demo grid's recorded curves: 172 epochs in grid order against 94 on
 * average over 200 shuffled orders, the same best). Scheduled grids are therefore queued in a seeded random order, as random and
 * TPE sweeps are by nature; their trial indexes still number the grid's cells.
 */
function queueOrder(rows: Prisma.RunCreateManyInput[], sampler: SamplerName, scheduler: SchedulerConfig, seed: number): Prisma.RunCreateManyInput[] {
  if (sampler !== "grid" || scheduler.kind === "none") return rows;
  const rng = seededRng(seed);
  const shuffled = [...rows];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = rng.index(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  return shuffled;
}

/** The varied parameters of a run, read back from its columns (dropout from its JSON). */
function configOf(run: Pick<Run, Exclude<keyof RunParams, "extra"> | "params">, space: SearchSpace): Config {
  const config: Record<string, unknown> = {};
  for (const param of spaceParams(space)) {
    config[param] = param === "dropout" ? Number((run.params as Record<string, unknown>)?.dropout ?? 0) : run[param];
  }
  return config as Config;
}

export async function createSweep(ctx: StoreContext, input: CreateSweepInput): Promise<{ sweep: Sweep; runs: Run[] }> {
  const { space, sampler, budget: askedBudget, parallelism: askedParallelism, scheduler, tpeStartup, ...template } = parseInput(createSweepSchema, input);
  const cells = gridSize(space);
  if (sampler === "grid" && cells === null) {
    throw new InvalidInputError("space", "the grid sampler cannot enumerate a continuous range", "give each parameter a set of values, or use the random or tpe sampler");
  }
  const budget = askedBudget ?? (sampler === "grid" ? (cells as number) : DEFAULT_BUDGET);
  if (sampler === "grid" && budget > (cells as number)) {
    throw new InvalidInputError("budget", `${budget} runs asked of a grid of ${cells} cells`, `set the budget to at most ${cells}, or use the random or tpe sampler`);
  }
  // Grid and random do not learn from results: queue them whole. TPE queues its random
  // start-up runs and then one run per freed slot, each sampled from the results so far.
  const startup = Math.min(budget, tpeStartup ?? DEFAULT_TPE_STARTUP);
  const parallelism = sampler === "tpe" ? Math.min(budget, askedParallelism ?? 2) : budget;
  const first = sampler === "tpe" ? Math.max(startup, parallelism) : budget;
  const experiment = await ctx.prisma.experiment.findUnique({ where: { id: template.experimentId }, select: { id: true } });
  if (!experiment) throw new NotFoundError("Experiment", template.experimentId);
  const sweepId = randomUUID();
  const createdAt = new Date();
  const seed = template.seed;
  const rows = queueOrder(
    Array.from({ length: first }, (_, index) => runRow(sweepId, template, suggest({ sampler, space, seed, budget, index, history: [], tpe: { startup } }), index, createdAt)),
    sampler,
    scheduler,
    seed,
  );
  const result = await writeTransaction(ctx, async (tx) => {
    const sweep = await tx.sweep.create({
      data: {
        id: sweepId,
        experimentId: template.experimentId,
        sampler,
        space: toJson(space),
        budget,
        parallelism,
        seed,
        scheduler: toJson({ ...scheduler, ...(sampler === "tpe" && { tpeStartup: startup }) }),
        template: toJson(template),
        createdAt,
      },
    });
    const runs = await tx.run.createManyAndReturn({ data: rows });
    return { sweep, runs };
  });
  return { sweep: result.sweep, runs: result.runs.sort((a, b) => a.id - b.id) };
}

/**
 * Asks the sampler for as many new runs as the sweep has free slots (its parallelism minus
 * its QUEUED runs, within its budget). Called when a run of the sweep ends; safe to call at
 * any time and from several processes. Returns the runs it queued.
 */
export async function refillSweep(ctx: StoreContext, sweepId: string): Promise<Run[]> {
  const row = await ctx.prisma.sweep.findUnique({ where: { id: sweepId } });
  if (!row) return [];
  const { space, template, sampler } = parseSweep(row);
  const startup = Number((row.scheduler as Record<string, unknown>).tpeStartup ?? DEFAULT_TPE_STARTUP);
  try {
    return await writeTransaction(ctx, async (tx) => {
      const runs = await tx.run.findMany({ where: { sweepId }, orderBy: { trialIndex: "asc" } });
      const queued = runs.filter((run) => run.status === "QUEUED").length;
      const free = Math.min(row.budget - runs.length, row.parallelism - queued);
      if (free <= 0) return [];
      const history: Observation[] = runs
        .filter((run) => run.status === "FINISHED" && run.bestValAccuracy !== null)
        .map((run) => ({ config: configOf(run, space), value: run.bestValAccuracy as number }));
      const next = Math.max(-1, ...runs.map((run) => run.trialIndex ?? -1)) + 1;
      const createdAt = new Date();
      const rows = Array.from({ length: free }, (_, k) =>
        runRow(sweepId, template, suggest({ sampler, space, seed: row.seed, budget: row.budget, index: next + k, history, tpe: { startup } }), next + k, createdAt),
      );
      return tx.run.createManyAndReturn({ data: rows });
    });
  } catch (error) {
    // Another worker topped the sweep up at the same moment and took these trial numbers.
    if (isUniqueViolation(error)) return [];
    throw error;
  }
}

/**
 * After epoch `epoch` of a run has been logged: should it go on? Reads the sweep's rule and
 * the curves of its runs from the store; a prune is recorded on the run (prunedAtEpoch,
 * pruneReason) before the answer returns, so the worker only has to stop and finish it.
 */
export async function decideEpoch(ctx: StoreContext, runId: number, epoch: number): Promise<Decision> {
  parseInput(idSchema, runId, "runId");
  const run = await ctx.prisma.run.findUnique({ where: { id: runId }, select: { sweepId: true, epochs: true, status: true } });
  if (!run) throw new NotFoundError("Run", runId);
  if (!run.sweepId || run.status !== "RUNNING") return { prune: false };
  const row = await ctx.prisma.sweep.findUnique({ where: { id: run.sweepId } });
  if (!row) return { prune: false };
  const { scheduler } = parseSweep(row);
  if (scheduler.kind === "none") return { prune: false };
  const metrics = await ctx.prisma.epochMetric.findMany({
    where: { run: { sweepId: run.sweepId }, epoch: { lte: epoch } },
    select: { runId: true, epoch: true, valAccuracy: true },
  });
  const curves = new Map<number, (number | null)[]>();
  for (const metric of metrics) {
    const curve = curves.get(metric.runId) ?? [];
    curve[metric.epoch] = metric.valAccuracy;
    curves.set(metric.runId, curve);
  }
  const others = [...curves].filter(([id, curve]) => id !== runId && curve.length > epoch).map(([, curve]) => curve);
  const decision = decide({ scheduler, epoch, maxEpochs: run.epochs, curve: curves.get(runId) ?? [], others });
  if (decision.prune) {
    await ctx.prisma.run.updateMany({ where: { id: runId, status: "RUNNING" }, data: { prunedAtEpoch: epoch, pruneReason: decision.reason } });
  }
  return decision;
}

function view(row: Sweep, runs: Pick<Run, "status" | "epochs" | "epochsDone" | "prunedAtEpoch" | "bestValAccuracy">[]): SweepView {
  const { space, scheduler, template, sampler } = parseSweep(row);
  const count = (status: Run["status"]) => runs.filter((run) => run.status === status).length;
  const best = runs.reduce<number | null>((acc, run) => (run.bestValAccuracy !== null && (acc === null || run.bestValAccuracy > acc) ? run.bestValAccuracy : acc), null);
  return {
    id: row.id,
    experimentId: row.experimentId,
    sampler,
    space,
    scheduler,
    budget: row.budget,
    parallelism: row.parallelism,
    seed: row.seed,
    createdAt: row.createdAt,
    runs: runs.length,
    queued: count("QUEUED"),
    running: count("RUNNING"),
    finished: count("FINISHED"),
    failed: count("FAILED") + count("STOPPED"),
    pruned: runs.filter((run) => run.prunedAtEpoch !== null).length,
    epochsRun: runs.reduce((acc, run) => acc + run.epochsDone, 0),
    epochsFullBudget: runs.reduce((acc, run) => acc + run.epochs, 0) + Math.max(0, row.budget - runs.length) * template.epochs,
    bestValAccuracy: best,
  };
}

const VIEW_SELECT = { status: true, epochs: true, epochsDone: true, prunedAtEpoch: true, bestValAccuracy: true } satisfies Prisma.RunSelect;

export async function getSweep(ctx: StoreContext, sweepId: string): Promise<SweepView> {
  const row = await ctx.prisma.sweep.findUnique({ where: { id: sweepId } });
  if (!row) throw new NotFoundError("Sweep", sweepId);
  return view(row, await ctx.prisma.run.findMany({ where: { sweepId }, select: VIEW_SELECT }));
}

export async function listSweeps(ctx: StoreContext, experimentId?: number): Promise<SweepView[]> {
  const rows = await ctx.prisma.sweep.findMany({ where: experimentId ? { experimentId } : {}, orderBy: { createdAt: "desc" } });
  const runs = await ctx.prisma.run.findMany({ where: { sweepId: { in: rows.map((row) => row.id) } }, select: { ...VIEW_SELECT, sweepId: true } });
  return rows.map((row) => view(row, runs.filter((run) => run.sweepId === row.id)));
}
