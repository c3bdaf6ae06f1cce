// Seeds a benchmark database in bulk: one run and its rows are written through the store
// (so the formats are the store's own), then copied with varied values by plain SQL in one
// transaction per table (SQLite, or PostgreSQL in multi-row INSERTs). 500,000 epoch rows
// through the store would take minutes.
import Database from "better-sqlite3";
import pg from "pg";
import { databaseLocation, resolveDatabase, type TrackingStore } from "@thaw/tracking";

type Row = Record<string, unknown>;

/** A deterministic generator, so two bench runs measure the same database. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ (t + t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function insert(db: Database.Database, table: string, template: Row, rows: Iterable<Row>): number {
  const columns = Object.keys(template).filter((c) => c !== "id");
  const statement = db.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map((c) => `@${c}`).join(", ")})`);
  let n = 0;
  for (const row of rows) {
    statement.run(Object.fromEntries(columns.map((c) => [c, c in row ? row[c] : template[c]])));
    n += 1;
  }
  return n;
}

/** Same representation as the template's (Prisma's adapter decides: number, text or a timestamp). */
function timeLike(template: unknown, ms: number): unknown {
  if (typeof template === "number") return ms;
  if (typeof template === "bigint") return BigInt(ms);
  // PostgreSQL's timestamp(3) holds UTC without a zone, as Prisma writes it.
  if (template instanceof Date) return new Date(ms).toISOString().replace("Z", "");
  return new Date(ms).toISOString();
}

const LEARNING_RATES = [0.1, 0.03, 0.01, 0.003, 0.001, 0.0003, 0.0001];

export async function seed(store: TrackingStore, runs: number, epochs: number, databaseUrl?: string): Promise<{ experimentId: number; runIds: number[] }> {
  const experiment = await store.createExperiment({ name: "bench" });
  const dataset = await store.registerDataset({ name: "bench-data", path: "/tmp/bench-data", classNames: ["a", "b"], imageCount: 1000 });
  const templateRun = await store.enqueueRun({
    experimentId: experiment.id, datasetId: dataset.id, frozenLayers: 15, learningRate: 0.001, optimizer: "sgd", momentum: 0.9, batchSize: 16,
    epochs, patience: 5, imageSize: 224, base: "vgg16-imagenet", augment: false, seed: 1, extra: { head: "fc2", widthMultiplier: 1 },
  });
  await store.claimRun(templateRun.id, "bench");
  await store.logEpoch(templateRun.id, { epoch: 0, loss: 1, accuracy: 0.5, valLoss: 1, valAccuracy: 0.5, durationMs: 1000 });
  await store.addCheckpoint(templateRun.id, { epoch: 0, path: "/tmp/ckpt", metrics: { val_accuracy: 0.5 }, sizeBytes: 1, sha256: "0".repeat(64) });
  await store.finishRun(templateRun.id);

  // store.dbPath hides a password; a caller whose URL has one passes the URL itself.
  const location = databaseLocation(resolveDatabase(databaseUrl ?? store.dbPath));
  const plan = (templates: { run: Row; metric: Row; checkpoint: Row }) => seedPlan(templates, runs, epochs);
  if (store.provider === "postgresql") return { experimentId: experiment.id, runIds: await writePostgresql(location, templateRun.id, plan) };
  return { experimentId: experiment.id, runIds: writeSqlite(location, templateRun.id, plan) };
}

interface SeedPlan {
  runRows: Row[];
  metricRows(runIds: number[]): Iterable<Row>;
  checkpointRows(runIds: number[]): Iterable<Row>;
}

