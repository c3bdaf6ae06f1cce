// What every part of the store shares: the Prisma client, the transaction helper and the
// run-state checks that turn "0 rows updated" into the right named error.
import { Prisma, type PrismaClient, type RunStatus } from "../../generated/prisma/client.ts";
import { InvalidStateError, NotFoundError } from "../errors.ts";
import { BUSY_TIMEOUT_MS } from "../migrate.ts";

export type Db = PrismaClient | Prisma.TransactionClient;

export interface StoreContext {
  prisma: PrismaClient;
}

/**
 * Runs `fn` in one transaction holding SQLite's write lock from its first statement.
 * Prisma's adapter opens transactions with a deferred BEGIN; if another process commits
 * between our first read and our first write, SQLite fails the write with SQLITE_BUSY_SNAPSHOT
 * instead of waiting. Taking the lock up front (a write that changes nothing) makes a busy
 * database wait up to the busy timeout instead.
 *
 * `fn` should return, not throw, when it refuses: the adapter runs all of this process's
 * queries on one connection, so a rollback would also undo writes that other requests of the
 * same process made meanwhile. Throw the named error after the transaction instead.
 */
export function writeTransaction<T>(prisma: PrismaClient, fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`UPDATE "Run" SET "id" = "id" WHERE 0`;
      return fn(tx);
    },
    { maxWait: BUSY_TIMEOUT_MS, timeout: 3 * BUSY_TIMEOUT_MS },
  );
}

export async function requireRun(db: Db, runId: number): Promise<{ id: number; status: RunStatus; workerId: string | null; epochs: number }> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { id: true, status: true, workerId: true, epochs: true } });
  if (!run) throw new NotFoundError("Run", runId);
  return run;
}

/** The error for an update that matched no row: the run is missing or in the wrong state. */
export async function stateError(
  db: Db,
  runId: number,
  action: string,
  allowed: readonly RunStatus[],
  fix: string,
): Promise<InvalidStateError> {
  const run = await requireRun(db, runId);
  return new InvalidStateError(
    runId,
    run.status,
    `Cannot ${action} run ${runId} because it is ${run.status} (allowed: ${allowed.join(", ")}); ${fix}.`,
  );
}

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/** JSON input for Prisma: drops undefined values and anything JSON cannot hold. */
export function toJson(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value ?? {})) as Prisma.InputJsonValue;
}

/** Milliseconds a run has been running: until its end, or until now while it runs. */
export function durationMs(run: { status: RunStatus; startedAt: Date | null; endedAt: Date | null }, now = Date.now()): number | null {
  if (!run.startedAt) return null;
  const end = run.endedAt?.getTime() ?? (run.status === "RUNNING" ? now : null);
  return end === null ? null : Math.max(0, end - run.startedAt.getTime());
}
