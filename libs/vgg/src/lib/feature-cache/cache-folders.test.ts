// The feature cache on disk: one fill shared by two processes that need the same prefix at
// once, and least-recently-used eviction under a cap that never removes a folder in use.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cacheCapBytes, evictFeatureCaches, listCacheFolders } from "./cache-folders.ts";

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "thaw-cache-"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** A cache folder of `bytes` bytes, last used `ageMs` ago, in use by `users`. */
function folder(name: string, bytes: number, ageMs: number, users: number[] = []): string {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, "ab"), { recursive: true });
  fs.writeFileSync(path.join(dir, "meta.json"), JSON.stringify({ frozenLayers: 19 }));
  fs.writeFileSync(path.join(dir, "ab", "entry.f32"), Buffer.alloc(bytes));
  fs.mkdirSync(path.join(dir, "users"));
  for (const pid of users) fs.writeFileSync(path.join(dir, "users", String(pid)), "");
  const when = new Date(Date.now() - ageMs);
  fs.writeFileSync(path.join(dir, "last-used"), "");
  fs.utimesSync(path.join(dir, "last-used"), when, when);
  return dir;
}

interface Child {
  ready: Promise<void>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function child(script: string, args: string[]): Child {
  const file = fileURLToPath(new URL(`./testing/${script}`, import.meta.url));
  const proc = spawn(process.execPath, ["--import", "tsx", file, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  proc.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
    if (stdout.startsWith("ready\n")) markReady();
  });
  proc.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    proc.on("close", (code) => {
      markReady();
      resolve({ code, stdout, stderr });
    }),
  );
  return { ready, done };
}

describe("feature cache folders", () => {
  it("prunes a cache over its cap oldest-first while a run reads another cache", () => {
    const oldest = folder("oldest", 4000, 3_000_000);
    const inUse = folder("in-use", 4000, 2_000_000, [process.pid]);
    const middle = folder("middle", 4000, 1_000_000);
    const newest = folder("newest", 4000, 0);
    // A marker left by a process that has exited does not hold a folder.
    const dead = folder("dead-user", 4000, 2_500_000, [2 ** 22 + 12345]);
    expect(listCacheFolders(root).map((f) => path.basename(f.dir))).toEqual(["oldest", "dead-user", "in-use", "middle", "newest"]);

    const removed = evictFeatureCaches(root, 9000);
    expect(removed.map((f) => f.dir)).toEqual([oldest, dead, middle]);
    expect(fs.existsSync(inUse) && fs.existsSync(newest)).toBe(true);
    expect(listCacheFolders(root).map((f) => [path.basename(f.dir), f.users])).toEqual([["in-use", [process.pid]], ["newest", []]]);
    // Under its cap nothing more goes; the folder in use stays even when the cap cannot be met.
    expect(evictFeatureCaches(root, 9000)).toEqual([]);
    expect(evictFeatureCaches(root, 1).map((f) => f.dir)).toEqual([newest]);
    expect(fs.existsSync(inUse)).toBe(true);
  });

  it("reads THAW_CACHE_MAX_GB, refusing a value that is not a positive number", () => {
    expect(cacheCapBytes({})).toBe(20 * 1024 ** 3);
    expect(cacheCapBytes({ THAW_CACHE_MAX_GB: "0.5" })).toBe(512 * 1024 ** 2);
    expect(() => cacheCapBytes({ THAW_CACHE_MAX_GB: "lots" })).toThrow(/THAW_CACHE_MAX_GB is "lots"; give a positive number of gigabytes/);
  });

  it("fills a cache once when two processes need the same prefix at the same time", async () => {
    const images = 40;
    const cache = path.join(root, "features");
    const runs = [child("fill-child.ts", [cache, String(images)]), child("fill-child.ts", [cache, String(images)])];
    await Promise.all(runs.map((r) => r.ready));
    fs.writeFileSync(path.join(root, "go"), "");
    const [a, b] = await Promise.all(runs.map((r) => r.done));
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const computed = [a, b].map((r) => JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { computed: number; read: number });
    // Every image computed once in all, each process ends up with every image.
    expect(computed[0].computed + computed[1].computed).toBe(images);
    expect(computed.every((c) => c.computed + c.read === images)).toBe(true);
    const [only] = listCacheFolders(cache);
    expect(only.users).toEqual([]);
    expect(fs.existsSync(path.join(only.dir, "fill.lock"))).toBe(false);
  });
});
