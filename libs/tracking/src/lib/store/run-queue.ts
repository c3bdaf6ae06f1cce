// Putting runs on the queue: one run, a frozen-layers x learning-rate sweep, and changes to
// a run's hyperparameters while it still waits (never after: MLflow's immutable params).
import { randomUUID } from "node:crypto";
import type { Prisma, Run } from "../../generated/prisma/client.ts";
import { InvalidInputError, NotFoundError, ParamsImmutableError } from "../errors.ts";
import type { EnqueueRunInput, EnqueueSweepInput, RunParams } from "../tracking-store.ts";
import {
  enqueueRunSchema,
  enqueueSweepSchema,
  idSchema,
  MAX_SWEEP_RUNS,
  parseInput,
  runParamsPatchSchema,
  runParamsSchema,
} from "../validation.ts";
import { requireRun, toJson, writeTransaction, type StoreContext } from "./context.ts";

type RunMeta = Pick<EnqueueRunInput, "experimentId" | "datasetId" | "baseRunId" | "baseCheckpointId">;

/** Checks the rows a new run points at, so a bad id fails with a named error and no insert. */
async function checkReferences(ctx: StoreContext, meta: RunMeta): Promise<void> {
  const [experiment, dataset, baseRun, baseCheckpoint] = await Promise.all([
    ctx.prisma.experiment.findUnique({ where: { id: meta.experimentId }, select: { id: true } }),
    meta.datasetId ? ctx.prisma.dataset.findUnique({ where: { id: meta.datasetId }, select: { id: true } }) : null,
    meta.baseRunId ? ctx.prisma.run.findUnique({ where: { id: meta.baseRunId }, select: { id: true } }) : null,
    meta.baseCheckpointId ? ctx.prisma.checkpoint.findUnique({ where: { id: meta.baseCheckpointId }, select: { runId: true } }) : null,
  ]);
  if (!experiment) throw new NotFoundError("Experiment", meta.experimentId);
  if (meta.datasetId && !dataset) throw new NotFoundError("Dataset", meta.datasetId);
  if (meta.baseRunId && !baseRun) throw new NotFoundError("Run", meta.baseRunId);
  if (meta.baseCheckpointId && !baseCheckpoint) throw new NotFoundError("Checkpoint", meta.baseCheckpointId);
  if (baseCheckpoint && baseCheckpoint.runId !== meta.baseRunId) {
    throw new InvalidInputError("baseCheckpointId", `checkpoint ${meta.baseCheckpointId} belongs to run ${baseCheckpoint.runId}, not to the base run ${meta.baseRunId ?? "(none)"}`, "pin a checkpoint of the base run");
  }
}

/** The lineage columns of a new run: the base run and the checkpoint pinned from it. */
function lineage(meta: Pick<EnqueueRunInput, "baseRunId" | "baseCheckpointId" | "baseCheckpointSha256">) {
  return { baseRunId: meta.baseRunId ?? null, baseCheckpointId: meta.baseCheckpointId ?? null, baseCheckpointSha256: meta.baseCheckpointSha256 ?? null };
}

function paramColumns(params: RunParams) {
  const { extra, ...columns } = params;
  return { ...columns, params: toJson(extra ?? {}) };
}

export async function enqueueRun(ctx: StoreContext, input: EnqueueRunInput): Promise<Run> {
  const { experimentId, datasetId, baseRunId, baseCheckpointId, baseCheckpointSha256, name, ...params } = parseInput(enqueueRunSchema, input);
  await checkReferences(ctx, { experimentId, datasetId, baseRunId, baseCheckpointId });
  return ctx.prisma.run.create({
    data: { experimentId, datasetId: datasetId ?? null, ...lineage({ baseRunId, baseCheckpointId, baseCheckpointSha256 }), name: name ?? null, ...paramColumns(params) },
  });
}

export async function enqueueSweep(ctx: StoreContext, input: EnqueueSweepInput): Promise<{ sweepId: string; runs: Run[] }> {
  const { frozenLayers, learningRates, experimentId, datasetId, baseRunId, baseCheckpointId, baseCheckpointSha256, name, ...shared } = parseInput(enqueueSweepSchema, input);
  const size = frozenLayers.length * learningRates.length;
  if (size > MAX_SWEEP_RUNS) {
    throw new InvalidInputError(
      "learningRates",
      `${frozenLayers.length} frozen-layer counts x ${learningRates.length} learning rates make ${size} runs, more than ${MAX_SWEEP_RUNS}`,
      `shorten a list so that the grid has at most ${MAX_SWEEP_RUNS} runs`,
    );
  }
  await checkReferences(ctx, { experimentId, datasetId, baseRunId, baseCheckpointId });
  const sweepId = randomUUID();
  const createdAt = new Date();
  const rows: Prisma.RunCreateManyInput[] = frozenLayers.flatMap((frozen) =>
    learningRates.map((learningRate) => ({
      experimentId,
      datasetId: datasetId ?? null,
      ...lineage({ baseRunId, baseCheckpointId, baseCheckpointSha256 }),
      name: `${name ? `${name} ` : ""}frozen=${frozen} lr=${learningRate}`,
      sweepId,
      createdAt,
      ...paramColumns({ ...shared, frozenLayers: frozen, learningRate }),
    })),
  );
  // One transaction: a sweep is queued whole or not at all, never half a grid.
  const runs = await writeTransaction(ctx, (tx) => tx.run.createManyAndReturn({ data: rows }));
  return { sweepId, runs: runs.sort((a, b) => a.id - b.id) };
}

export async function updateRunParams(ctx: StoreContext, runId: number, patch: Partial<RunParams>): Promise<Run> {
  parseInput(idSchema, runId, "runId");
  const changes = parseInput(runParamsPatchSchema, patch);
  const current = await ctx.prisma.run.findUnique({ where: { id: runId } });
  if (!current) throw new NotFoundError("Run", runId);
  if (current.status !== "QUEUED") throw new ParamsImmutableError(runId, current.status);
  const merged = parseInput(runParamsSchema, {
    frozenLayers: current.frozenLayers,
    learningRate: current.learningRate,
    optimizer: current.optimizer,
    momentum: current.momentum,
    batchSize: current.batchSize,
    epochs: current.epochs,
    patience: current.patience,
    imageSize: current.imageSize,
    base: current.base,
    augment: current.augment,
    seed: current.seed,
    extra: current.params as Record<string, unknown>,
    ...changes,
  });
  // Guarded by status in the same statement: a worker claiming the run meanwhile wins.
  const { count } = await ctx.prisma.run.updateMany({ where: { id: runId, status: "QUEUED" }, data: paramColumns(merged) });
  if (count === 0) throw new ParamsImmutableError(runId, (await requireRun(ctx.prisma, runId)).status);
  return ctx.prisma.run.findUniqueOrThrow({ where: { id: runId } });
}
