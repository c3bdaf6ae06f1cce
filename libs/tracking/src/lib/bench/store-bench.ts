// `npm run bench -w libs/tracking`: how the store's hot paths scale from 1,000 to 10,000
// runs. Keyset paging and the Run indexes should keep the 10k/1k ratio near 1; a ratio near
// 10 would mean a full scan. Writes bench-results/tracking-store.json at the repository root.
import Database from "better-sqlite3";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "../open-store.ts";
import { PARAMS, tempDir } from "../testing/temp-store.ts";
import type { ListRunsQuery, TrackingStore } from "../tracking-store.ts";

const REPEATS = 15;
const SIZES = [1_000, 10_000];

async function median(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/** Queues runs in 100-run sweeps, then gives them a spread of states and accuracies. */
async function grow(store: TrackingStore, dbPath: string, experiments: number[], from: number, to: number): Promise<void> {
  const frozen = Array.from({ length: 10 }, (_, i) => i * 2);
  const rates = Array.from({ length: 10 }, (_, i) => 10 ** -(1 + i / 3));
  for (let count = from; count < to; count += 100) {
    await store.enqueueSweep({ experimentId: experiments[(count / 100) % experiments.length], ...PARAMS, frozenLayers: frozen, learningRates: rates });
  }
  // Summaries written directly: training 10,000 runs through logEpoch is not what is measured.
  const db = new Database(dbPath);
  db.exec(`UPDATE "Run" SET
    "status" = CASE WHEN "id" % 10 = 0 THEN 'QUEUED' WHEN "id" % 10 = 1 THEN 'RUNNING' WHEN "id" % 10 = 2 THEN 'FAILED' ELSE 'FINISHED' END,
    "bestValAccuracy" = CASE WHEN "id" % 10 IN (0, 2) THEN NULL ELSE ("id" * 7919 % 1000) / 1000.0 END,
    "epochsDone" = CASE WHEN "id" % 10 = 0 THEN 0 ELSE "id" % 5 + 1 END,
    "startedAt" = CASE WHEN "id" % 10 = 0 THEN NULL ELSE "createdAt" END
    WHERE "startedAt" IS NULL AND "status" = 'QUEUED'`);
  db.close();
}

interface Row {
  case: string;
  ms: Record<number, number>;
}

async function main(): Promise<void> {
  const { dir, remove } = tempDir();
  const dbPath = path.join(dir, "bench.db");
  const store = await openStore({ path: dbPath });
  const experiments = [(await store.createExperiment({ name: "A" })).id, (await store.createExperiment({ name: "B" })).id];
  const deepCursor = async (query: ListRunsQuery) => {
    let cursor: number | null = null;
    for (let page = 0; page < 10; page++) cursor = (await store.listRuns({ ...query, cursor, limit: 50 })).nextCursor;
    return cursor;
  };
  const byAccuracy: ListRunsQuery = { experimentId: experiments[0], sort: { key: "bestValAccuracy", direction: "desc" } };
  const cases: [string, () => Promise<unknown>][] = [
    ["listRuns first page, newest first", () => store.listRuns({ limit: 50 })],
    ["listRuns experiment by best val acc", () => store.listRuns({ ...byAccuracy, limit: 50 })],
    ["listRuns pages 1-11 by cursor (11 calls)", async () => store.listRuns({ ...byAccuracy, cursor: await deepCursor(byAccuracy), limit: 50 })],
    ["listRuns FINISHED, frozen 4..10, by lr", () => store.listRuns({ status: ["FINISHED"], frozenLayers: { min: 4, max: 10 }, sort: { key: "learningRate", direction: "asc" }, limit: 50 })],
    ["listExperiments (counts, best, champion)", () => store.listExperiments()],
    ["claimNextRun + failRun", async () => {
      const run = await store.claimNextRun("bench");
      if (run) await store.failRun(run.id, { message: "bench" });
    }],
  ];
  const rows: Row[] = cases.map(([name]) => ({ case: name, ms: {} }));
  for (const [step, size] of SIZES.entries()) {
    await grow(store, dbPath, experiments, SIZES[step - 1] ?? 0, size);
    // Warm-up: JIT and Prisma's query-plan cache, so the first size is not measured cold.
    for (let round = 0; round < 3; round++) for (const [, fn] of cases) await fn();
    for (const [index, [, fn]] of cases.entries()) rows[index].ms[size] = await median(fn);
  }
  await store.close();
  remove();

  const [small, large] = SIZES;
  console.log(`tracking store, median of ${REPEATS} after warm-up, SQLite WAL on ${dir.startsWith("/tmp") ? "/tmp" : dir}`);
  console.log(`${"case".padEnd(44)}${`${small} runs`.padStart(12)}${`${large} runs`.padStart(13)}${"ratio".padStart(8)}`);
  for (const row of rows) {
    const ratio = row.ms[large] / row.ms[small];
    console.log(`${row.case.padEnd(44)}${`${row.ms[small].toFixed(2)} ms`.padStart(12)}${`${row.ms[large].toFixed(2)} ms`.padStart(13)}${ratio.toFixed(2).padStart(8)}`);
  }
  const root = fileURLToPath(new URL("../../../../../", import.meta.url));
  const out = path.join(root, "bench-results", "tracking-store.json");
  mkdirSync(path.dirname(out), { recursive: true });
  const results = rows.map((row) => ({ case: row.case, msAt: row.ms, ratio: row.ms[large] / row.ms[small] }));
  writeFileSync(out, JSON.stringify({ bench: "tracking-store", repeats: REPEATS, sizes: SIZES, date: new Date().toISOString(), results }, null, 2) + "\n");
  console.log(`wrote ${path.relative(root, out)}`);
}

await main();
