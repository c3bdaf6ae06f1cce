// Reading runs back: the paged list behind the runs table, the detail behind a run page, and
// side-by-side comparison. Lists use keyset paging so page 50 costs what page 1 costs.
import type { Checkpoint, Prisma, Run } from "../../generated/prisma/client.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import type { ListRunsQuery, Page, RunDetail, RunListItem, RunSortKey } from "../tracking-store.ts";
import { idSchema, listRunsSchema, parseInput } from "../validation.ts";
import { durationMs, requireRun, type StoreContext } from "./context.ts";
import { artifactUri } from "../artifacts.ts";
import { z } from "zod";

export const DEFAULT_PAGE_SIZE = 50;
const MAX_COMPARE = 50;

const runColumns = {
  id: true, experimentId: true, datasetId: true, name: true, status: true,
  frozenLayers: true, learningRate: true, optimizer: true, momentum: true, batchSize: true, epochs: true,
  patience: true, imageSize: true, base: true, augment: true, seed: true, params: true,
  baseRunId: true, baseCheckpointId: true, baseCheckpointSha256: true, sweepId: true, workerId: true, leaseToken: true, heartbeatAt: true, createdAt: true, startedAt: true,
  endedAt: true, error: true, errorStack: true, stopRequested: true,
  backend: true, engine: true, thawVersion: true, datasetFingerprint: true, baseWeightsHash: true,
  skipReport: true, evaluation: true, testAccuracy: true, testEvaluation: true,
  bestValAccuracy: true, bestEpoch: true, lastValAccuracy: true, epochsDone: true, progress: true,
  trialIndex: true, prunedAtEpoch: true, pruneReason: true,
} satisfies Prisma.RunSelect;

const sortColumns = {
  id: true, createdAt: true, bestValAccuracy: true, learningRate: true, frozenLayers: true, epochsDone: true,
} satisfies Record<RunSortKey | "id", true>;

const runListSelect = {
  ...runColumns,
  experiment: { select: { name: true } },
  dataset: { select: { name: true } },
} satisfies Prisma.RunSelect;

const runDetailInclude = {
  experiment: true,
  dataset: true,
  baseRun: { select: { id: true, name: true, status: true } },
  derivedRuns: { select: { id: true, name: true, status: true, baseCheckpointId: true }, orderBy: { id: "asc" } },
  metrics: { orderBy: { epoch: "asc" } },
  // Live checkpoints only: rows retention marked deleted stay as history, without a folder.
  checkpoints: { where: { deletedAt: null }, orderBy: [{ epoch: "asc" }, { id: "asc" }] },
} satisfies Prisma.RunInclude;

function filterWhere(query: ListRunsQuery): Prisma.RunWhereInput {
  return {
    ...(query.experimentId !== undefined && { experimentId: query.experimentId }),
    ...(query.status?.length && { status: { in: query.status } }),
    ...(query.sweepId !== undefined && { sweepId: query.sweepId }),
    ...(query.frozenLayers && { frozenLayers: { gte: query.frozenLayers.min, lte: query.frozenLayers.max } }),
    ...(query.learningRate && { learningRate: { gte: query.learningRate.min, lte: query.learningRate.max } }),
  };
}

/** Sort keys that may be NULL; they sort last in either direction. */
const NULLABLE_SORT_KEYS: ReadonlySet<RunSortKey> = new Set(["bestValAccuracy"]);

/**
 * Rows after the cursor run in the order (key, id), NULL keys last. Prisma's own `cursor`
 * compares NULL sort keys with `>` and so would drop those rows.
 */
function afterCursor(key: RunSortKey, direction: "asc" | "desc", cursor: { id: number; value: unknown }): Prisma.RunWhereInput {
  const beyond = direction === "asc" ? "gt" : "lt";
  if (cursor.value === null) return { [key]: null, id: { [beyond]: cursor.id } };
  const after: Prisma.RunWhereInput[] = [{ [key]: { [beyond]: cursor.value } }, { [key]: cursor.value, id: { [beyond]: cursor.id } }];
  return { OR: NULLABLE_SORT_KEYS.has(key) ? [...after, { [key]: null }] : after };
}

/** Bytes of live checkpoints per run (what retention leaves on disk). */
export async function checkpointBytes(ctx: StoreContext, runIds: number[]): Promise<Map<number, bigint>> {
  const sums = await ctx.prisma.checkpoint.groupBy({ by: ["runId"], where: { runId: { in: runIds }, deletedAt: null }, _sum: { sizeBytes: true } });
  // A sum's type depends on the driver (a number when it fits, else a bigint); bigint throughout.
  return new Map(sums.map((row) => [row.runId, BigInt(row._sum.sizeBytes ?? 0)]));
}

