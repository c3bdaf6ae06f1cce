// planRun against a real store in a temporary folder, a real class-folder dataset and a
// checkpoint folder with the thaw.json a Thaw run writes: what it resolves and pins, and what
// it refuses (field and sentence) before anything is queued.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type TrackingStore } from "@thaw/tracking";
import { PlanRefusal } from "./errors.ts";
import { planRun, type PlanInput } from "./plan-run.ts";

let dir: string;
let store: TrackingStore;
let data: string;
let checkpointDir: string;
let baseRunId: number;
let checkpointId: number;

function images(root: string, classes: string[]): string {
  for (const c of classes) {
    mkdirSync(path.join(root, c), { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(path.join(root, c, `${i}.png`), "");
  }
  return root;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "thaw-planner-"));
  store = await openStore({ path: path.join(dir, "thaw.db") });
  data = images(path.join(dir, "pets"), ["cat", "dog"]);
  checkpointDir = path.join(dir, "checkpoints", "run-1", "epoch-1");
  mkdirSync(checkpointDir, { recursive: true });
  const meta = { format: "thaw-checkpoint@1", classNames: ["a", "b"], inputSize: [48, 48], preprocessing: "caffe", base: "random", baseWeightsHash: "x", frozenLayers: 0, head: "pooled", widthMultiplier: 0.25, datasetFingerprint: "x", epoch: 1, metrics: {} };
  writeFileSync(path.join(checkpointDir, "thaw.json"), JSON.stringify(meta));
  const experiment = await store.ensureExperiment("plan");
  const run = await store.enqueueRun({ experimentId: experiment.id, frozenLayers: 0, learningRate: 0.01, optimizer: "sgd", momentum: 0.9, batchSize: 8, epochs: 1, patience: 1, imageSize: 48, base: "random", augment: false, seed: 1 });
  await store.claimRun(run.id, "test");
  await store.logEpoch(run.id, { epoch: 0, loss: 1, accuracy: 0.5, valLoss: 1, valAccuracy: 0.5, durationMs: 1 });
  checkpointId = (await store.addCheckpoint(run.id, { epoch: 0, path: checkpointDir, metrics: {}, sizeBytes: 1, sha256: "c".repeat(64) })).id;
  baseRunId = run.id;
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const input = (over: Partial<PlanInput> = {}): PlanInput => ({ data, base: "random", imageSize: 32, dropout: 0, frozenLayers: [0], learningRates: [0.01], ...over });

async function refusal(over: Partial<PlanInput>): Promise<PlanRefusal> {
  const error = await planRun(store, input(over)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PlanRefusal);
  return error as PlanRefusal;
}

describe("planRun", () => {
  it("plans a random-weights run: the data folder's classes, fc2 and width 1 by default", async () => {
    const plan = await planRun(store, input());
    expect(plan).toMatchObject({ baseString: "random", baseRunId: null, baseCheckpointId: null, head: "fc2", widthMultiplier: 1 });
    expect(plan.dataset).toEqual({ path: data, classNames: ["cat", "dog"], counts: [3, 3], imageCount: 6 });
  });

  it("pins a run base, or its checkpoint folder, to the checkpoint and takes its architecture", async () => {
    for (const base of [`run:${baseRunId}`, String(baseRunId), checkpointDir]) {
      const plan = await planRun(store, input({ base, imageSize: 48 }));
      expect(plan).toMatchObject({ baseString: `run:${baseRunId}`, baseRunId, baseCheckpointId: checkpointId, baseCheckpointSha256: "c".repeat(64), head: "pooled", widthMultiplier: 0.25 });
    }
  });

  it("refuses, naming the field, what the model or the base cannot do", async () => {
    expect(await refusal({ base: `run:${baseRunId}`, imageSize: 64 })).toMatchObject({ field: "imageSize", message: `Image size 64 does not fit the base run:${baseRunId}: its model takes 48x48 inputs; use image size 48.` });
    expect(await refusal({ base: `run:${baseRunId}`, imageSize: 48, widthMultiplier: 1 })).toMatchObject({ field: "widthMultiplier" });
    expect(await refusal({ base: `run:${baseRunId}`, imageSize: 48, head: "fc2" })).toMatchObject({ field: "head" });
    expect(await refusal({ base: "run:999" })).toMatchObject({ field: "base", message: "Run 999 does not exist; pick an earlier run that does (`thaw runs` lists them)." });
    expect(await refusal({ base: path.join(dir, "pets") })).toMatchObject({ field: "base", message: expect.stringMatching(/is not a Thaw checkpoint \(no thaw.json\)/) });
    expect(await refusal({ base: "nonsense" })).toMatchObject({ field: "base" });
    expect(await refusal({ data: images(path.join(dir, "one"), ["cat"]) })).toMatchObject({ field: "data" });
    expect(await refusal({ base: "vgg16-imagenet", imageSize: 32 })).toMatchObject({ field: "imageSize" });
    const home = path.join(dir, "home");
    expect(await refusal({ base: "vgg16-imagenet", head: "pooled", weights: { env: {}, homeDir: home } })).toMatchObject({ field: "base", message: expect.stringContaining("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5") });
    mkdirSync(path.join(home, ".keras", "models"), { recursive: true });
    writeFileSync(path.join(home, ".keras", "models", "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"), "");
    await expect(planRun(store, input({ base: "vgg16-imagenet", head: "pooled", weights: { env: {}, homeDir: home } }))).resolves.toMatchObject({ baseString: "vgg16-imagenet" });
  });

  it("refuses a sweep whole, naming each cell that cannot run", async () => {
    const refused = await refusal({ head: "pooled", frozenLayers: [19, 20, 21], learningRates: [0.1, 0.01] });
    expect(refused.field).toBe("frozenLayers");
    expect(refused.cells).toEqual(["frozen 21 x lr 0.1", "frozen 21 x lr 0.01"]);
    expect(refused.message).toMatch(/^2 of the 6 runs of this sweep cannot run \(frozen 21 x lr 0.1, frozen 21 x lr 0.01\), so none was queued: Freezing 21 layers/);
    await expect(planRun(store, input({ head: "pooled", frozenLayers: [19, 20], learningRates: [0.1, 0.01] }))).resolves.toBeDefined();
  });
});