/** The seeded rows, drawn from a fixed seed; times in the template's representation. */
function seedPlan(templates: { run: Row }, runs: number, epochs: number): SeedPlan {
  const runT = templates.run;
  const random = mulberry32(42);
  const start = Date.now() - runs * 60_000;
  const runRows: Row[] = [];
  const curves: number[][] = [];
  for (let i = 0; i < runs; i++) {
    const frozen = Math.floor(random() * 23);
    const lr = LEARNING_RATES[Math.floor(random() * LEARNING_RATES.length)];
    const ceiling = 0.6 + 0.35 * random();
    const curve = Array.from({ length: epochs }, (_, e) => Math.min(0.999, ceiling * (1 - Math.exp(-(e + 1) / 8)) + 0.02 * (random() - 0.5)));
    curves.push(curve);
    const best = Math.max(...curve);
    const status = i % 97 === 0 ? "FAILED" : i % 101 === 0 ? "RUNNING" : "FINISHED";
    const created = start + i * 60_000;
    runRows.push({
      name: `bench ${i}`, status, frozenLayers: frozen, learningRate: lr, optimizer: i % 3 === 0 ? "adam" : "sgd",
      createdAt: timeLike(runT.createdAt, created), startedAt: timeLike(runT.startedAt, created + 1000), endedAt: status === "RUNNING" ? null : timeLike(runT.endedAt, created + 51_000),
      heartbeatAt: timeLike(runT.heartbeatAt, created + 51_000), bestValAccuracy: best, bestEpoch: curve.indexOf(best), lastValAccuracy: curve[epochs - 1], epochsDone: epochs,
      error: status === "FAILED" ? "worker lost" : null, leaseToken: null,
    });
  }
  return {
    runRows,
    *metricRows(runIds) {
      for (const [r, runId] of runIds.entries()) {
        for (let e = 0; e < epochs; e++) {
          const v = curves[r][e];
          yield { runId, epoch: e, loss: 1.2 - v, accuracy: Math.min(1, v + 0.05), valLoss: 1.25 - v, valAccuracy: v, durationMs: 1000 + (e % 7) * 10 };
        }
      }
    },
    *checkpointRows(runIds) {
      for (const [r, runId] of runIds.entries()) {
        let best = -1;
        for (let e = 0; e < epochs; e++) {
          if (curves[r][e] > best + 0.02) {
            best = curves[r][e];
            yield { runId, epoch: e, path: `/tmp/bench/${runId}/${e}`, metrics: JSON.stringify({ val_accuracy: best }) };
          }
        }
      }
    },
  };
}

function writeSqlite(dbPath: string, templateRunId: number, plan: (templates: { run: Row; metric: Row; checkpoint: Row }) => SeedPlan): number[] {
  const db = new Database(dbPath);
  db.pragma("journal_mode = WAL");
  try {
    const runT = db.prepare(`SELECT * FROM "Run" WHERE id = ?`).get(templateRunId) as Row;
    const metricT = db.prepare(`SELECT * FROM "EpochMetric" WHERE "runId" = ?`).get(templateRunId) as Row;
    const checkpointT = db.prepare(`SELECT * FROM "Checkpoint" WHERE "runId" = ?`).get(templateRunId) as Row;
    const rows = plan({ run: runT, metric: metricT, checkpoint: checkpointT });
    const runIds: number[] = [];
    db.transaction(() => {
      insert(db, "Run", runT, rows.runRows);
      const ids = db.prepare(`SELECT id FROM "Run" WHERE id > ? ORDER BY id`).all(templateRunId) as { id: number }[];
      runIds.push(...ids.map((r) => r.id));
    })();
    db.transaction(() => {
      insert(db, "EpochMetric", metricT, rows.metricRows(runIds));
      insert(db, "Checkpoint", checkpointT, rows.checkpointRows(runIds));
    })();
    return runIds;
  } finally {
    db.close();
  }
}

/** PostgreSQL: the same rows, in multi-row INSERTs of one transaction per table. */
async function writePostgresql(url: string, templateRunId: number, plan: (templates: { run: Row; metric: Row; checkpoint: Row }) => SeedPlan): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const one = async (sql: string) => (await client.query<Row>(sql, [templateRunId])).rows[0];
    const runT = await one(`SELECT * FROM "Run" WHERE id = $1`);
    const metricT = await one(`SELECT * FROM "EpochMetric" WHERE "runId" = $1`);
    const checkpointT = await one(`SELECT * FROM "Checkpoint" WHERE "runId" = $1`);
    const rows = plan({ run: runT, metric: metricT, checkpoint: checkpointT });
    await client.query("BEGIN");
    await insertPg(client, "Run", runT, rows.runRows);
    const runIds = (await client.query<{ id: number }>(`SELECT id FROM "Run" WHERE id > $1 ORDER BY id`, [templateRunId])).rows.map((r) => r.id);
    await insertPg(client, "EpochMetric", metricT, rows.metricRows(runIds));
    await insertPg(client, "Checkpoint", checkpointT, rows.checkpointRows(runIds));
    await client.query("COMMIT");
    return runIds;
  } finally {
    await client.end();
  }
}

async function insertPg(client: pg.Client, table: string, template: Row, rows: Iterable<Row>): Promise<void> {
  const columns = Object.keys(template).filter((c) => c !== "id");
  // node-postgres sends arrays as PostgreSQL arrays; JSON columns get their text instead.
  const value = (v: unknown) => (v !== null && typeof v === "object" && !(v instanceof Date) ? JSON.stringify(v) : v);
  let batch: unknown[][] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const placeholders = batch.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(", ")})`).join(", ");
    await client.query(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${placeholders}`, batch.flat());
    batch = [];
  };
  for (const row of rows) {
    batch.push(columns.map((c) => value(c in row ? row[c] : template[c])));
    if (batch.length === 500) await flush();
  }
  await flush();
}
