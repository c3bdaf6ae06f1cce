#!/usr/bin/env node
// `npm start`: builds the dashboard when its sources changed, then serves it (127.0.0.1:3000
// unless HOST/PORT say otherwise) with one worker beside it, both on the same embedded SQLite
// store. On first start it also prepares the offline demo in the background: its pretraining
// run shows live in the dashboard and the worker picks up the transfer sweep it queues.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const thaw = path.join(root, "apps", "trainer", "bin", "thaw.mjs");
const dashboard = path.join(root, "apps", "dashboard");

// Children run in other folders (Next in apps/dashboard): pin the store and home to the
// absolute paths the one resolver (@thaw/tracking's) gives for this working folder.
const { thawLocations } = await tsImport(pathToFileURL(path.join(root, "libs", "tracking", "src", "lib", "thaw-paths.ts")).href, import.meta.url);
const locations = thawLocations();
const env = {
  ...process.env,
  HOST: process.env.HOST ?? "127.0.0.1",
  PORT: process.env.PORT ?? "3000",
  THAW_HOME: locations.home,
  THAW_DB: locations.db,
  NEXT_TELEMETRY_DISABLED: "1",
};

function step(title, command, args, options = {}) {
  console.log(`\n[thaw] ${title}`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: "inherit", ...options });
  if (result.status !== 0) {
    console.error(`[thaw] ${title} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (["node_modules", ".next", "generated", "test-output"].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function dashboardBuildIsStale() {
  const buildId = path.join(dashboard, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return true;
  const sources = ["apps/dashboard", "libs/tracking/src", "libs/data/src", "libs/vgg/src", "libs/planner/src"].map((d) => newestMtime(path.join(root, d)));
  return Math.max(...sources) > statSync(buildId).mtimeMs;
}

if (!existsSync(path.join(root, "libs", "tracking", "src", "generated", "prisma"))) {
  step("generating the Prisma client", process.execPath, [path.join(root, "tools", "prisma-generate.mjs")]);
}
if (dashboardBuildIsStale()) step("building the dashboard", "npm", ["run", "build", "-w", "@thaw/dashboard"]);

let stopping = false;
const children = [
  spawn("npm", ["run", "serve", "-w", "@thaw/dashboard"], { cwd: root, env, stdio: "inherit" }),
  spawn(process.execPath, [thaw, "worker"], { cwd: root, env, stdio: "inherit" }),
];
console.log(`\n[thaw] dashboard: http://${env.HOST}:${env.PORT}   store: ${env.THAW_DB.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, "$1***@")}   (Ctrl+C stops both)`);

// The demo is a helper, not a service: when it fails the dashboard and worker keep running.
const demo = spawn(process.execPath, [thaw, "demo"], { cwd: root, env, stdio: "inherit" });
demo.on("exit", (code) => {
  if (code !== 0 && !stopping) console.error(`[thaw] preparing the demo failed (exit ${code}); the dashboard still runs. Retry with \`npx thaw demo\`.`);
});

function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of [...children, demo]) if (child.exitCode === null) child.kill(signal);
}
process.on("SIGINT", () => stopAll("SIGTERM"));
process.on("SIGTERM", () => stopAll("SIGTERM"));
let exited = 0;
for (const child of children) {
  child.on("exit", (code) => {
    exited += 1;
    if (!stopping) {
      console.error(`[thaw] ${child === children[0] ? "dashboard" : "worker"} exited (${code}); stopping the other.`);
      process.exitCode = code ?? 1;
    }
    stopAll("SIGTERM");
    if (exited === children.length) process.exit();
  });
}
