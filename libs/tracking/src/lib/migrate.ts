// Applies prisma/migrations/*/migration.sql to a SQLite file (migrate-postgresql.ts does the
// same for PostgreSQL from prisma/migrations-postgresql) and records each one in
// `_prisma_migrations` exactly as Prisma's schema engine does, so that `prisma migrate deploy`
// and `prisma migrate status` agree with us on a machine where Prisma's native engine runs.
import Database from "better-sqlite3";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { DatabaseProvider } from "./thaw-paths.ts";
import { MigrationError } from "./errors.ts";

/** How long a connection waits for another process's write lock before giving up. */
export const BUSY_TIMEOUT_MS = 10_000;

// Prisma's own DDL for the history table on SQLite; timestamps are stored as Unix
// milliseconds, which is how Prisma's SQLite driver binds them.
const HISTORY_TABLE_SQL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
);`;

export interface MigrationFile {
  name: string;
  sql: string;
  /** sha256 hex of the file's bytes, as Prisma computes it. */
  checksum: string;
}

export interface MigrateOptions {
  /** Folder holding `<name>/migration.sql`; defaults to the repository's prisma/migrations. */
  migrationsDir?: string;
}

export interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: number | string | Date | null;
  rolled_back_at: number | string | Date | null;
}

/** Each provider's migration history, a folder under prisma/. */
export const MIGRATION_FOLDERS: Record<DatabaseProvider, string> = { sqlite: "migrations", postgresql: "migrations-postgresql" };

/** The repository's prisma/ folder, found from this file or, when bundled, from the cwd up. */
export function defaultPrismaDir(): string {
  const besideSource = fileURLToPath(new URL("../../../../prisma", import.meta.url));
  if (existsSync(path.join(besideSource, "migrations"))) return besideSource;
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "prisma");
    if (existsSync(path.join(candidate, "migrations"))) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new MigrationError(
    `No prisma/migrations folder was found next to @thaw/tracking or above ${process.cwd()}; run from the Thaw checkout or pass migrationsDir.`,
  );
}

/** prisma/migrations (SQLite) or prisma/migrations-postgresql of the repository. */
export function defaultMigrationsDir(provider: DatabaseProvider = "sqlite", prismaDir: string = defaultPrismaDir()): string {
  return path.join(prismaDir, MIGRATION_FOLDERS[provider]);
}

export function readMigrations(migrationsDir: string = defaultMigrationsDir()): MigrationFile[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(migrationsDir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(migrationsDir, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    });
}

/** Opens a connection with the settings every Thaw connection uses. */
export function openConnection(dbPath: string): Database.Database {
  mkdirSync(path.dirname(dbPath), { recursive: true });
  const db = new Database(dbPath, { timeout: BUSY_TIMEOUT_MS });
  db.pragma("foreign_keys = ON");
  // WAL lets readers (the dashboard) run while a worker writes; the mode is stored in the file.
  db.pragma("journal_mode = WAL");
  return db;
}

/**
 * Applies pending migrations and returns their names (empty when the database is current).
 * All of it happens under one write lock (BEGIN IMMEDIATE), so two processes opening a new
 * database at once apply each migration once: the second waits, then finds nothing to do.
 *
 * Foreign keys are off while migrations run, as SQLite's procedure for changing a table asks:
 * Prisma redefines a table (new table, copy, DROP, rename) to change a column's type, and with
 * foreign keys on, the DROP would cascade to every row referencing the old table (aliases,
 * promotions). Prisma's own `PRAGMA foreign_keys=OFF` in the script cannot help, as SQLite
 * ignores it inside a transaction. The keys are checked before the commit instead.
 */
export function migrate(dbPath: string, options: MigrateOptions = {}): string[] {
  const migrations = readMigrations(options.migrationsDir);
  const db = openConnection(dbPath);
  try {
    db.pragma("foreign_keys = OFF");
    db.exec("BEGIN IMMEDIATE");
    try {
      const applied = applyPending(db, migrations);
      checkForeignKeys(db, applied);
      db.exec("COMMIT");
      return applied;
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw error;
    }
  } finally {
    db.close();
  }
}

function checkForeignKeys(db: Database.Database, applied: string[]): void {
  const broken = db.pragma("foreign_key_check") as { table: string; rowid: number; parent: string }[];
  if (broken.length === 0) return;
  const first = broken[0];
  throw new MigrationError(
    `Migrations ${applied.join(", ")} left ${broken.length} row(s) referencing missing rows (first: ${first.table} row ${first.rowid} -> ${first.parent}); fix their SQL, nothing of them was applied.`,
  );
}

function applyPending(db: Database.Database, migrations: MigrationFile[]): string[] {
  db.exec(HISTORY_TABLE_SQL);
  const rows = db
    .prepare("SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations")
    .all() as HistoryRow[];
  const insert = db.prepare(
    `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
     VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`,
  );
  const applied: string[] = [];
  for (const migration of pendingMigrations(rows, migrations)) {
    const startedAt = Date.now();
    try {
      db.exec(migration.sql);
    } catch (error) {
      throw new MigrationError(
        `Migration ${migration.name} failed (${(error as Error).message}); fix its SQL, nothing of it was applied.`,
      );
    }
    insert.run(randomUUID(), migration.checksum, Date.now(), migration.name, startedAt);
    applied.push(migration.name);
  }
  return applied;
}

/**
 * The migrations not yet applied, given the history table's rows. Refuses a database where a
 * migration started and never finished, or where an applied migration's file was edited since.
 */
export function pendingMigrations(rows: HistoryRow[], migrations: MigrationFile[]): MigrationFile[] {
  const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(
      `Migration ${failed.migration_name} started but never finished in this database; repair it and mark it with \`prisma migrate resolve\`, or start over with an empty database.`,
    );
  }
  const done = new Map(rows.filter((row) => row.finished_at !== null).map((row) => [row.migration_name, row.checksum]));
  return migrations.filter((migration) => {
    const recorded = done.get(migration.name);
    if (recorded === undefined) return true;
    if (recorded !== migration.checksum) {
      throw new MigrationError(
        `Migration ${migration.name} was edited after it was applied to this database; restore the file as committed and add a new migration for the change.`,
      );
    }
    return false;
  });
}
