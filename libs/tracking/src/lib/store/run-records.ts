// What a worker writes while it trains: per-epoch metrics, checkpoints and the facts of the
// execution. Metric rows are keyed by (run, epoch), so a repeated epoch replaces its row.
import type { Checkpoint, EpochMetric, Prisma, Run } from "../../generated/prisma/client.ts";
import { InvalidInputError, InvalidStateError } from "../errors.ts";
import type { CheckpointInput, EpochInput, RunInfo } from "../tracking-store.ts";
import { checkpointSchema, epochSchema, idSchema, parseInput, runInfoSchema } from "../validation.ts";
import { requireRun, stateError, toJson, writeTransaction, type StoreContext } from "./context.ts";

/**
 * Inside a write transaction: marks the run alive (a write from its worker proves it is) if
 * it is RUNNING and has `epoch`. Returns false, having written nothing, when it is not.
 */
async function touchIfRunning(tx: Prisma.TransactionClient, runId: number, epoch: number): Promise<boolean> {
  const { count } = await tx.run.updateMany({
    where: { id: runId, status: "RUNNING", epochs: { gt: epoch } },
    data: { heartbeatAt: new Date() },
  });
  return count === 1;
}

/** Why touchIfRunning said no, read after the empty transaction has committed. */
async function refusal(ctx: StoreContext, runId: number, epoch: number, action: string): Promise<Error> {
  const run = await requireRun(ctx.prisma, runId);
  if (run.status !== "RUNNING") return stateError(ctx.prisma, runId, action, ["RUNNING"], "only the worker running it can write its results");
  return new InvalidInputError("epoch", `got ${epoch} but run ${runId} has ${run.epochs} epochs`, `use a 0-based epoch from 0 to ${run.epochs - 1}`);
}

export async function logEpoch(ctx: StoreContext, runId: number, input: EpochInput): Promise<EpochMetric> {
  parseInput(idSchema, runId, "runId");
  const epoch = parseInput(epochSchema, input);
  const values = {
    loss: epoch.loss,
    accuracy: epoch.accuracy,
    valLoss: epoch.valLoss ?? null,
    valAccuracy: epoch.valAccuracy ?? null,
    learningRate: epoch.learningRate ?? null,
    durationMs: epoch.durationMs,
  };
  const logged = await writeTransaction(ctx.prisma, async (tx) => {
    if (!(await touchIfRunning(tx, runId, epoch.epoch))) return null;
    const metric = await tx.epochMetric.upsert({
      where: { runId_epoch: { runId, epoch: epoch.epoch } },
      create: { runId, epoch: epoch.epoch, ...values },
      update: { ...values, createdAt: new Date() },
    });
    // Summaries are recomputed from all rows, so replacing an epoch can lower the best too.
    await tx.$executeRaw`
      UPDATE "Run" SET
        "epochsDone" = (SELECT COUNT(*) FROM "EpochMetric" WHERE "runId" = ${runId}),
        "bestValAccuracy" = (SELECT MAX("valAccuracy") FROM "EpochMetric" WHERE "runId" = ${runId}),
        "bestEpoch" = (SELECT "epoch" FROM "EpochMetric" WHERE "runId" = ${runId} AND "valAccuracy" IS NOT NULL
                       ORDER BY "valAccuracy" DESC, "epoch" ASC LIMIT 1),
        "lastValAccuracy" = (SELECT "valAccuracy" FROM "EpochMetric" WHERE "runId" = ${runId} ORDER BY "epoch" DESC LIMIT 1)
      WHERE "id" = ${runId}`;
    return metric;
  });
  if (!logged) throw await refusal(ctx, runId, epoch.epoch, "log an epoch of");
  return logged;
}

export async function addCheckpoint(ctx: StoreContext, runId: number, input: CheckpointInput): Promise<Checkpoint> {
  parseInput(idSchema, runId, "runId");
  const checkpoint = parseInput(checkpointSchema, input);
  const created = await writeTransaction(ctx.prisma, async (tx) => {
    if (!(await touchIfRunning(tx, runId, checkpoint.epoch))) return null;
    return tx.checkpoint.create({
      data: { runId, ...checkpoint, sha256: checkpoint.sha256.toLowerCase(), metrics: toJson(checkpoint.metrics) },
    });
  });
  if (!created) throw await refusal(ctx, runId, checkpoint.epoch, "add a checkpoint to");
  return created;
}

/** Records execution facts once known; allowed on a started run, also after it ended. */
export async function recordRunInfo(ctx: StoreContext, runId: number, input: RunInfo): Promise<Run> {
  parseInput(idSchema, runId, "runId");
  const info = parseInput(runInfoSchema, input);
  for (const [field, checkpointId] of [["evaluation", info.evaluation?.checkpointId], ["testEvaluation", info.testEvaluation?.checkpointId]] as const) {
    if (checkpointId === undefined) continue;
    const owner = await ctx.prisma.checkpoint.findUnique({ where: { id: checkpointId }, select: { runId: true } });
    if (owner?.runId !== runId) {
      throw new InvalidInputError(`${field}.checkpointId`, `checkpoint ${checkpointId} is not a checkpoint of run ${runId}`, "use the id of a checkpoint this run saved");
    }
  }
  const { skipReport, evaluation, testEvaluation, ...facts } = info;
  const data: Prisma.RunUpdateManyMutationInput = {
    ...facts,
    ...(skipReport !== undefined && { skipReport: toJson(skipReport) }),
    ...(evaluation !== undefined && { evaluation: toJson(evaluation) }),
    ...(testEvaluation !== undefined && { testEvaluation: toJson(testEvaluation), testAccuracy: testEvaluation.accuracy }),
  };
  const { count } = await ctx.prisma.run.updateMany({ where: { id: runId, status: { not: "QUEUED" } }, data });
  if (count === 0) {
    const run = await requireRun(ctx.prisma, runId);
    throw new InvalidStateError(runId, run.status, `Cannot record execution facts of run ${runId} because it is ${run.status} and has not started; claim it first.`);
  }
  return ctx.prisma.run.findUniqueOrThrow({ where: { id: runId } });
}
