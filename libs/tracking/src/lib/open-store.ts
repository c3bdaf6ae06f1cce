// Opens the tracking store: migrates the SQLite file, then serves the TrackingStore interface
// through the generated Prisma Client on Prisma's better-sqlite3 driver adapter.
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../generated/prisma/client.ts";
import { resolveDbPath } from "./db-path.ts";
import { BUSY_TIMEOUT_MS, migrate } from "./migrate.ts";
import type { StoreContext } from "./store/context.ts";
import { createExperiment, ensureExperiment, getExperiment, listExperiments } from "./store/experiments.ts";
import { getDataset, listDatasets, registerDataset } from "./store/datasets.ts";
import { enqueueRun, enqueueSweep, updateRunParams } from "./store/run-queue.ts";
import { claimNextRun, claimRun, failRun, finishRun, heartbeat, reapStaleRuns, requestStop, stopRun } from "./store/run-lifecycle.ts";
import { addCheckpoint, logEpoch, recordRunInfo } from "./store/run-records.ts";
import { bestCheckpoint, compareRuns, getCheckpoint, getRun, listRuns } from "./store/run-queries.ts";
import { aliasHistory, getAlias, promote, promotionPreview } from "./store/promotions.ts";
import type { TrackingStore } from "./tracking-store.ts";

export interface OpenStoreOptions {
  /** SQLite file; defaults to env THAW_DB, else `.thaw/thaw.db` under process.cwd(). */
  path?: string;
  /** Folder of migrations; defaults to the repository's prisma/migrations. */
  migrationsDir?: string;
}

export async function openStore(options: OpenStoreOptions = {}): Promise<TrackingStore> {
  const dbPath = resolveDbPath(options.path);
  migrate(dbPath, { migrationsDir: options.migrationsDir });
  const adapter = new PrismaBetterSqlite3({ url: dbPath, timeout: BUSY_TIMEOUT_MS });
  const prisma = new PrismaClient({ adapter });
  await prisma.$executeRawUnsafe("PRAGMA foreign_keys = ON");
  // In WAL mode NORMAL still keeps every commit through a crash of the process (the SIGKILL
  // test checks it); only a power cut can lose the last commits, and it saves an fsync per
  // commit, which matters when several workers log and claim at once.
  await prisma.$executeRawUnsafe("PRAGMA synchronous = NORMAL");
  return createStore({ prisma }, dbPath);
}

function createStore(ctx: StoreContext, dbPath: string): TrackingStore {
  return {
    dbPath,
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
    claimNextRun: (workerId) => claimNextRun(ctx, workerId),
    claimRun: (runId, workerId) => claimRun(ctx, runId, workerId),
    heartbeat: (runId, workerId) => heartbeat(ctx, runId, workerId),
    recordRunInfo: (runId, info) => recordRunInfo(ctx, runId, info),
    logEpoch: (runId, epoch) => logEpoch(ctx, runId, epoch),
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
    promote: (input) => promote(ctx, input),
    promotionPreview: (checkpointId, alias) => promotionPreview(ctx, checkpointId, alias),
    getAlias: (experimentId, alias) => getAlias(ctx, experimentId, alias),
    aliasHistory: (experimentId, alias) => aliasHistory(ctx, experimentId, alias),
  };
}
