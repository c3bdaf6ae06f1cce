// A run's life: QUEUED -> RUNNING (claimed by one worker) -> FINISHED | FAILED | STOPPED.
// Every transition is one guarded UPDATE (WHERE status = ...), so two processes racing for
// the same run cannot both win; the loser gets a named error, never a silent double start.
// A claim writes a new lease token; the worker's later writes match it in the same UPDATE, so
// a worker that was reaped (token cleared) has its late writes refused and learns to stop.
// Times come from the database clock, so workers on hosts with skewed clocks agree.
import { randomUUID } from "node:crypto";
import { Prisma, type Run, type RunStatus } from "../../generated/prisma/client.ts";
import { InvalidStateError } from "../errors.ts";
import type { RunRef } from "../tracking-store.ts";
import { failureSchema, idSchema, leaseSchema, parseInput, timeoutSchema, workerIdSchema } from "../validation.ts";
import { dbNow, isLease, leaseOfRef, requireRun, stateError, type StoreContext } from "./context.ts";

const ACTIVE: RunStatus[] = ["QUEUED", "RUNNING"];

/**
 * Claims the oldest QUEUED run in one statement. SQLite's single writer makes it exclusive;
 * on PostgreSQL the row is locked with SKIP LOCKED, so a concurrent claimer takes the next run
 * instead of coming back empty while runs are still queued (pg-boss's and Optuna's pattern).
 */
export async function claimNextRun(ctx: StoreContext, workerId: string): Promise<Run | null> {
  const worker = parseInput(workerIdSchema, workerId, "workerId");
  const token = randomUUID();
  const now = await dbNow(ctx);
  const claimed =
    ctx.provider === "sqlite"
      ? await ctx.prisma.$queryRaw<{ id: number }[]>`
          UPDATE "Run"
          SET "status" = 'RUNNING', "workerId" = ${worker}, "leaseToken" = ${token}, "startedAt" = ${now}, "heartbeatAt" = ${now}
          WHERE "status" = 'QUEUED'
            AND "id" = (SELECT "id" FROM "Run" WHERE "status" = 'QUEUED' ORDER BY "createdAt" ASC, "id" ASC LIMIT 1)
          RETURNING "id"`
      : await ctx.prisma.$queryRaw<{ id: number }[]>`
          UPDATE "Run"
          SET "status" = 'RUNNING', "workerId" = ${worker}, "leaseToken" = ${token},
              "startedAt" = (now() AT TIME ZONE 'UTC'), "heartbeatAt" = (now() AT TIME ZONE 'UTC')
          WHERE "id" = (SELECT "id" FROM "Run" WHERE "status" = 'QUEUED' ORDER BY "createdAt" ASC, "id" ASC
                        LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING "id"`;
  if (claimed.length === 0) return null;
  const runId = Number(claimed[0].id);
  ctx.leases.set(runId, token);
  return ctx.prisma.run.findUniqueOrThrow({ where: { id: runId } });
}

export async function claimRun(ctx: StoreContext, runId: number, workerId: string): Promise<Run> {
  parseInput(idSchema, runId, "runId");
  const worker = parseInput(workerIdSchema, workerId, "workerId");
  const token = randomUUID();
  const now = await dbNow(ctx);
  const { count } = await ctx.prisma.run.updateMany({
    where: { id: runId, status: "QUEUED" },
    data: { status: "RUNNING", workerId: worker, leaseToken: token, startedAt: now, heartbeatAt: now },
  });
  if (count === 0) throw await stateError(ctx.prisma, runId, "claim", ["QUEUED"], "enqueue a new run with the same parameters to train again");
  ctx.leases.set(runId, token);
  return ctx.prisma.run.findUniqueOrThrow({ where: { id: runId } });
}

/**
 * The lease a worker's write must carry, or the error saying this caller has none (the run's
 * state, when that alone already forbids the write).
 */
export async function requireLease(ctx: StoreContext, ref: RunRef, action: string): Promise<{ runId: number; token: string }> {
  if (isLease(ref)) parseInput(leaseSchema, ref, "lease");
  else parseInput(idSchema, ref, "runId");
  const { runId, token } = leaseOfRef(ctx, ref);
  if (token === null) {
    const run = await requireRun(ctx.prisma, runId);
    if (run.status !== "RUNNING") throw await stateError(ctx.prisma, runId, action, ["RUNNING"], "only the worker running it can write its results");
    throw new InvalidStateError(
      runId,
      run.status,
      `Cannot ${action} run ${runId}: this process holds no lease on it; only the worker that claimed the run writes its results (claim it, or pass the claim's lease).`,
    );
  }
  return { runId, token };
}

/** Why a fenced write matched no row: the run ended, or another claim's lease is on it. */
export async function leaseRefusal(ctx: StoreContext, runId: number, token: string, action: string): Promise<InvalidStateError> {
  const run = await requireRun(ctx.prisma, runId);
  const detail =
    run.status === "FAILED"
      ? "it is FAILED, perhaps marked lost after missed heartbeats"
      : run.status === "RUNNING" && run.leaseToken !== token
        ? `it is claimed by worker "${run.workerId}" under another lease`
        : `it is ${run.status}`;
  return new InvalidStateError(runId, run.status, `Cannot ${action} run ${runId}: this worker's lease is no longer valid (${detail}); stop working on it and claim another run.`);
}

