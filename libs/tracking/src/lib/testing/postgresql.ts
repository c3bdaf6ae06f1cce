// Test support for PostgreSQL: the server comes from THAW_TEST_PG_URL (.ci/run starts a
// throwaway cluster and sets it); each test gets a database of its own, dropped afterwards.
// Under CI the PostgreSQL half of a suite must run: a missing URL fails it instead of
// skipping it. Locally without a server those tests are skipped, with a warning saying so.
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { DatabaseProvider } from "../thaw-paths.ts";

export const PG_URL_VARIABLE = "THAW_TEST_PG_URL";

/** The providers a store test runs against: SQLite always, PostgreSQL when it can or must. */
export function testProviders(): DatabaseProvider[] {
  if (process.env[PG_URL_VARIABLE] || process.env.CI === "true") return ["sqlite", "postgresql"];
  warnSkipped();
  return ["sqlite"];
}

let warned = false;
function warnSkipped(): void {
  if (warned) return;
  warned = true;
  console.warn(
    `\n*** ${PG_URL_VARIABLE} is not set: the PostgreSQL half of the tracking store's tests is SKIPPED. ` +
      `Start a server (see .ci/run) and set ${PG_URL_VARIABLE}=postgresql://USER@HOST:PORT/postgres to run it. ***\n`,
  );
}

export function adminUrl(): string {
  const url = process.env[PG_URL_VARIABLE];
  if (!url) {
    throw new Error(`${PG_URL_VARIABLE} is not set, and CI needs the PostgreSQL tests to run; .ci/run starts a server and sets it (postgresql://USER@HOST:PORT/postgres).`);
  }
  return url;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new empty database on the test server; returns its URL and how to drop it. */
export async function tempPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `thaw_test_${randomBytes(6).toString("hex")}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
  };
}
