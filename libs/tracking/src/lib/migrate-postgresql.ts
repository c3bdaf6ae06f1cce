// Applies prisma/migrations-postgresql/*/migration.sql to a PostgreSQL database and records
// each one in `_prisma_migrations` as Prisma's schema engine does. The whole run holds the
// advisory lock Prisma's own `migrate deploy` takes, so several hosts opening a new database
// at once (and Prisma's CLI) apply each migration once; each migration is one transaction.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { MigrationError } from "./errors.ts";
import { defaultMigrationsDir, pendingMigrations, readMigrations, type HistoryRow, type MigrateOptions } from "./migrate.ts";

/** The key of Prisma's migration advisory lock (`prisma migrate deploy` uses the same). */
export const MIGRATION_LOCK_KEY = 72707369;

// Prisma's own DDL for the history table on PostgreSQL.
const HISTORY_TABLE_SQL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);`;

/** Applies pending migrations and returns their names (empty when the database is current). */
export async function migratePostgresql(url: string, options: MigrateOptions = {}): Promise<string[]> {
  const migrations = readMigrations(options.migrationsDir ?? defaultMigrationsDir("postgresql"));
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw new MigrationError(
      `Cannot connect to the PostgreSQL database of THAW_DB (${(error as Error).message}); check that the server runs and that the URL's host, port, user, password and database are right.`,
    );
  }
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      await client.query(HISTORY_TABLE_SQL);
      const { rows } = await client.query<HistoryRow>(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`);
      const applied: string[] = [];
      for (const migration of pendingMigrations(rows, migrations)) {
        await applyOne(client, migration.name, migration.sql, migration.checksum);
        applied.push(migration.name);
      }
      return applied;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

async function applyOne(client: pg.Client, name: string, sql: string, checksum: string): Promise<void> {
  const startedAt = new Date();
  await client.query("BEGIN");
  try {
    await client.query(sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
      [randomUUID(), checksum, name, startedAt],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw new MigrationError(`Migration ${name} failed (${(error as Error).message}); fix its SQL, nothing of it was applied.`);
  }
}