export async function heartbeat(ctx: StoreContext, ref: RunRef, workerId: string): Promise<{ stopRequested: boolean }> {
  const worker = parseInput(workerIdSchema, workerId, "workerId");
  const { runId, token } = leaseOfRef(ctx, isLease(ref) ? parseInput(leaseSchema, ref, "lease") : parseInput(idSchema, ref, "runId"));
  const { count } =
    token === null
      ? { count: 0 }
      : await ctx.prisma.run.updateMany({
          where: { id: runId, status: "RUNNING", workerId: worker, leaseToken: token },
          data: { heartbeatAt: await dbNow(ctx) },
        });
  if (count === 0) {
    const run = await requireRun(ctx.prisma, runId);
    const detail =
      run.status !== "RUNNING"
        ? run.status === "FAILED"
          ? "it is FAILED, perhaps marked lost after missed heartbeats"
          : `it is ${run.status}`
        : run.workerId !== worker
          ? `it is claimed by worker "${run.workerId}", not "${worker}"`
          : token === null
            ? "this process holds no lease on it"
            : "its lease was replaced by a newer claim";
    throw new InvalidStateError(runId, run.status, `Worker "${worker}" no longer owns run ${runId}: ${detail}; stop working on it and claim another run.`);
  }
  const run = await ctx.prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { stopRequested: true } });
  return { stopRequested: run.stopRequested };
}

export async function finishRun(ctx: StoreContext, ref: RunRef): Promise<Run> {
  const { runId, token } = await requireLease(ctx, ref, "finish");
  const { count } = await ctx.prisma.run.updateMany({
    where: { id: runId, status: "RUNNING", leaseToken: token },
    data: { status: "FINISHED", endedAt: await dbNow(ctx), progress: Prisma.DbNull },
  });
  if (count === 0) {
    const run = await requireRun(ctx.prisma, runId);
    if (run.status !== "RUNNING") throw await stateError(ctx.prisma, runId, "finish", ["RUNNING"], "only the worker running it can finish a run");
    throw await leaseRefusal(ctx, runId, token, "finish");
  }
  return ctx.prisma.run.findUniqueOrThrow({ where: { id: runId } });
}

/**
 * Ends an active run as `status`. With a lease (given, or held by this store) the update is
 * fenced by it; by id alone it is the act of whoever noticed a lost worker or a stop, and it
 * clears the lease so the old worker's later writes are refused.
 */
async function endActive(
  ctx: StoreContext,
  ref: RunRef,
  data: Omit<Prisma.RunUpdateManyMutationInput, "endedAt" | "leaseToken">,
  action: string,
): Promise<Run> {
  const { runId, token } = isLease(ref) ? await requireLease(ctx, ref, action) : { runId: parseInput(idSchema, ref, "runId"), token: ctx.leases.get(ref) ?? null };
  const endedAt = await dbNow(ctx);
  const fenced = token !== null;
  const { count } = await ctx.prisma.run.updateMany({
    where: fenced ? { id: runId, status: "RUNNING", leaseToken: token } : { id: runId, status: { in: ACTIVE } },
    data: { ...data, endedAt, progress: Prisma.DbNull, ...(!fenced && { leaseToken: null }) },
  });
  if (count === 0) {
    const run = await requireRun(ctx.prisma, runId);
    if (!fenced || run.status !== "RUNNING") throw await stateError(ctx.prisma, runId, action, ACTIVE, "the run has already ended");
    throw await leaseRefusal(ctx, runId, token, action);
  }
  return ctx.prisma.run.findUniqueOrThrow({ where: { id: runId } });
}

/** Ends a run as FAILED with its error; the epochs and checkpoints it wrote stay. */
export async function failRun(ctx: StoreContext, ref: RunRef, error: { message: string; stack?: string | null }): Promise<Run> {
  const failure = parseInput(failureSchema, error);
  return endActive(ctx, ref, { status: "FAILED", error: failure.message, errorStack: failure.stack ?? null }, "fail");
}

export async function stopRun(ctx: StoreContext, ref: RunRef): Promise<Run> {
  return endActive(ctx, ref, { status: "STOPPED" }, "stop");
}

export async function requestStop(ctx: StoreContext, runId: number): Promise<Run> {
  parseInput(idSchema, runId, "runId");
  const queued = await ctx.prisma.run.updateMany({
    where: { id: runId, status: "QUEUED" },
    data: { status: "STOPPED", stopRequested: true, endedAt: await dbNow(ctx) },
  });
  if (queued.count === 0) {
    const running = await ctx.prisma.run.updateMany({ where: { id: runId, status: "RUNNING" }, data: { stopRequested: true } });
    if (running.count === 0) throw await stateError(ctx.prisma, runId, "request a stop of", ACTIVE, "the run has already ended");
  }
  return ctx.prisma.run.findUniqueOrThrow({ where: { id: runId } });
}

/**
 * Marks RUNNING runs whose worker has not sent a heartbeat for timeoutMs, on the database's
 * clock, as FAILED ("worker lost") and clears their lease. Each update re-checks the
 * heartbeat, so a worker that beats meanwhile keeps its run.
 */
export async function reapStaleRuns(ctx: StoreContext, timeoutMs: number): Promise<Run[]> {
  const timeout = parseInput(timeoutSchema, timeoutMs, "timeoutMs");
  const now = await dbNow(ctx);
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
        leaseToken: null,
        error: `worker lost: no heartbeat from worker "${run.workerId}" for ${silentSeconds} s (timeout ${Math.round(timeout / 1000)} s)`,
      },
    });
    if (count === 1) reaped.push(run.id);
  }
  return ctx.prisma.run.findMany({ where: { id: { in: reaped } }, orderBy: { id: "asc" } });
}
