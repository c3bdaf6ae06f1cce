// A run's life: QUEUED -> RUNNING (claimed by one worker) -> FINISHED | FAILED | STOPPED.
// Every transition is one guarded UPDATE (WHERE status = ...), so two processes racing for
// the same run cannot both win; the loser gets a named error, never a silent double start.
import { Prisma, type Run, type RunStatus } from "../../generated/prisma/client.ts";
import { InvalidStateError } from "../errors.ts";
import { failureSchema, idSchema, parseInput, timeoutSchema, workerIdSchema } from "../validation.ts";
import { requireRun, stateError, type StoreContext } from "./context.ts";

const ACTIVE: RunStatus[] = ["QUEUED", "RUNNING"];

/** Claims the oldest QUEUED run in one statement; SQLite's write lock makes it exclusive. */
export async function claimNextRun(ctx: StoreContext, workerId: string): Promise<Run | null> {
  const worker = parseInput(workerIdSchema, workerId, "workerId");
  const now = new Date();
  const claimed = await ctx.prisma.$queryRaw<{ id: number }[]>`
    UPDATE "Run"
    SET "status" = 'RUNNING', "workerId" = ${worker}, "startedAt" = ${now}, "heartbeatAt" = ${now}
    WHERE "status" = 'QUEUED'
      AND "id" = (SELECT "id" FROM "Run" WHERE "status" = 'QUEUED' ORDER BY "createdAt" ASC, "id" ASC LIMIT 1)
    RETURNING "id"`;
  if (claimed.length === 0) return null;
  return ctx.prisma.run.findUniqueOrThrow({ where: { id: Number(claimed[0].id) } });
}

export async function claimRun(ctx: StoreContext, runId: number, workerId: string): Promise<Run> {
  parseInput(idSchema, runId, "runId");
  const worker = parseInput(workerIdSchema, workerId, "workerId");
  const now = new Date();
  const { count } = await ctx.prisma.run.updateMany({
    where: { id: runId, status: "QUEUED" },
    data: { status: "RUNNING", workerId: worker, startedAt: now, heartbeatAt: now },
  });
  if (count === 0) throw await stateError(ctx.prisma, runId, "claim", ["QUEUED"], "enqueue a new run with the same parameters to train again");
  return ctx.prisma.run.findUniqueOrThrow({ where: { id: runId } });
}

export async function heartbeat(ctx: StoreContext, runId: number, workerId: string): Promise<{ stopRequested: boolean }> {
  parseInput(idSchema, runId, "runId");
  const worker = parseInput(workerIdSchema, workerId, "workerId");
  const { count } = await ctx.prisma.run.updateMany({
    where: { id: runId, status: "RUNNING", workerId: worker },
    data: { heartbeatAt: new Date() },
  });
  if (count === 0) {
    const run = await requireRun(ctx.prisma, runId);
    const detail =
      run.status === "RUNNING"
        ? `it is claimed by worker "${run.workerId}", not "${worker}"`
        : run.status === "FAILED"
          ? "it is FAILED, perhaps marked lost after missed heartbeats"
          : `it is ${run.status}`;
    throw new InvalidStateError(runId, run.status, `Worker "${worker}" no longer owns run ${runId}: ${detail}; stop working on it and claim another run.`);
  }
  const run = await ctx.prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { stopRequested: true } });
  return { stopRequested: run.stopRequested };
}

export async function finishRun(ctx: StoreContext, runId: number): Promise<Run> {
  parseInput(idSchema, runId, "runId");
  const { count } = await ctx.prisma.run.updateMany({
    where: { id: runId, status: "RUNNING" },
    data: { status: "FINISHED", endedAt: new Date(), progress: Prisma.DbNull },
  });
  if (count === 0) throw await stateError(ctx.prisma, runId, "finish", ["RUNNING"], "only the worker running it can finish a run");
  return ctx.prisma.run.findUniqueOrThrow({ where: { id: runId } });
}

/** Ends a run as FAILED with its error; the epochs and checkpoints it wrote stay. */
export async function failRun(ctx: StoreContext, runId: number, error: { message: string; stack?: string | null }): Promise<Run> {
  parseInput(idSchema, runId, "runId");
  const failure = parseInput(failureSchema, error);
  const { count } = await ctx.prisma.run.updateMany({
    where: { id: runId, status: { in: ACTIVE } },
    data: { status: "FAILED", error: failure.message, errorStack: failure.stack ?? null, endedAt: new Date(), progress: Prisma.DbNull },
  });
  if (count === 0) throw await stateError(ctx.prisma, runId, "fail", ACTIVE, "the run has already ended");
  return ctx.prisma.run.findUniqueOrThrow({ where: { id: runId } });
}

export async function stopRun(ctx: StoreContext, runId: number): Promise<Run> {
  parseInput(idSchema, runId, "runId");
  const { count } = await ctx.prisma.run.updateMany({
    where: { id: runId, status: { in: ACTIVE } },
    data: { status: "STOPPED", endedAt: new Date(), progress: Prisma.DbNull },
  });
  if (count === 0) throw await stateError(ctx.prisma, runId, "stop", ACTIVE, "the run has already ended");
  return ctx.prisma.run.findUniqueOrThrow({ where: { id: runId } });
}

export async function requestStop(ctx: StoreContext, runId: number): Promise<Run> {
  parseInput(idSchema, runId, "runId");
  const queued = await ctx.prisma.run.updateMany({
    where: { id: runId, status: "QUEUED" },
    data: { status: "STOPPED", stopRequested: true, endedAt: new Date() },
  });
  if (queued.count === 0) {
    const running = await ctx.prisma.run.updateMany({ where: { id: runId, status: "RUNNING" }, data: { stopRequested: true } });
    if (running.count === 0) throw await stateError(ctx.prisma, runId, "request a stop of", ACTIVE, "the run has already ended");
  }
  return ctx.prisma.run.findUniqueOrThrow({ where: { id: runId } });
}

/**
 * Marks RUNNING runs whose worker has not sent a heartbeat for timeoutMs as FAILED ("worker
 * lost"). Each update re-checks the heartbeat, so a worker that beats meanwhile keeps its run.
 */
export async function reapStaleRuns(ctx: StoreContext, timeoutMs: number): Promise<Run[]> {
  const timeout = parseInput(timeoutSchema, timeoutMs, "timeoutMs");
  const now = new Date();
  const cutoff = new Date(now.getTime() - timeout);
  const stale = await ctx.prisma.run.findMany({
    where: { status: "RUNNING", heartbeatAt: { lt: cutoff } },
    select: { id: true, workerId: true, heartbeatAt: true },
  });
  const reaped: number[] = [];
  for (const run of stale) {
    const silentSeconds = Math.round((now.getTime() - (run.heartbeatAt?.getTime() ?? now.getTime())) / 1000);
    const { count } = await ctx.prisma.run.updateMany({
      where: { id: run.id, status: "RUNNING", heartbeatAt: { lt: cutoff } },
      data: {
        status: "FAILED",
        endedAt: now,
        progress: Prisma.DbNull,
        error: `worker lost: no heartbeat from worker "${run.workerId}" for ${silentSeconds} s (timeout ${Math.round(timeout / 1000)} s)`,
      },
    });
    if (count === 1) reaped.push(run.id);
  }
  return ctx.prisma.run.findMany({ where: { id: { in: reaped } }, orderBy: { id: "asc" } });
}
