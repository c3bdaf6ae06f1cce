// PostgreSQL's migration history applied at open: from empty, once, under the advisory lock
// when several processes open a new database together, and recorded as Prisma records it.
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MigrationError } from "./errors.ts";
import { defaultMigrationsDir, readMigrations } from "./migrate.ts";
import { migratePostgresql } from "./migrate-postgresql.ts";
import { openStore } from "./open-store.ts";
import { runTogether } from "./testing/child.ts";
import { testProviders } from "./testing/postgresql.ts";
import { rawRows } from "./testing/raw-query.ts";
import { tempDatabase, tempDir } from "./testing/temp-store.ts";

const ALL = readMigrations(defaultMigrationsDir("postgresql")).map((migration) => migration.name);

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup) await fn();
  cleanup = [];
});

async function freshUrl(): Promise<string> {
  const database = await tempDatabase("postgresql");
  cleanup.push(database.remove);
  return database.location;
}

function migrationsCopy(): string {
  const { dir, remove } = tempDir();
  cleanup.push(remove);
  cpSync(defaultMigrationsDir("postgresql"), dir, { recursive: true });
  return dir;
}

describe.runIf(testProviders().includes("postgresql"))("migratePostgresql", () => {
  it("applies the history from empty once, records Prisma's rows, and re-opening applies nothing", async () => {
    const url = await freshUrl();
    expect(ALL[0]).toBe("0001_init");
    expect(await migratePostgresql(url)).toEqual(ALL);
    expect(await migratePostgresql(url)).toEqual([]);
    const store = await openStore({ path: url });
    expect(store.provider).toBe("postgresql");
    await store.ensureExperiment("e");
    await store.close();
    const reopened = await openStore({ path: url });
    expect((await reopened.listExperiments()).map((experiment) => experiment.name)).toEqual(["e"]);
    await reopened.close();

    const rows = await rawRows<Record<string, unknown>>(url, `SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);
    expect(rows.map((row) => row.migration_name)).toEqual(ALL);
    const bytes = readFileSync(path.join(defaultMigrationsDir("postgresql"), "0001_init", "migration.sql"));
    expect(rows[0].checksum).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(rows[0]).toMatchObject({ logs: null, rolled_back_at: null, applied_steps_count: 1 });
    expect((rows[0].finished_at as Date).getTime()).toBeGreaterThanOrEqual((rows[0].started_at as Date).getTime() - 1000);
  });

  it("refuses a migration edited after it was applied, naming it", async () => {
    const url = await freshUrl();
    const dir = migrationsCopy();
    await migratePostgresql(url, { migrationsDir: dir });
    writeFileSync(path.join(dir, "0001_init", "migration.sql"), readFileSync(path.join(dir, "0001_init", "migration.sql"), "utf8") + "\n-- edited\n");
    await expect(migratePostgresql(url, { migrationsDir: dir })).rejects.toThrow(MigrationError);
    await expect(migratePostgresql(url, { migrationsDir: dir })).rejects.toThrow(/0001_init was edited after it was applied/);
  });

  it("rolls back a failing migration whole, keeps the ones before it, and records nothing of it", async () => {
    const url = await freshUrl();
    const dir = migrationsCopy();
    mkdirSync(path.join(dir, "9999_broken"));
    writeFileSync(path.join(dir, "9999_broken", "migration.sql"), 'CREATE TABLE "Half" ("id" INTEGER);\nCREATE TABLE "Run" ("id" INTEGER);\n');
    await expect(migratePostgresql(url, { migrationsDir: dir })).rejects.toThrow(/Migration 9999_broken failed \(relation "Run" already exists\)/);
    const tables = (await rawRows<{ table_name: string }>(url, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)).map((row) => row.table_name);
    expect(tables).toContain("Run");
    expect(tables).not.toContain("Half");
    const recorded = (await rawRows<{ migration_name: string }>(url, `SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`)).map((row) => row.migration_name);
    expect(recorded).toEqual(ALL);
  });

  it("lets two processes open a new database at once: both succeed, each migration runs once", async () => {
    const url = await freshUrl();
    const results = await runTogether("open.ts", [[url], [url]]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const applied = results.map((result) => JSON.parse(result.lines[0]).applied as string[]);
    expect(applied.flat()).toEqual(ALL);
    const [count] = await rawRows<{ n: string }>(url, `SELECT COUNT(*) AS n FROM "_prisma_migrations"`);
    expect(Number(count.n)).toBe(ALL.length);
    expect(await rawRows(url, `SELECT name FROM "Experiment"`)).toEqual([{ name: "shared" }]);
  });

  it("names the server problem and the fix when it cannot connect", async () => {
    await expect(migratePostgresql("postgresql://thaw@127.0.0.1:1/none")).rejects.toThrow(
      /Cannot connect to the PostgreSQL database of THAW_DB .*; check that the server runs and that the URL's host, port, user, password and database are right\./,
    );
  });
});
