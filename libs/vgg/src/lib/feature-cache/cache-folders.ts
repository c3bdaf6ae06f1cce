// The feature cache's folders as a whole: who uses each (a marker per process), when each was
// last used, how big each is, and least-recently-used eviction under a size cap that never
// removes a folder a live process uses. Shared by the worker, `thaw cache` and FeatureStore.
import fs from "node:fs";
import path from "node:path";

const USERS = "users";
const LAST_USED = "last-used";

/** Default cap when THAW_CACHE_MAX_GB is unset: enough for a few VGG16 prefixes at 224 px. */
export const DEFAULT_CACHE_MAX_GB = 20;

export interface CacheFolder {
  dir: string;
  bytes: number;
  /** When a run last opened it (ms since epoch). */
  lastUsedMs: number;
  /** Live processes using it now. */
  users: number[];
  /** What it caches, from its meta.json (dataset, frozen count, input size...). */
  meta: Record<string, unknown> | null;
}

const atExit = new Set<() => void>();

/** Runs `cleanup` when the process exits; one listener however many caches a process opens. */
export function onExit(cleanup: () => void): void {
  if (atExit.size === 0) process.once("exit", () => atExit.forEach((fn) => fn()));
  atExit.add(cleanup);
}

/** True when a process with this id runs on this host. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Marks `dir` as used by this process until it exits, and as used now (for LRU order). */
export function markInUse(dir: string): void {
  fs.mkdirSync(path.join(dir, USERS), { recursive: true });
  const marker = path.join(dir, USERS, String(process.pid));
  fs.writeFileSync(marker, "");
  fs.writeFileSync(path.join(dir, LAST_USED), new Date().toISOString());
  onExit(() => fs.rmSync(marker, { force: true }));
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : fs.statSync(full).size;
  }
  return total;
}

function liveUsers(dir: string): number[] {
  const users = path.join(dir, USERS);
  if (!fs.existsSync(users)) return [];
  return fs.readdirSync(users).map(Number).filter((pid) => Number.isInteger(pid) && processAlive(pid));
}

function readMeta(dir: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "meta.json"), "utf8")) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Every cache folder under `root`, least recently used first. */
export function listCacheFolders(root: string): CacheFolder[] {
  if (!fs.existsSync(root)) return [];
  const folders = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const dir = path.join(root, entry.name);
      const lastUsed = path.join(dir, LAST_USED);
      const lastUsedMs = fs.existsSync(lastUsed) ? fs.statSync(lastUsed).mtimeMs : fs.statSync(dir).mtimeMs;
      return { dir, bytes: folderBytes(dir), lastUsedMs, users: liveUsers(dir), meta: readMeta(dir) };
    });
  return folders.sort((a, b) => a.lastUsedMs - b.lastUsedMs);
}

/** The cap in bytes from THAW_CACHE_MAX_GB (a positive number of GB), else the default. */
export function cacheCapBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.THAW_CACHE_MAX_GB?.trim();
  const gb = raw ? Number(raw) : DEFAULT_CACHE_MAX_GB;
  if (!Number.isFinite(gb) || gb <= 0) {
    throw new Error(`THAW_CACHE_MAX_GB is "${raw}"; give a positive number of gigabytes such as ${DEFAULT_CACHE_MAX_GB}, or unset it.`);
  }
  return Math.round(gb * 1024 ** 3);
}

/**
 * Removes least-recently-used folders until the cache fits `capBytes`; a folder a live
 * process uses is never removed (the cache may then stay over its cap). Returns the removed.
 */
export function evictFeatureCaches(root: string, capBytes: number): CacheFolder[] {
  const folders = listCacheFolders(root);
  let total = folders.reduce((sum, f) => sum + f.bytes, 0);
  const removed: CacheFolder[] = [];
  for (const folder of folders) {
    if (total <= capBytes) break;
    if (folder.users.length > 0) continue;
    fs.rmSync(folder.dir, { recursive: true, force: true });
    total -= folder.bytes;
    removed.push(folder);
  }
  return removed;
}
