// Test support: runs the real `thaw` CLI in a child process against a store and a THAW_HOME
// in a fresh temporary folder, and opens that same store to read rows back. The store is a
// SQLite file there, or a fresh database on the THAW_TEST_PG_URL server (pgDatabase).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { openStore, type TrackingStore } from "@thaw/tracking";

export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "thaw.mjs");

export interface Sandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
  dbPath: string;
}

export function sandbox(prefix = "thaw-cli-"): Sandbox {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const dbPath = path.join(dir, "thaw.db");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    THAW_HOME: path.join(dir, "home"),
    THAW_DB: dbPath,
    THAW_HEARTBEAT_MS: "500",
    NO_COLOR: "1",
  };
  delete env.VITEST;
  delete env.NODE_OPTIONS;
  return { dir, env, dbPath };
}

export function removeSandbox(box: Sandbox | undefined): void {
  if (box) rmSync(box.dir, { recursive: true, force: true });
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function thaw(box: Sandbox, args: string[], timeoutMs = 170_000): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: box.dir, env: box.env, encoding: "utf8", timeout: timeoutMs });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const started = new Set<ChildProcess>();

/** Ends CLI processes a failed test left running (their run processes follow: they watch them). */
export function killBackground(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  started.clear();
}

/** Starts the CLI without waiting; output is collected on the returned object. */
export function thawBackground(box: Sandbox, args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: box.dir, env: box.env, stdio: ["ignore", "pipe", "pipe"] });
  started.add(child);
  let text = "";
  child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => text, exited };
}

export async function withTestStore<T>(box: Sandbox, fn: (store: TrackingStore) => Promise<T>): Promise<T> {
  const store = await openStore({ path: box.dbPath });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Polls until check returns a value (not undefined) or the time is up. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
}

const PG_SERVER = process.env.THAW_TEST_PG_URL;

/** Whether the PostgreSQL half of a CLI test runs: when a server is given, and always under CI. */
export const PG_TESTS = Boolean(PG_SERVER) || process.env.CI === "true";

/** One statement on the test server, as its admin (CREATE/DROP DATABASE, or on `database`). */
export async function pgAdmin(sql: string, params: unknown[] = [], database?: string): Promise<pg.QueryResult> {
  if (!PG_SERVER) throw new Error("THAW_TEST_PG_URL is not set, and CI needs the PostgreSQL tests to run; .ci/run starts a server and sets it.");
  const url = new URL(PG_SERVER);
  if (database) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/** A new empty database on the test server: its name, its URL (a THAW_DB value) and how to drop it. */
export async function pgDatabase(prefix = "thaw_cli"): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  await pgAdmin(`CREATE DATABASE "${name}"`);
  const url = new URL(PG_SERVER as string);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: async () => void (await pgAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)) };
}
