// What a worker writes while it trains: per-epoch metrics, checkpoints and the facts of the
// execution. Metric rows are keyed by (run, epoch), so a repeated epoch replaces its row.
// Every write carries the worker's lease, matched in the statement that admits it.
import { Prisma, type Checkpoint, type EpochMetric, type Run } from "../../generated/prisma/client.ts";
import { InvalidInputError, InvalidStateError } from "../errors.ts";
import type { CheckpointInput, EpochInput, RunInfo, RunRef } from "../tracking-store.ts";
import { runProgressInputSchema, type RunProgressInput } from "../run-progress.ts";
import { checkpointSchema, epochSchema, parseInput, runInfoSchema } from "../validation.ts";
import { dbNow, requireRun, stateError, toJson, writeTransaction, type StoreContext } from "./context.ts";
import { leaseRefusal, requireLease } from "./run-lifecycle.ts";

/**
 * Inside a write transaction: marks the run alive (a write from its worker proves it is) if
 * it is RUNNING under `token` and has `epoch`. Returns false, having written nothing, when not.
 */
async function touchIfRunning(tx: Prisma.TransactionClient, runId: number, token: string, epoch: number, now: Date): Promise<boolean> {
  const { count } = await tx.run.updateMany({
    where: { id: runId, status: "RUNNING", leaseToken: token, epochs: { gt: epoch } },
    data: { heartbeatAt: now },
  });
  return count === 1;
}

/** Why touchIfRunning said no, read after the empty transaction has committed. */
async function refusal(ctx: StoreContext, runId: number, token: string, epoch: number, action: string): Promise<Error> {
  const run = await requireRun(ctx.prisma, runId);
  if (run.status !== "RUNNING") return stateError(ctx.prisma, runId, action, ["RUNNING"], "only the worker running it can write its results");
  if (run.leaseToken !== token) return leaseRefusal(ctx, runId, token, action);
  return new InvalidInputError("epoch", `got ${epoch} but run ${runId} has ${run.epochs} epochs`, `use a 0-based epoch from 0 to ${run.epochs - 1}`);
}

export async function logEpoch(ctx: StoreContext, ref: RunRef, input: EpochInput): Promise<EpochMetric> {
  const { runId, token } = await requireLease(ctx, ref, "log an epoch of");
  const epoch = parseInput(epochSchema, input);
  const values = {
    loss: epoch.loss,
    accuracy: epoch.accuracy,
    valLoss: epoch.valLoss ?? null,
    valAccuracy: epoch.valAccuracy ?? null,
    learningRate: epoch.learningRate ?? null,
    durationMs: epoch.durationMs,
  };
  const now = await dbNow(ctx);
  const logged = await writeTransaction(ctx, async (tx) => {
    if (!(await touchIfRunning(tx, runId, token, epoch.epoch, now))) return null;
    const metric = await tx.epochMetric.upsert({
      where: { runId_epoch: { runId, epoch: epoch.epoch } },
      create: { runId, epoch: epoch.epoch, ...values },
      update: { ...values, createdAt: now },
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
  if (!logged) throw await refusal(ctx, runId, token, epoch.epoch, "log an epoch of");
  return logged;
}

export async function addCheckpoint(ctx: StoreContext, ref: RunRef, input: CheckpointInput): Promise<Checkpoint> {
  const { runId, token } = await requireLease(ctx, ref, "add a checkpoint to");
  const checkpoint = parseInput(checkpointSchema, input);
  const now = await dbNow(ctx);
  const created = await writeTransaction(ctx, async (tx) => {
    if (!(await touchIfRunning(tx, runId, token, checkpoint.epoch, now))) return null;
    return tx.checkpoint.create({
      data: { runId, ...checkpoint, sha256: checkpoint.sha256.toLowerCase(), metrics: toJson(checkpoint.metrics) },
    });
  });
  if (!created) throw await refusal(ctx, runId, token, checkpoint.epoch, "add a checkpoint to");
  return created;
}

/**
 * Records execution facts once known; allowed to the worker that claimed the run, while it runs
 * and after that worker ended it (not after it was reaped: the lease is cleared then).
 */
export async function recordRunInfo(ctx: StoreContext, ref: RunRef, input: RunInfo): Promise<Run> {
  const { runId, token } = await requireLease(ctx, ref, "record execution facts of");
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
  const { count } = await ctx.prisma.run.updateMany({ where: { id: runId, status: { not: "QUEUED" }, leaseToken: token }, data });
  if (count === 0) {
    const run = await requireRun(ctx.prisma, runId);
    if (run.status === "QUEUED") {
      throw new InvalidStateError(runId, run.status, `Cannot record execution facts of run ${runId} because it is ${run.status} and has not started; claim it first.`);
    }
    throw await leaseRefusal(ctx, runId, token, "record execution facts of");
  }
  return ctx.prisma.run.findUniqueOrThrow({ where: { id: runId } });
}

/**
 * Replaces a RUNNING run's in-epoch progress (null clears it). One small UPDATE, also a
 * heartbeat: only the worker running the run writes it.
 */
export async function recordProgress(ctx: StoreContext, ref: RunRef, input: RunProgressInput | null): Promise<void> {
  const { runId, token } = await requireLease(ctx, ref, "record progress of");
  const progress = input === null ? Prisma.DbNull : toJson({ ...parseInput(runProgressInputSchema, input, "progress"), updatedAt: new Date().toISOString() });
  const now = await dbNow(ctx);
  const { count } = await ctx.prisma.run.updateMany({ where: { id: runId, status: "RUNNING", leaseToken: token }, data: { progress, heartbeatAt: now } });
  if (count === 0) {
    const run = await requireRun(ctx.prisma, runId);
    if (run.status !== "RUNNING") throw await stateError(ctx.prisma, runId, "record progress of", ["RUNNING"], "only the worker running it writes its progress");
    throw await leaseRefusal(ctx, runId, token, "record progress of");
  }
}
