// Test support: reads a store's tables directly, as an outside reference the store's own
// queries cannot colour, and writes rows as an older Thaw left them. The same SQL runs on both
// providers ($1, $2 ... parameters, used in order).
import Database from "better-sqlite3";
import pg from "pg";
import { resolveDatabase } from "../thaw-paths.ts";

export async function rawRows<T extends object>(location: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const target = resolveDatabase(location);
  if (target.provider === "sqlite") {
    const db = new Database(target.path, { readonly: true });
    try {
      return db.prepare(sql.replace(/\$\d+/g, "?")).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** COUNT(*) of a table (PostgreSQL returns it as a string). */
export async function countRows(location: string, table: string): Promise<number> {
  const [row] = await rawRows<{ n: number | string }>(location, `SELECT COUNT(*) AS n FROM "${table}"`);
  return Number(row.n);
}

/** Runs one write around the store, e.g. to leave a row as an older Thaw wrote it. */
export async function rawExecute(location: string, sql: string, params: unknown[] = []): Promise<void> {
  const target = resolveDatabase(location);
  if (target.provider === "sqlite") {
    const db = new Database(target.path);
    try {
      db.prepare(sql.replace(/\$\d+/g, "?")).run(...params);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    await client.query(sql, params);
  } finally {
    await client.end();
  }
}
