// Opens the tracking store: resolves THAW_DB to SQLite or PostgreSQL, applies that provider's
// migrations, then serves the TrackingStore interface through the Prisma Client generated for
// the provider on Prisma's driver adapter (better-sqlite3 or pg).
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import { PrismaClient as PrismaPostgresqlClient } from "../generated/prisma-postgresql/client.ts";
import { databaseLocation, redact, resolveDatabase, type DatabaseTarget } from "./thaw-paths.ts";
import { BUSY_TIMEOUT_MS, defaultMigrationsDir, migrate } from "./migrate.ts";
import { migratePostgresql } from "./migrate-postgresql.ts";
import type { StoreContext } from "./store/context.ts";
import { createExperiment, ensureExperiment, getExperiment, listExperiments } from "./store/experiments.ts";
import { getDataset, listDatasets, registerDataset } from "./store/datasets.ts";
import { enqueueRun, enqueueSweep, updateRunParams } from "./store/run-queue.ts";
import { claimNextRun, claimRun, failRun, finishRun, heartbeat, reapStaleRuns, requestStop, stopRun } from "./store/run-lifecycle.ts";
import { addCheckpoint, logEpoch, recordProgress, recordRunInfo } from "./store/run-records.ts";
import { listCheckpoints, markCheckpointsDeleted, pruneCheckpoints } from "./store/checkpoint-retention.ts";
import { bestCheckpoint, checkpointAtPath, compareRuns, getCheckpoint, getRun, listRuns } from "./store/run-queries.ts";
import { aliasHistory, getAlias, promote, promotionPreview } from "./store/promotions.ts";
import { createSweep, decideEpoch, getSweep, listSweeps, refillSweep } from "./store/sweeps.ts";
import type { TrackingStore } from "./tracking-store.ts";

export interface OpenStoreOptions {
  /**
   * A SQLite file path, a `file:` URL or a `postgresql://` URL; defaults to env THAW_DB, else
   * thaw.db in THAW_HOME (see thaw-paths.ts).
   */
  path?: string;
  /** Folder of migrations for the provider; defaults to the repository's prisma/migrations(-postgresql). */
  migrationsDir?: string;
  /** The repository's prisma/ folder, when the code runs bundled away from it (the dashboard). */
  prismaDir?: string;
}

export async function openStore(options: OpenStoreOptions = {}): Promise<TrackingStore> {
  const target = resolveDatabase(options.path);
  const migrationsDir = options.migrationsDir ?? (options.prismaDir ? defaultMigrationsDir(target.provider, options.prismaDir) : undefined);
  const prisma = target.provider === "sqlite" ? await openSqlite(target.path, migrationsDir) : await openPostgresql(target.url, migrationsDir);
  return createStore({ prisma, provider: target.provider, leases: new Map() }, target);
}

async function openSqlite(dbPath: string, migrationsDir: string | undefined): Promise<PrismaClient> {
  migrate(dbPath, { migrationsDir });
  const adapter = new PrismaBetterSqlite3({ url: dbPath, timeout: BUSY_TIMEOUT_MS });
  const prisma = new PrismaClient({ adapter });
  await prisma.$executeRawUnsafe("PRAGMA foreign_keys = ON");
  // In WAL mode NORMAL still keeps every commit through a crash of the process (the SIGKILL
  // test checks it); only a power cut can lose the last commits, and it saves an fsync per
  // commit, which matters when several workers log and claim at once.
  await prisma.$executeRawUnsafe("PRAGMA synchronous = NORMAL");
  return prisma;
}

async function openPostgresql(url: string, migrationsDir: string | undefined): Promise<PrismaClient> {
  await migratePostgresql(url, { migrationsDir });
  const prisma = new PrismaPostgresqlClient({ adapter: new PrismaPg({ connectionString: url }) });
  // Both clients are generated from prisma/schema.prisma and differ only in the provider, so
  // the model API the store uses is the same; the store is written once against one of them.
  return prisma as unknown as PrismaClient;
}

function createStore(ctx: StoreContext, target: DatabaseTarget): TrackingStore {
  return {
    dbPath: redact(databaseLocation(target)),
    provider: target.provider,
    close: () => ctx.prisma.$disconnect(),
    createExperiment: (input) => createExperiment(ctx, input),
    ensureExperiment: (name) => ensureExperiment(ctx, name),
    getExperiment: (idOrName) => getExperiment(ctx, idOrName),
    listExperiments: () => listExperiments(ctx),
    registerDataset: (input) => registerDataset(ctx, input),
    getDataset: (idOrName) => getDataset(ctx, idOrName),
    listDatasets: () => listDatasets(ctx),
    enqueueRun: (input) => enqueueRun(ctx, input),
    enqueueSweep: (input) => enqueueSweep(ctx, input),
    updateRunParams: (runId, patch) => updateRunParams(ctx, runId, patch),
    createSweep: (input) => createSweep(ctx, input),
    refillSweep: (sweepId) => refillSweep(ctx, sweepId),
    decideEpoch: (runId, epoch) => decideEpoch(ctx, runId, epoch),
    getSweep: (sweepId) => getSweep(ctx, sweepId),
    listSweeps: (experimentId) => listSweeps(ctx, experimentId),
    claimNextRun: (workerId) => claimNextRun(ctx, workerId),
    claimRun: (runId, workerId) => claimRun(ctx, runId, workerId),
    heartbeat: (runId, workerId) => heartbeat(ctx, runId, workerId),
    recordRunInfo: (runId, info) => recordRunInfo(ctx, runId, info),
    logEpoch: (runId, epoch) => logEpoch(ctx, runId, epoch),
    recordProgress: (runId, progress) => recordProgress(ctx, runId, progress),
    addCheckpoint: (runId, checkpoint) => addCheckpoint(ctx, runId, checkpoint),
    finishRun: (runId) => finishRun(ctx, runId),
    failRun: (runId, error) => failRun(ctx, runId, error),
    stopRun: (runId) => stopRun(ctx, runId),
    requestStop: (runId) => requestStop(ctx, runId),
    reapStaleRuns: (timeoutMs) => reapStaleRuns(ctx, timeoutMs),
    listRuns: (query) => listRuns(ctx, query),
    getRun: (runId) => getRun(ctx, runId),
    compareRuns: (runIds) => compareRuns(ctx, runIds),
    getCheckpoint: (checkpointId) => getCheckpoint(ctx, checkpointId),
    bestCheckpoint: (runId) => bestCheckpoint(ctx, runId),
    checkpointAtPath: (dir) => checkpointAtPath(ctx, dir),
    pruneCheckpoints: (runId, keep) => pruneCheckpoints(ctx, runId, keep),
    listCheckpoints: (filter) => listCheckpoints(ctx, filter),
    markCheckpointsDeleted: (ids) => markCheckpointsDeleted(ctx, ids),
    promote: (input) => promote(ctx, input),
    promotionPreview: (checkpointId, alias) => promotionPreview(ctx, checkpointId, alias),
    getAlias: (experimentId, alias) => getAlias(ctx, experimentId, alias),
    aliasHistory: (experimentId, alias) => aliasHistory(ctx, experimentId, alias),
  };
}
