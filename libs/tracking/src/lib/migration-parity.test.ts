// The two migration histories must build the same schema. Whoever adds a SQLite migration under
// prisma/migrations adds its PostgreSQL twin, same folder name, under
// prisma/migrations-postgresql; this test says so when they differ.
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultMigrationsDir, migrate, readMigrations } from "./migrate.ts";
import { migratePostgresql } from "./migrate-postgresql.ts";
import { postgresqlFacts, sqliteFacts } from "./testing/introspect.ts";
import { testProviders } from "./testing/postgresql.ts";
import { tempDatabase, tempDir } from "./testing/temp-store.ts";

const FIX =
  "prisma/migrations and prisma/migrations-postgresql differ: for each SQLite migration add its PostgreSQL twin under the same folder name (prisma/migrations-postgresql/<name>/migration.sql), written as Prisma writes PostgreSQL DDL";

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const fn of cleanup) await fn();
});

describe("SQLite and PostgreSQL migration histories", () => {
  it("have the same migration names, in the same order", () => {
    const sqlite = readMigrations(defaultMigrationsDir("sqlite")).map((m) => m.name);
    const postgresql = readMigrations(defaultMigrationsDir("postgresql")).map((m) => m.name);
    expect(postgresql, FIX).toEqual(sqlite);
  });

  it.runIf(testProviders().includes("postgresql"))("build the same tables, columns, types, indexes and foreign keys", async () => {
    const { dir, remove } = tempDir();
    cleanup.push(remove);
    const dbPath = path.join(dir, "parity.db");
    migrate(dbPath);
    const database = await tempDatabase("postgresql");
    cleanup.push(database.remove);
    await migratePostgresql(database.location);
    const sqlite = sqliteFacts(dbPath);
    const postgresql = await postgresqlFacts(database.location);
    expect(Object.keys(sqlite)).toContain("Run");
    expect(sqlite.Run.columns.map((column) => column.name)).toContain("leaseToken");
    expect(Object.keys(postgresql).sort(), FIX).toEqual(Object.keys(sqlite).sort());
    for (const table of Object.keys(sqlite)) expect(postgresql[table], `${table}: ${FIX}`).toEqual(sqlite[table]);
  });
});
