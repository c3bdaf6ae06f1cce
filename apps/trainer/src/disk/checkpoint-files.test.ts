// Checkpoint retention against real folders and a real SQLite store: ten improving epochs keep
// two folders, a SIGKILL in the middle of a deletion is repaired at the next start, promoted
// and pinned checkpoints survive every pruning, orphans and missing folders are put right.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, type Checkpoint, type TrackingStore } from "@thaw/tracking";
import { pruneRunCheckpoints, repairCheckpoints } from "./checkpoint-files.ts";

let dir: string;
let root: string;
let dbPath: string;
let store: TrackingStore;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "thaw-retention-"));
  root = path.join(dir, "checkpoints");
  dbPath = path.join(dir, "thaw.db");
  store = await openStore({ path: dbPath });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A checkpoint folder as saveCheckpoint leaves it: thaw.json plus `files` weight shards. */
function writeFolder(folder: string, files: number): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, "thaw.json"), "{}");
  for (let i = 0; i < files; i++) writeFileSync(path.join(folder, `group1-shard${i}of${files}.bin`), Buffer.alloc(256, i));
}

/** A running run; each epoch improves, is saved, recorded, then pruned, as fit-run does. */
async function trainImproving(epochs: number, keep: number, files = 2): Promise<{ runId: number; checkpoints: Checkpoint[] }> {
  const experiment = await store.ensureExperiment("disk");
  const run = await store.enqueueRun({ experimentId: experiment.id, frozenLayers: 0, learningRate: 0.01, optimizer: "sgd", momentum: 0.9, batchSize: 8, epochs, patience: epochs, imageSize: 32, base: "random", augment: false, seed: 1 });
  await store.claimRun(run.id, "test");
  const checkpoints: Checkpoint[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const valAccuracy = 0.5 + epoch / 100;
    await store.logEpoch(run.id, { epoch, loss: 1, accuracy: valAccuracy, valAccuracy, durationMs: 1 });
    const folder = path.join(root, `run-${run.id}`, `epoch-${epoch + 1}`);
    writeFolder(folder, files);
    checkpoints.push(await store.addCheckpoint(run.id, { epoch, path: folder, metrics: { val_accuracy: valAccuracy }, sizeBytes: 256 * files, sha256: "0".repeat(64) }));
    if (keep > 0) await pruneRunCheckpoints(store, run.id, keep);
  }
  return { runId: run.id, checkpoints };
}

const folders = (runId: number) => readdirSync(path.join(root, `run-${runId}`)).sort();

describe("checkpoint retention on disk", () => {
  it("keeps 2 checkpoint folders of a run with 10 improving epochs, the best among them", async () => {
    const { runId, checkpoints } = await trainImproving(10, 2);
    expect(folders(runId)).toEqual(["epoch-10", "epoch-9"]);
    expect((await store.getRun(runId)).checkpoints.map((c) => c.epoch)).toEqual([8, 9]);
    expect((await store.bestCheckpoint(runId))!.id).toBe(checkpoints[9].id);
    expect((await store.listCheckpoints({ deleted: true })).map((c) => c.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("finishes a deletion interrupted by SIGKILL at the next start; a promoted checkpoint survives", async () => {
    const { runId, checkpoints } = await trainImproving(10, 0, 400);
    await store.promote({ checkpointId: checkpoints[3].id });
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("../testing/prune-child.ts", import.meta.url)), dbPath, String(runId), "2"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    // Killed as it starts removing the first folder: the rows are marked, the folders not gone.
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        if (line.startsWith("removing ")) {
          child.kill("SIGKILL");
          resolve();
        }
      });
      child.on("exit", () => reject(new Error(`the pruning child ended before deleting anything: ${stderr}`)));
    });
    expect(await exited).toBe("SIGKILL");
    const marked = await store.listCheckpoints({ deleted: true });
    expect(marked.map((c) => c.epoch).sort((a, b) => a - b)).toEqual([0, 1, 2, 4, 5, 6, 7]);
    const leftBehind = marked.filter((c) => existsSync(c.path));
    expect(leftBehind.length).toBeGreaterThan(1);

    const report = await repairCheckpoints(store, root);
    expect(report.finishedDeletions.sort()).toEqual(leftBehind.map((c) => c.path).sort());
    expect(folders(runId)).toEqual(["epoch-10", "epoch-4", "epoch-9"]);
    for (const live of await store.listCheckpoints({ deleted: false })) expect(existsSync(path.join(live.path, "thaw.json"))).toBe(true);
    expect(await repairCheckpoints(store, root)).toEqual({ finishedDeletions: [], missingFolders: [], orphans: [] });
  });

  it("marks rows whose folders are gone and removes folders no row records, but not a running run's", async () => {
    const { runId, checkpoints } = await trainImproving(3, 0);
    await store.finishRun(runId);
    rmSync(checkpoints[0].path, { recursive: true });
    writeFolder(path.join(root, `run-${runId}`, "epoch-7.saving-123-abcd"), 1);
    const running = await trainImproving(1, 0);
    writeFolder(path.join(root, `run-${running.runId}`, "epoch-2.saving-9-ffff"), 1);

    const report = await repairCheckpoints(store, root);
    expect(report).toEqual({ finishedDeletions: [], missingFolders: [checkpoints[0].path], orphans: [path.join(root, `run-${runId}`, "epoch-7.saving-123-abcd")] });
    expect((await store.listCheckpoints({ deleted: true })).map((c) => c.id)).toEqual([checkpoints[0].id]);
    expect(folders(runId)).toEqual(["epoch-2", "epoch-3"]);
    expect(folders(running.runId)).toEqual(["epoch-1", "epoch-2.saving-9-ffff"]);
  });
});
