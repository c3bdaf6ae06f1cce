// `npm run bench -w libs/tracking`: how the store's hot paths scale from 1,000 to 10,000
// runs, on SQLite and, when THAW_TEST_PG_URL (or THAW_BENCH_PG_URL) names a server, on
// PostgreSQL beside it. Keyset paging and the Run indexes should keep the 10k/1k ratio near 1;
// a ratio near 10 would mean a full scan. Also: the runs-list p95 at 10,000 runs and claims per
// second with 4 worker processes. Writes bench-results/tracking-store.json at the repository root.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import type { DatabaseProvider } from "../thaw-paths.ts";
import { openStore } from "../open-store.ts";
import { runTogether } from "../testing/child.ts";
import { PG_URL_VARIABLE } from "../testing/postgresql.ts";
import { PARAMS, tempDatabase } from "../testing/temp-store.ts";
import type { ListRunsQuery, TrackingStore } from "../tracking-store.ts";

const REPEATS = 40;
const SIZES = [1_000, 10_000];
const CLAIM_RUNS = 400;
const CLAIM_WORKERS = 4;

async function timings(fn: () => Promise<unknown>): Promise<{ median: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], p95: times[Math.ceil(times.length * 0.95) - 1] };
}

async function execRaw(location: string, provider: DatabaseProvider, sql: string): Promise<void> {
  if (provider === "sqlite") {
    const db = new Database(location);
    db.exec(sql);
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: location });
  await client.connect();
  await client.query(sql);
  await client.end();
}

/** Queues runs in 100-run sweeps, then gives them a spread of states and accuracies. */
async function grow(store: TrackingStore, location: string, provider: DatabaseProvider, experiments: number[], from: number, to: number): Promise<void> {
  const frozen = Array.from({ length: 10 }, (_, i) => i * 2);
  const rates = Array.from({ length: 10 }, (_, i) => 10 ** -(1 + i / 3));
  for (let count = from; count < to; count += 100) {
    await store.enqueueSweep({ experimentId: experiments[(count / 100) % experiments.length], ...PARAMS, frozenLayers: frozen, learningRates: rates });
  }
  // Summaries written directly: training 10,000 runs through logEpoch is not what is measured.
  const status = `CASE WHEN "id" % 10 = 0 THEN 'QUEUED' WHEN "id" % 10 = 1 THEN 'RUNNING' WHEN "id" % 10 = 2 THEN 'FAILED' ELSE 'FINISHED' END`;
  await execRaw(location, provider, `UPDATE "Run" SET
    "status" = ${provider === "sqlite" ? status : `(${status})::"RunStatus"`},
    "bestValAccuracy" = CASE WHEN "id" % 10 IN (0, 2) THEN NULL ELSE ("id" * 7919 % 1000) / 1000.0 END,
    "epochsDone" = CASE WHEN "id" % 10 = 0 THEN 0 ELSE "id" % 5 + 1 END,
    "startedAt" = CASE WHEN "id" % 10 = 0 THEN NULL ELSE "createdAt" END
    WHERE "startedAt" IS NULL AND "status" = 'QUEUED'`);
}

interface Row {
  case: string;
  ms: Record<number, number>;
  p95: Record<number, number>;
}

/** 4 worker processes claim CLAIM_RUNS queued runs; claims per second over the slowest. */
async function claimRate(provider: DatabaseProvider): Promise<{ claimsPerSecond: number; claimedOnce: boolean }> {
  const { location, remove } = await tempDatabase(provider);
  const store = await openStore({ path: location });
  const experimentId = (await store.createExperiment({ name: "claims" })).id;
  const { learningRate: _lr, frozenLayers: _fl, ...shared } = PARAMS;
  for (let queued = 0; queued < CLAIM_RUNS; queued += 100) {
    await store.enqueueSweep({ experimentId, ...shared, frozenLayers: Array.from({ length: 10 }, (_, i) => i), learningRates: Array.from({ length: 10 }, (_, i) => (i + 1) / 1000) });
  }
  await store.close();
  const results = await runTogether("claim.ts", Array.from({ length: CLAIM_WORKERS }, (_, i) => [location, `bench-${i}`]));
  await remove();
  const reports = results.map((result) => {
    if (result.code !== 0) throw new Error(`a claiming worker failed: ${result.stderr}`);
    return JSON.parse(result.lines[0]) as { claimed: number[]; elapsedMs: number };
  });
  const all = reports.flatMap((report) => report.claimed);
  const slowest = Math.max(...reports.map((report) => report.elapsedMs));
  return { claimsPerSecond: (all.length / slowest) * 1000, claimedOnce: all.length === CLAIM_RUNS && new Set(all).size === CLAIM_RUNS };
}

