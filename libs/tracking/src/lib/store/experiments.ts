// Experiments: named groups of runs, each with at most one `champion` checkpoint.
import type { Experiment } from "../../generated/prisma/client.ts";
import { DuplicateNameError, NotFoundError } from "../errors.ts";
import type { ExperimentSummary } from "../tracking-store.ts";
import { experimentSchema, idSchema, parseInput } from "../validation.ts";
import { isUniqueViolation, type StoreContext } from "./context.ts";

export const CHAMPION = "champion";

export async function createExperiment(ctx: StoreContext, input: { name: string; description?: string }): Promise<Experiment> {
  const data = parseInput(experimentSchema, input);
  try {
    return await ctx.prisma.experiment.create({ data });
  } catch (error) {
    if (isUniqueViolation(error)) throw new DuplicateNameError("Experiment", data.name);
    throw error;
  }
}

export async function ensureExperiment(ctx: StoreContext, name: string): Promise<Experiment> {
  const data = parseInput(experimentSchema, { name });
  const existing = await ctx.prisma.experiment.findUnique({ where: { name: data.name } });
  if (existing) return existing;
  try {
    return await ctx.prisma.experiment.create({ data });
  } catch (error) {
    // Another process created it between our read and our insert: theirs is ours.
    if (isUniqueViolation(error)) return ctx.prisma.experiment.findUniqueOrThrow({ where: { name: data.name } });
    throw error;
  }
}

export async function getExperiment(ctx: StoreContext, idOrName: number | string): Promise<Experiment> {
  const experiment =
    typeof idOrName === "number"
      ? await ctx.prisma.experiment.findUnique({ where: { id: parseInput(idSchema, idOrName, "experimentId") } })
      : await ctx.prisma.experiment.findUnique({ where: { name: idOrName } });
  if (!experiment) throw new NotFoundError("Experiment", idOrName);
  return experiment;
}

/** Bytes of live checkpoints per experiment. */
async function experimentBytes(ctx: StoreContext): Promise<Map<number, bigint>> {
  const perRun = await ctx.prisma.checkpoint.groupBy({ by: ["runId"], where: { deletedAt: null }, _sum: { sizeBytes: true } });
  const runs = await ctx.prisma.run.findMany({ where: { id: { in: perRun.map((row) => row.runId) } }, select: { id: true, experimentId: true } });
  const experimentOf = new Map(runs.map((run) => [run.id, run.experimentId]));
  const bytes = new Map<number, bigint>();
  for (const row of perRun) {
    const experimentId = experimentOf.get(row.runId);
    if (experimentId !== undefined) bytes.set(experimentId, (bytes.get(experimentId) ?? 0n) + BigInt(row._sum.sizeBytes ?? 0));
  }
  return bytes;
}

/** Every experiment with its run counts, best validation accuracy and champion, in four queries. */
export async function listExperiments(ctx: StoreContext): Promise<ExperimentSummary[]> {
  const [experiments, totals, running, champions, disk] = await Promise.all([
    ctx.prisma.experiment.findMany({ orderBy: { id: "asc" } }),
    ctx.prisma.run.groupBy({ by: ["experimentId"], _count: { _all: true }, _max: { bestValAccuracy: true } }),
    ctx.prisma.run.groupBy({ by: ["experimentId"], where: { status: "RUNNING" }, _count: { _all: true } }),
    ctx.prisma.modelAlias.findMany({
      where: { alias: CHAMPION },
      select: { experimentId: true, checkpointId: true, checkpoint: { select: { runId: true } } },
    }),
    experimentBytes(ctx),
  ]);
  const totalBy = new Map(totals.map((row) => [row.experimentId, row]));
  const runningBy = new Map(running.map((row) => [row.experimentId, row._count._all]));
  const championBy = new Map(champions.map((row) => [row.experimentId, { checkpointId: row.checkpointId, runId: row.checkpoint.runId }]));
  return experiments.map((experiment) => ({
    ...experiment,
    runCount: totalBy.get(experiment.id)?._count._all ?? 0,
    runningCount: runningBy.get(experiment.id) ?? 0,
    bestValAccuracy: totalBy.get(experiment.id)?._max.bestValAccuracy ?? null,
    champion: championBy.get(experiment.id) ?? null,
    diskBytes: disk.get(experiment.id) ?? 0n,
  }));
}
