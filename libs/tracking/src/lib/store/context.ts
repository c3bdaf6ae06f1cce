// What every part of the store shares: the Prisma client and its provider, the database
// clock, the transaction helper, the leases this process holds and the run-state checks that
// turn "0 rows updated" into the right named error.
import { Prisma, type PrismaClient, type RunStatus } from "../../generated/prisma/client.ts";
import type { DatabaseProvider } from "../thaw-paths.ts";
import { InvalidStateError, NotFoundError } from "../errors.ts";
import { BUSY_TIMEOUT_MS } from "../migrate.ts";
import type { Lease, RunRef } from "../tracking-store.ts";

export type Db = PrismaClient | Prisma.TransactionClient;

export interface StoreContext {
  /** On PostgreSQL the client generated for it, typed as the SQLite one: same schema, same API. */
  prisma: PrismaClient;
  provider: DatabaseProvider;
  /** Leases of the runs this store claimed: runId -> token. */
  leases: Map<number, string>;
}

// Any constant: it only has to differ from the migration lock's key.
const WRITE_LOCK_KEY = 7_284_611;

/**
 * Runs `fn` in one transaction that holds the store's write lock from its first statement, so
 * multi-statement writes (a sweep, an epoch and its summaries, a promotion) see no other
 * writer between their read and their write.
 *
 * SQLite: Prisma's adapter opens transactions with a deferred BEGIN; if another process
 * commits between our first read and our first write, SQLite fails the write with
 * SQLITE_BUSY_SNAPSHOT instead of waiting. Taking the lock up front (a write that changes
 * nothing) makes a busy database wait up to the busy timeout instead.
 * PostgreSQL: a transaction-scoped advisory lock does the same under READ COMMITTED; claims
 * do not take it (they lock rows with SKIP LOCKED instead).
 *
 * `fn` should return, not throw, when it refuses: the SQLite adapter runs all of this
 * process's queries on one connection, so a rollback would also undo writes that other
 * requests of the same process made meanwhile. Throw the named error after the transaction.
 */
export function writeTransaction<T>(ctx: StoreContext, fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return ctx.prisma.$transaction(
    async (tx) => {
      if (ctx.provider === "sqlite") await tx.$executeRaw`UPDATE "Run" SET "id" = "id" WHERE 0`;
      else await tx.$executeRaw`SELECT pg_advisory_xact_lock(${WRITE_LOCK_KEY}::bigint)`;
      return fn(tx);
    },
    { maxWait: BUSY_TIMEOUT_MS, timeout: 3 * BUSY_TIMEOUT_MS },
  );
}

/**
 * The database's clock, so that heartbeats written from many hosts and the reaper's cutoff are
 * compared on one clock. On SQLite every writer shares the file's host, whose clock this is.
 */
export async function dbNow(ctx: StoreContext): Promise<Date> {
  const rows =
    ctx.provider === "sqlite"
      ? await ctx.prisma.$queryRaw<{ ms: number | bigint }[]>`SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER) AS "ms"`
      : await ctx.prisma.$queryRaw<{ ms: number | bigint }[]>`SELECT FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::float8 AS "ms"`;
  return new Date(Number(rows[0].ms));
}

/** The run a reference names, and the lease token its writes must carry (null: none held). */
export function leaseOfRef(ctx: StoreContext, ref: RunRef): { runId: number; token: string | null } {
  if (typeof ref === "number") return { runId: ref, token: ctx.leases.get(ref) ?? null };
  return { runId: ref.runId, token: ref.token };
}

export function isLease(ref: RunRef): ref is Lease {
  return typeof ref !== "number";
}

export async function requireRun(
  db: Db,
  runId: number,
): Promise<{ id: number; status: RunStatus; workerId: string | null; leaseToken: string | null; epochs: number }> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { id: true, status: true, workerId: true, leaseToken: true, epochs: true } });
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
