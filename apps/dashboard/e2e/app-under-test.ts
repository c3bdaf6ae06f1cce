// Starts what a user runs: the built dashboard (`next start`) and one trainer worker, on a
// temporary THAW_HOME and database, and stops both (whole process groups) afterwards.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readdirSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export const dashboardDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const repoRoot = path.resolve(dashboardDir, "../..");
const thaw = path.join(repoRoot, "apps", "trainer", "bin", "thaw.mjs");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (["node_modules", ".next", "generated", "test-output", "e2e"].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds when there is no build or a source is newer than it. */
export function buildIfStale(): void {
  const buildId = path.join(dashboardDir, ".next", "BUILD_ID");
  const sources = [dashboardDir, ...["tracking", "data", "vgg", "planner"].map((l) => path.join(repoRoot, "libs", l, "src"))];
  if (existsSync(buildId) && Math.max(...sources.map(newestMtime)) < statSync(buildId).mtimeMs) return;
  const result = spawnSync("npm", ["run", "build"], { cwd: dashboardDir, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status}); run \`npm run build -w @thaw/dashboard\` to see why.`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface AppUnderTest {
  home: string;
  /** The store the app runs on: a SQLite file or a PostgreSQL URL (THAW_E2E_DB). */
  dbPath: string;
  baseUrl: string;
  thaw(args: string[]): string;
  stop(): Promise<void>;
}

function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) return resolve();
    child.once("exit", () => resolve());
    process.kill(-child.pid, "SIGTERM");
    setTimeout(() => {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, 10_000).unref();
  });
}

async function waitForHttp(url: string, timeoutMs: number, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`next start exited with ${server.exitCode}; see its log in the test output folder.`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms.`);
}

/**
 * The store of the app under test: a SQLite file in THAW_HOME, or with THAW_E2E_DB=postgresql
 * a new database on the THAW_TEST_PG_URL server (dropped at the end).
 */
async function testDatabase(home: string): Promise<{ location: string; drop(): Promise<void> }> {
  if (process.env.THAW_E2E_DB !== "postgresql") return { location: path.join(home, "thaw.db"), drop: async () => undefined };
  const server = process.env.THAW_TEST_PG_URL;
  if (!server) throw new Error("THAW_E2E_DB=postgresql needs THAW_TEST_PG_URL (postgresql://USER@HOST:PORT/postgres); .ci/run sets it.");
  const name = `thaw_e2e_${path.basename(home).replace(/\W/g, "_").toLowerCase()}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { location: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** `prepare` runs on the empty THAW_HOME (and store) before the server and the worker start. */
export async function startApp(outputDir: string, prepare?: (home: string, dbPath: string) => Promise<void>): Promise<AppUnderTest> {
  const home = mkdtempSync(path.join(os.tmpdir(), "thaw-e2e-"));
  const database = await testDatabase(home);
  await prepare?.(home, database.location);
  const port = await freePort();
  const env = { ...process.env, THAW_HOME: home, THAW_DB: database.location, HOST: "127.0.0.1", PORT: String(port), NEXT_TELEMETRY_DISABLED: "1" };
  const serverLog = openSync(path.join(outputDir, "server.log"), "w");
  const workerLog = openSync(path.join(outputDir, "worker.log"), "w");
  // Each in its own process group, so that stopping reaches next-server and worker children.
  const server = spawn(process.execPath, [path.join(repoRoot, "node_modules", "next", "dist", "bin", "next"), "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: dashboardDir, env, detached: true, stdio: ["ignore", serverLog, serverLog],
  });
  const worker = spawn(process.execPath, [thaw, "worker", "--concurrency", "2", "--poll", "500"], {
    cwd: repoRoot, env, detached: true, stdio: ["ignore", workerLog, workerLog],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(`${baseUrl}/api/trpc/experiments.list`, 60_000, server);
  return {
    home,
    dbPath: database.location,
    baseUrl,
    thaw(args) {
      const result = spawnSync(process.execPath, [thaw, ...args], { cwd: repoRoot, env, encoding: "utf8" });
      if (result.status !== 0) throw new Error(`thaw ${args.join(" ")} failed: ${result.stderr}`);
      return result.stdout;
    },
    async stop() {
      await Promise.all([stopGroup(worker), stopGroup(server)]);
      rmSync(home, { recursive: true, force: true });
      await database.drop();
    },
  };
}