export async function listRuns(ctx: StoreContext, input: ListRunsQuery = {}): Promise<Page<RunListItem>> {
  const query = parseInput(listRunsSchema, input);
  const { key, direction } = query.sort ?? { key: "createdAt" as const, direction: "desc" as const };
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const where: Prisma.RunWhereInput[] = [filterWhere(query)];
  if (query.cursor != null) {
    const cursorRun = await ctx.prisma.run.findUnique({ where: { id: query.cursor }, select: sortColumns });
    if (!cursorRun) throw new InvalidInputError("cursor", `run ${query.cursor} does not exist`, "use the nextCursor of the previous page, or null for the first page");
    where.push(afterCursor(key, direction, { id: cursorRun.id, value: cursorRun[key] }));
  }
  // Two steps ("deferred join"): sort and cut the page on ids alone, then load the page's
  // rows. Sorting whole rows (JSON columns included) when no index gives the order, e.g. all
  // experiments by createdAt, made SQLite's sorter carry every row: about 3x slower at 10,000 runs.
  const page = await ctx.prisma.run.findMany({
    where: { AND: where },
    orderBy: [{ [key]: NULLABLE_SORT_KEYS.has(key) ? { sort: direction, nulls: "last" } : direction }, { id: direction }],
    take: limit + 1,
    select: { id: true },
  });
  const ids = page.slice(0, limit).map((row) => row.id);
  const rows = await ctx.prisma.run.findMany({ where: { id: { in: ids } }, select: runListSelect });
  const byId = new Map(rows.map((row) => [row.id, row]));
  const disk = await checkpointBytes(ctx, ids);
  const now = Date.now();
  const items = ids.flatMap((id) => {
    const row = byId.get(id);
    if (!row) return []; // deleted between the two reads
    const { experiment, dataset, ...run } = row;
    return [{ ...run, experimentName: experiment.name, datasetName: dataset?.name ?? null, durationMs: durationMs(run, now), diskBytes: disk.get(id) ?? 0n }];
  });
  return { items, nextCursor: page.length > limit ? ids[ids.length - 1] : null };
}

export async function getRun(ctx: StoreContext, runId: number): Promise<RunDetail> {
  parseInput(idSchema, runId, "runId");
  const run = await ctx.prisma.run.findUnique({ where: { id: runId }, include: runDetailInclude });
  if (!run) throw new NotFoundError("Run", runId);
  return run;
}

/** Full details of several runs, in the order asked, for diff tables and overlaid curves. */
export async function compareRuns(ctx: StoreContext, runIds: number[]): Promise<RunDetail[]> {
  const ids = parseInput(z.array(idSchema).min(1).max(MAX_COMPARE), runIds, "runIds");
  const runs = await ctx.prisma.run.findMany({ where: { id: { in: ids } }, include: runDetailInclude });
  const byId = new Map(runs.map((run) => [run.id, run]));
  const missing = ids.find((id) => !byId.has(id));
  if (missing !== undefined) throw new NotFoundError("Run", missing);
  return ids.map((id) => byId.get(id) as RunDetail);
}

export async function getCheckpoint(ctx: StoreContext, checkpointId: number): Promise<Checkpoint & { run: Run }> {
  parseInput(idSchema, checkpointId, "checkpointId");
  const checkpoint = await ctx.prisma.checkpoint.findUnique({ where: { id: checkpointId }, include: { run: true } });
  if (!checkpoint) throw new NotFoundError("Checkpoint", checkpointId);
  return checkpoint;
}

/** The checkpoint row recorded for a folder (an absolute path), for lineage; null when none is. */
export async function checkpointAtPath(ctx: StoreContext, dir: string): Promise<Checkpoint | null> {
  // recorded as an artifact URI, or as a plain path by versions before artifact URIs
  return ctx.prisma.checkpoint.findFirst({ where: { path: { in: [dir, artifactUri(dir)] }, deletedAt: null }, orderBy: { id: "desc" } });
}

/** Checkpoints are saved best-only, so the best one is the latest one. */
export async function bestCheckpoint(ctx: StoreContext, runId: number): Promise<Checkpoint | null> {
  parseInput(idSchema, runId, "runId");
  await requireRun(ctx.prisma, runId);
  return ctx.prisma.checkpoint.findFirst({ where: { runId, deletedAt: null }, orderBy: [{ epoch: "desc" }, { id: "desc" }] });
}
