// Checkpoint folders on disk kept in step with their rows. Retention marks rows first and
// removes folders after, so a crash (even SIGKILL) in between leaves marked rows whose
// folders repairCheckpoints removes at the next start; a live row whose folder is missing is
// marked, and a folder no row knows of (a crash between save and record) is removed.
import { existsSync, readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { artifactPath, MAX_PAGE_SIZE, type TrackingStore } from "@thaw/tracking";

/** Marks a run's superseded checkpoints and removes their folders; returns the folders removed. */
export async function pruneRunCheckpoints(store: TrackingStore, runId: number, keep: number, onRemove?: (dir: string) => void): Promise<string[]> {
  const marked = (await store.pruneCheckpoints(runId, keep)).map((c) => artifactPath(c.path));
  for (const dir of marked) {
    onRemove?.(dir);
    await rm(dir, { recursive: true, force: true });
  }
  return marked;
}

export interface RepairReport {
  /** Folders of rows marked deleted that were still on disk (an interrupted deletion). */
  finishedDeletions: string[];
  /** Live rows whose folder was missing or incomplete (no thaw.json), now marked deleted. */
  missingFolders: string[];
  /** Folders under the checkpoint root that no row records (and no running run is writing). */
  orphans: string[];
}

/** Folders under `root/run-<id>/` that belong to runs not running now. */
async function candidateFolders(store: TrackingStore, root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  const running = new Set<number>();
  let cursor: number | null = null;
  do {
    const page: Awaited<ReturnType<TrackingStore["listRuns"]>> = await store.listRuns({ status: ["RUNNING"], limit: MAX_PAGE_SIZE, cursor });
    for (const run of page.items) running.add(run.id);
    cursor = page.nextCursor;
  } while (cursor !== null);
  const found: string[] = [];
  for (const runDir of readdirSync(root, { withFileTypes: true })) {
    const match = /^run-(\d+)$/.exec(runDir.name);
    if (!runDir.isDirectory() || !match || running.has(Number(match[1]))) continue;
    for (const entry of readdirSync(path.join(root, runDir.name), { withFileTypes: true })) {
      if (entry.isDirectory()) found.push(path.join(root, runDir.name, entry.name));
    }
  }
  return found;
}

/** Brings the checkpoint folders under `root` and the store back in step after a crash. */
export async function repairCheckpoints(store: TrackingStore, root: string): Promise<RepairReport> {
  const report: RepairReport = { finishedDeletions: [], missingFolders: [], orphans: [] };
  // rows record artifact URIs (or, from older versions, plain paths): compare local folders
  const marked = (await store.listCheckpoints({ deleted: true })).map((c) => artifactPath(c.path));
  for (const dir of marked) {
    if (!existsSync(dir)) continue;
    await rm(dir, { recursive: true, force: true });
    report.finishedDeletions.push(dir);
  }
  const live = (await store.listCheckpoints({ deleted: false })).map((c) => ({ id: c.id, dir: artifactPath(c.path) }));
  const missing = live.filter((c) => !existsSync(path.join(c.dir, "thaw.json")));
  await store.markCheckpointsDeleted(missing.map((c) => c.id));
  for (const checkpoint of missing) await rm(checkpoint.dir, { recursive: true, force: true });
  report.missingFolders = missing.map((c) => c.dir);
  const known = new Set(live.map((c) => c.dir));
  for (const dir of await candidateFolders(store, root)) {
    if (known.has(dir)) continue;
    await rm(dir, { recursive: true, force: true });
    report.orphans.push(dir);
  }
  return report;
}