async function benchProvider(provider: DatabaseProvider) {
  const { location, remove } = await tempDatabase(provider);
  const store = await openStore({ path: location });
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
  const rows: Row[] = cases.map(([name]) => ({ case: name, ms: {}, p95: {} }));
  for (const [step, size] of SIZES.entries()) {
    await grow(store, location, provider, experiments, SIZES[step - 1] ?? 0, size);
    // Warm-up: JIT and Prisma's query-plan cache, so the first size is not measured cold.
    for (let round = 0; round < 3; round++) for (const [, fn] of cases) await fn();
    for (const [index, [, fn]] of cases.entries()) {
      const measured = await timings(fn);
      rows[index].ms[size] = measured.median;
      rows[index].p95[size] = measured.p95;
    }
  }
  await store.close();
  await remove();
  const claims = await claimRate(provider);
  return { rows, claims };
}

async function main(): Promise<void> {
  const pgUrl = process.env.THAW_BENCH_PG_URL ?? process.env[PG_URL_VARIABLE];
  if (pgUrl) process.env[PG_URL_VARIABLE] = pgUrl;
  const providers: DatabaseProvider[] = pgUrl ? ["sqlite", "postgresql"] : ["sqlite"];
  if (!pgUrl) console.log(`(${PG_URL_VARIABLE} not set: PostgreSQL is not measured)`);
  const [small, large] = SIZES;
  const output: Record<string, unknown> = {};
  for (const provider of providers) {
    const { rows, claims } = await benchProvider(provider);
    console.log(`\ntracking store on ${provider}: median (p95) of ${REPEATS} after warm-up`);
    console.log(`${"case".padEnd(44)}${`${small} runs`.padStart(12)}${`${large} runs`.padStart(22)}${"ratio".padStart(8)}`);
    for (const row of rows) {
      const ratio = row.ms[large] / row.ms[small];
      const at = (size: number) => `${row.ms[size].toFixed(2)} ms`;
      console.log(`${row.case.padEnd(44)}${at(small).padStart(12)}${`${at(large)} (${row.p95[large].toFixed(2)})`.padStart(22)}${ratio.toFixed(2).padStart(8)}`);
    }
    const list = rows[0];
    console.log(`runs-list p95 at ${large} runs: ${list.p95[large].toFixed(2)} ms; ${CLAIM_WORKERS} workers claim ${claims.claimsPerSecond.toFixed(0)} runs/s (each of ${CLAIM_RUNS} claimed once: ${claims.claimedOnce})`);
    output[provider] = {
      runsListP95MsAt10k: list.p95[large],
      claimsPerSecondWith4Workers: claims.claimsPerSecond,
      claimedExactlyOnce: claims.claimedOnce,
      results: rows.map((row) => ({ case: row.case, msAt: row.ms, p95MsAt: row.p95, ratio: row.ms[large] / row.ms[small] })),
    };
  }
  const root = fileURLToPath(new URL("../../../../../", import.meta.url));
  const out = path.join(root, "bench-results", "tracking-store.json");
  mkdirSync(path.dirname(out), { recursive: true });
  const machine = { cpu: os.cpus()[0]?.model, cores: os.availableParallelism(), loadAverage1m: os.loadavg()[0] };
  writeFileSync(out, JSON.stringify({ bench: "tracking-store", repeats: REPEATS, sizes: SIZES, date: new Date().toISOString(), machine, providers: output }, null, 2) + "\n");
  console.log(`\nwrote ${path.relative(root, out)} (load average ${machine.loadAverage1m.toFixed(1)} on ${machine.cores} cores)`);
}

await main();
