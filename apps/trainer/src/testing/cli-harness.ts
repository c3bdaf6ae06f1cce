// Test support: runs the real `thaw` CLI in a child process against a store and a THAW_HOME
// in a fresh temporary folder, and opens that same store to read rows back.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
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
