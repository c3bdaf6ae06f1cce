// `npm run bench -w @thaw/dashboard`: 10,000 runs x 50 epochs in a temp database, then the
// latency of the procedures behind the runs table, the run page and compare (100 runs),
// called through the real router (zod, tRPC, store, SQLite). Writes bench-results/dashboard.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openStore } from "@thaw/tracking";
import { createCaller } from "../server/api/root.ts";
import { workspaceRootOf } from "../server/workspace-root.ts";
import { seed } from "./seed.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 50);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function time(iterations: number, fn: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 3; i++) await fn(i); // warm-up: prepared statements, JIT
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

const dir = mkdtempSync(path.join(os.tmpdir(), "thaw-dashboard-bench-"));
try {
  const store = await openStore({ path: path.join(dir, "bench.db") });
  const seedStart = performance.now();
  const { experimentId, runIds } = await seed(store, RUNS, EPOCHS);
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const caller = createCaller({ store, config: { dataRoots: [dir], sweepLimit: 100, weightSearch: {} } });
  const pick = (i: number) => runIds[(i * 7919) % runIds.length];

  // A realistic mix on the runs table: first page, sorted by accuracy, filtered, and paged deep.
  let cursor: number | null = null;
  const listVariants = [
    () => caller.runs.list({ experimentId, limit: 50 }),
    () => caller.runs.list({ experimentId, limit: 50, sort: { key: "bestValAccuracy", direction: "desc" } }),
    () => caller.runs.list({ experimentId, limit: 50, status: ["FINISHED"], frozenLayers: { min: 11, max: 19 }, learningRate: { max: 0.01 } }),
    async () => {
      const page = await caller.runs.list({ experimentId, limit: 50, sort: { key: "learningRate", direction: "asc" }, cursor });
      cursor = page.nextCursor;
      return page;
    },
  ];
  const list = await time(200, (i) => listVariants[i % listVariants.length]());
  const run = await time(100, (i) => caller.runs.get({ id: pick(i) }));
  const compare = await time(30, (i) => caller.runs.compare({ ids: Array.from({ length: 100 }, (_, k) => pick(i * 100 + k)) }));
  await store.close();

  const figures = {
    seed_runs: RUNS,
    seed_epochs_per_run: EPOCHS,
    seed_s: Number(seedSeconds.toFixed(1)),
    runs_list_p50_ms: Number(list.p50.toFixed(2)),
    runs_list_p95_ms: Number(list.p95.toFixed(2)),
    run_page_p50_ms: Number(run.p50.toFixed(2)),
    run_page_p95_ms: Number(run.p95.toFixed(2)),
    compare_100_runs_p50_ms: Number(compare.p50.toFixed(2)),
    compare_100_runs_p95_ms: Number(compare.p95.toFixed(2)),
  };
  const rows: [string, { p50: number; p95: number }, number][] = [
    ["runs.list (page of 50)", list, 100],
    ["runs.get (run page)", run, 100],
    ["runs.compare (100 runs)", compare, 300],
  ];
  console.log(`seeded ${RUNS} runs x ${EPOCHS} epochs in ${seedSeconds.toFixed(1)} s\n`);
  console.log("procedure                  p50 ms    p95 ms   target p95   p95/target");
  for (const [name, t, target] of rows) {
    console.log(`${name.padEnd(25)} ${t.p50.toFixed(1).padStart(7)} ${t.p95.toFixed(1).padStart(9)} ${String(target).padStart(12)} ${(t.p95 / target).toFixed(2).padStart(12)}`);
  }
  console.log(`\ncompare(100) / list p95 ratio: ${(compare.p95 / list.p95).toFixed(1)}x`);
  const outDir = path.join(workspaceRootOf(process.cwd()), "bench-results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, "dashboard.json"), JSON.stringify(figures, null, 2) + "\n");
  console.log(`figures written to ${path.join(outDir, "dashboard.json")}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
