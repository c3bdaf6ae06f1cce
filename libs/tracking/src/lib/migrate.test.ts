import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { MigrationError } from "./errors.ts";
import { defaultMigrationsDir, migrate, readMigrations } from "./migrate.ts";
import { openStore } from "./open-store.ts";
import { runTogether } from "./testing/child.ts";
import { parsePrismaSchema, sqliteType } from "./testing/prisma-schema.ts";
import { tempDir } from "./testing/temp-store.ts";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const schemaSource = readFileSync(path.join(repoRoot, "prisma", "schema.prisma"), "utf8");
/** Every migration folder in the repository, in the order they apply. */
const ALL_MIGRATIONS = readdirSync(path.join(repoRoot, "prisma", "migrations"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

interface Column { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }
interface IndexRow { name: string; unique: number; origin: string }
interface ForeignKeyRow { table: string; from: string; to: string; on_delete: string; on_update: string }

/** Every SQLite migration in the repository, in order: other branches add their own. */
const ALL = readMigrations().map((migration) => migration.name);

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((fn) => fn());
  cleanup = [];
});

function freshDbPath(): string {
  const { dir, remove } = tempDir();
  cleanup.push(remove);
  return path.join(dir, "thaw.db");
}

function withDb<T>(dbPath: string, fn: (db: Database.Database) => T): T {
  const db = new Database(dbPath, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

describe("migrations against schema.prisma", () => {
  it("build every model, column, index, unique and foreign key of the schema, and nothing else", () => {
    const dbPath = freshDbPath();
    expect(ALL[0]).toBe("0001_init");
    expect(migrate(dbPath)).toEqual(ALL);
    const { models, enums } = parsePrismaSchema(schemaSource);
    expect(models.map((model) => model.name)).toContain("Run");

    withDb(dbPath, (db) => {
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[])
        .map((row) => row.name)
        .filter((name) => !["_prisma_migrations", "sqlite_sequence"].includes(name));
      expect(tables.sort()).toEqual(models.map((model) => model.name).sort());

      for (const model of models) {
        const columns = db.prepare(`PRAGMA table_info("${model.name}")`).all() as Column[];
        const fkColumns = model.foreignKeys.flatMap((fk) => fk.columns);
        expect(columns.map((column) => column.name), model.name).toEqual(model.fields.map((field) => field.name));
        for (const field of model.fields) {
          const column = columns.find((candidate) => candidate.name === field.name) as Column;
          const where = `${model.name}.${field.name}`;
          expect(column.type, where).toBe(sqliteType(field.type, enums));
          expect(column.notnull === 1, where).toBe(!field.optional);
          expect(column.pk === 1, where).toBe(field.isId);
          expect(column.dflt_value !== null, where).toBe(field.hasDefault && !field.isAutoincrement);
          if (fkColumns.includes(field.name)) expect(field.type, where).toBe("Int");
        }

        const indexes = (db.prepare(`PRAGMA index_list("${model.name}")`).all() as IndexRow[]).filter((index) => index.origin === "c");
        expect(indexes.map((index) => index.name).sort(), model.name).toEqual(model.indexes.map((index) => index.name).sort());
        for (const expected of model.indexes) {
          const actual = indexes.find((index) => index.name === expected.name) as IndexRow;
          const columnsOfIndex = (db.prepare(`PRAGMA index_info("${expected.name}")`).all() as { name: string }[]).map((row) => row.name);
          expect(columnsOfIndex, expected.name).toEqual(expected.columns);
          expect(actual.unique === 1, expected.name).toBe(expected.unique);
        }

        const foreignKeys = db.prepare(`PRAGMA foreign_key_list("${model.name}")`).all() as ForeignKeyRow[];
        expect(foreignKeys.length, model.name).toBe(model.foreignKeys.length);
        for (const expected of model.foreignKeys) {
          const actual = foreignKeys.find((fk) => fk.from === expected.columns[0]);
          expect(actual, expected.name).toMatchObject({ table: expected.table, to: expected.references[0], on_delete: expected.onDelete, on_update: "CASCADE" });
        }
      }
    });
  });

  it("names each constraint as Prisma does in the SQL", () => {
    const sql = ALL_MIGRATIONS.map((name) => readFileSync(path.join(defaultMigrationsDir(), name, "migration.sql"), "utf8")).join("\n");
    const { models } = parsePrismaSchema(schemaSource);
    for (const model of models) {
      for (const fk of model.foreignKeys) expect(sql).toContain(`CONSTRAINT "${fk.name}" FOREIGN KEY ("${fk.columns.join('", "')}")`);
    }
    const lock = readFileSync(path.join(defaultMigrationsDir(), "migration_lock.toml"), "utf8");
    expect(lock).toMatch(/^provider = "sqlite"$/m);
  });
});

describe("migrate", () => {
  it("applies nothing twice and records Prisma's history row with the file's sha256", async () => {
    const dbPath = freshDbPath();
    expect(migrate(dbPath)).toEqual(ALL);
    expect(migrate(dbPath)).toEqual([]);
    const store = await openStore({ path: dbPath });
    await store.ensureExperiment("e");
    await store.close();
    const reopened = await openStore({ path: dbPath });
    expect((await reopened.listExperiments()).map((experiment) => experiment.name)).toEqual(["e"]);
    await reopened.close();

    const fileBytes = readFileSync(path.join(defaultMigrationsDir(), "0001_init", "migration.sql"));
    const rows = withDb(dbPath, (db) => db.prepare("SELECT * FROM _prisma_migrations ORDER BY migration_name").all()) as Record<string, unknown>[];
    expect(rows.map((candidate) => candidate.migration_name)).toEqual(ALL);
    const row = rows[0];
    expect(row.migration_name).toBe("0001_init");
    expect(row.checksum).toBe(createHash("sha256").update(fileBytes).digest("hex"));
    expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(row).toMatchObject({ logs: null, rolled_back_at: null, applied_steps_count: 1 });
    expect(Number(row.finished_at)).toBeGreaterThanOrEqual(Number(row.started_at));
    expect(Math.abs(Number(row.finished_at) - Date.now())).toBeLessThan(60_000);
    expect(withDb(dbPath, (db) => db.pragma("journal_mode", { simple: true }))).toBe("wal");
  });

  it("refuses a migration edited after it was applied", () => {
    const dbPath = freshDbPath();
    const { dir, remove } = tempDir();
    cleanup.push(remove);
    cpSync(defaultMigrationsDir(), dir, { recursive: true });
    migrate(dbPath, { migrationsDir: dir });
    writeFileSync(path.join(dir, "0001_init", "migration.sql"), readFileSync(path.join(dir, "0001_init", "migration.sql"), "utf8") + "\n-- edited\n");
    expect(() => migrate(dbPath, { migrationsDir: dir })).toThrow(MigrationError);
    expect(() => migrate(dbPath, { migrationsDir: dir })).toThrow(/0001_init was edited after it was applied/);
  });

  it("rolls back a failing migration whole and records nothing of it", () => {
    const dbPath = freshDbPath();
    const { dir, remove } = tempDir();
    cleanup.push(remove);
    cpSync(defaultMigrationsDir(), dir, { recursive: true });
    mkdirSync(path.join(dir, "9999_broken"));
    writeFileSync(path.join(dir, "9999_broken", "migration.sql"), 'CREATE TABLE "Half" ("id" INTEGER);\nCREATE TABLE "Run" ("id" INTEGER);\n');
    expect(() => migrate(dbPath, { migrationsDir: dir })).toThrow(/Migration 9999_broken failed \(table "Run" already exists\)/);
    withDb(dbPath, (db) => {
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name);
      expect(tables).not.toContain("Half");
    });
    // 0001 was applied in the same transaction as the broken 0002, so it rolled back as well.
    expect(migrate(dbPath)).toEqual(ALL);
  });

  it("lets two processes open a new database at once: both succeed, the migration runs once", async () => {
    const dbPath = freshDbPath();
    const results = await runTogether("open.ts", [[dbPath], [dbPath]]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const applied = results.map((result) => JSON.parse(result.lines[0]).applied as string[]);
    expect(applied.flat()).toEqual(ALL);
    withDb(dbPath, (db) => {
      expect(db.prepare("SELECT COUNT(*) AS n FROM _prisma_migrations").get()).toEqual({ n: ALL.length });
      expect(db.prepare("SELECT name FROM Experiment").all()).toEqual([{ name: "shared" }]);
    });
  });
});

describe("0007_checkpoint_size_bigint on a database in use", () => {
  it("keeps every checkpoint, alias and promotion (redefining a table must not cascade) and widens sizeBytes", async () => {
    const dbPath = freshDbPath();
    const { dir, remove } = tempDir();
    cleanup.push(remove);
    for (const name of ALL.filter((migration) => migration < "0007")) cpSync(path.join(defaultMigrationsDir(), name), path.join(dir, name), { recursive: true });
    migrate(dbPath, { migrationsDir: dir });
    const db = new Database(dbPath);
    try {
      db.exec(`INSERT INTO "Experiment" (id, name) VALUES (1, 'e');
        INSERT INTO "Run" (id, experimentId, frozenLayers, learningRate, optimizer, momentum, batchSize, epochs, patience, imageSize, base, augment, seed, params)
          VALUES (1, 1, 0, 0.001, 'sgd', 0.9, 8, 2, 1, 32, 'random', 0, 1, '{}');
        INSERT INTO "Checkpoint" (id, runId, epoch, path, metrics, sizeBytes, sha256) VALUES (1, 1, 0, '/c/1', '{}', 2048, 'a'), (2, 1, 1, '/c/2', '{}', 4096, 'b');
        INSERT INTO "ModelAlias" (experimentId, alias, checkpointId, updatedAt) VALUES (1, 'champion', 2, 0);
        INSERT INTO "Promotion" (experimentId, alias, checkpointId, previousCheckpointId, promotedBy) VALUES (1, 'champion', 2, 1, 'cli');`);
    } finally {
      db.close();
    }
    expect(migrate(dbPath)).toEqual(ALL.filter((migration) => migration >= "0007"));
    withDb(dbPath, (db) => {
      expect(db.prepare(`SELECT id, sizeBytes, path FROM "Checkpoint" ORDER BY id`).all()).toEqual([{ id: 1, sizeBytes: 2048, path: "/c/1" }, { id: 2, sizeBytes: 4096, path: "/c/2" }]);
      expect(db.prepare(`SELECT checkpointId FROM "ModelAlias"`).all()).toEqual([{ checkpointId: 2 }]);
      expect(db.prepare(`SELECT checkpointId, previousCheckpointId FROM "Promotion"`).all()).toEqual([{ checkpointId: 2, previousCheckpointId: 1 }]);
      expect(db.prepare(`SELECT type FROM pragma_table_info('Checkpoint') WHERE name = 'sizeBytes'`).get()).toEqual({ type: "BIGINT" });
      expect(db.pragma("foreign_key_check")).toEqual([]);
    });
    const store = await openStore({ path: dbPath });
    try {
      expect((await store.getAlias(1))?.checkpoint).toMatchObject({ id: 2, sizeBytes: 4096n });
      const next = await store.getCheckpoint(1);
      expect(next.sizeBytes).toBe(2048n);
    } finally {
      await store.close();
    }
  });
});
