// The worker's progress writes during real small runs: executeRun in this process on a store
// whose recordProgress is recorded, each write read back from the SQLite row it went to.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, parseRunProgress, type RunProgress, type TrackingStore } from "@thaw/tracking";
import { removeSandbox, sandbox, thaw, type Sandbox } from "../testing/cli-harness.ts";
import { executeRun } from "./execute-run.ts";

// Enough images that a phase outlasts the one-write-a-second throttle on a fast machine too.
const IMAGES = 2 * 500;

let box: Sandbox;
let store: TrackingStore;
const savedHome = process.env.THAW_HOME;

beforeAll(async () => {
  box = sandbox("thaw-progress-");
  const data = path.join(box.dir, "shapes");
  expect(thaw(box, ["data", "synth", data, "--classes", "circle,square", "--per-class", String(IMAGES / 2), "--size", "32"]).status).toBe(0);
  // Queued, oldest first: frozen 0 (no cache: training and validation every epoch), then
  // frozen 15 (the first epoch fills the feature cache).
  const sweep = thaw(box, [
    "sweep", "--data", data, "--experiment", "progress", "--base", "random", "--head", "pooled", "--width", "0.125",
    "--image-size", "32", "--batch", "2", "--epochs", "2", "--patience", "5", "--optimizer", "adam", "--frozen", "0,15", "--lr", "1e-3",
  ]);
  expect(sweep.status, sweep.stderr).toBe(0);
  process.env.THAW_HOME = box.env.THAW_HOME;
  store = await openStore({ path: box.dbPath });
});

afterAll(async () => {
  await store?.close();
  if (savedHome === undefined) delete process.env.THAW_HOME;
  else process.env.THAW_HOME = savedHome;
  removeSandbox(box);
});

interface Write {
  at: number;
  row: RunProgress | null;
}

/** Claims the oldest queued run and executes it, recording every progress write as the row then holds it. */
async function executeRecorded(): Promise<{ runId: number; writes: Write[]; out: string; outcome: string }> {
  const writes: Write[] = [];
  const recording: TrackingStore = {
    ...store,
    async recordProgress(ref, progress) {
      await store.recordProgress(ref, progress);
      const runId = typeof ref === "number" ? ref : ref.runId;
      writes.push({ at: Date.now(), row: parseRunProgress((await store.getRun(runId)).progress) });
    },
  };
  const run = await store.claimNextRun("progress-test");
  expect(run).not.toBeNull();
  let out = "";
  const outcome = await executeRun(recording, run!, { workerId: "progress-test", write: (text) => (out += text), tty: true });
  return { runId: run!.id, writes, out, outcome };
}

/** Writes of one (epoch, phase) in order: done grows, at least a second apart, total as given. */
function checkSegments(writes: RunProgress[]): Map<string, RunProgress[]> {
  const segments = new Map<string, RunProgress[]>();
  for (const w of writes) segments.set(`${w.epoch}:${w.phase}`, [...(segments.get(`${w.epoch}:${w.phase}`) ?? []), w]);
  for (const [key, list] of segments) {
    for (let i = 1; i < list.length; i++) {
      expect(list[i].done, key).toBeGreaterThan(list[i - 1].done);
      expect(Date.parse(list[i].updatedAt) - Date.parse(list[i - 1].updatedAt), key).toBeGreaterThanOrEqual(950);
    }
    for (const w of list) {
      expect(w.done).toBeLessThanOrEqual(w.total);
      if (w.imagesPerSecond !== null) expect(w.imagesPerSecond).toBeGreaterThan(0);
    }
  }
  return segments;
}

describe("progress written by the worker", () => {
  it("trains without the cache: training then validation each epoch, done growing, at most one write a second, cleared at the end", async () => {
    const { runId, writes, out, outcome } = await executeRecorded();
    expect(outcome).toBe("FINISHED");
    // The terminal's training line carries the rate; validation gets a line of its own.
    expect(out).toMatch(/Epoch 1\/2  \d+\/\d+ \[[=>.]{30}\] - ETA: \d+m?s - \d+\.\d images\/s - loss: \d\.\d{4} - accuracy: \d\.\d{4}/);
    expect(out).toMatch(/Epoch 1\/2  \[[=>.]{30}\] validating \d+\/\d+ images/);
    const rows = writes.map((w) => w.row);
    // The last write clears the row before the best checkpoint is evaluated.
    expect(rows.at(-1)).toBeNull();
    const progress = rows.slice(0, -1) as RunProgress[];
    expect(progress.every((p) => p !== null)).toBe(true);
    const segments = checkSegments(progress);
    expect([...segments.keys()]).toEqual(["0:train", "0:validate", "1:train", "1:validate"]);
    const train = segments.get("0:train")![0];
    const validate = segments.get("0:validate")![0];
    // Every synthesized image is in one of the two subsets.
    expect(train.total + validate.total).toBe(IMAGES);
    // A phase of more than a second is written more than once, with a rate and an ETA.
    const long = [...segments.values()].find((list) => list.length >= 2);
    expect(long, JSON.stringify(progress)).toBeDefined();
    expect(long![1].imagesPerSecond).not.toBeNull();
    expect(long![1].etaSeconds).not.toBeNull();
    expect((await store.getRun(runId)).progress).toBeNull();
  });

  it("reports the first epoch of a cached run as the feature-cache fill of every image, and prints it on the terminal", async () => {
    const { writes, out, outcome } = await executeRecorded();
    expect(outcome).toBe("FINISHED");
    const progress = writes.map((w) => w.row).filter((row): row is RunProgress => row !== null);
    const segments = checkSegments(progress);
    expect([...segments.keys()]).toEqual(["0:cache", "1:train", "1:validate"]);
    const fill = segments.get("0:cache")!;
    expect(fill.every((w) => w.total === IMAGES)).toBe(true);
    expect(out).toMatch(new RegExp(`Epoch 1/2  \\[[=>.]{30}\\] filling the feature cache \\d+/${IMAGES} images \\(\\d+%\\)`));
    expect(out).toMatch(/Epoch 2\/2  \[[=>.]{30}\] validating \d+\/\d+ images/);
  });
});
