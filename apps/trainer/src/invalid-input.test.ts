// Invalid input is refused before any training: exit code 2, one sentence naming the problem
// and the fix, and nothing written to the store.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeSandbox, sandbox, thaw, withTestStore, type Sandbox } from "./testing/cli-harness.ts";

let box: Sandbox;
let data: string;
const tiny = ["--base", "random", "--head", "pooled", "--width", "0.0625", "--image-size", "32", "--epochs", "1"];

afterAll(() => removeSandbox(box));

beforeAll(() => {
  box = sandbox();
  data = path.join(box.dir, "data");
  const synth = thaw(box, ["data", "synth", data, "--classes", "circle,square", "--per-class", "4", "--size", "32"]);
  expect(synth.status, synth.stderr).toBe(0);
});

function refuse(args: string[], sentence: RegExp): void {
  const result = thaw(box, args);
  expect(result.status, result.stdout + result.stderr).toBe(2);
  const message = result.stderr.trim();
  expect(message.split("\n")).toHaveLength(1);
  expect(message).toMatch(sentence);
  expect(result.stdout).not.toMatch(/Epoch/);
}

async function expectEmptyStore(): Promise<void> {
  await withTestStore(box, async (store) => {
    expect((await store.listRuns()).items).toEqual([]);
    expect(await store.listExperiments()).toEqual([]);
    expect(await store.listDatasets()).toEqual([]);
  });
}

describe("thaw train refuses invalid input", () => {
  it("a data folder with fewer than two classes", async () => {
    const one = path.join(box.dir, "one-class");
    cpSync(path.join(data, "circle"), path.join(one, "circle"), { recursive: true });
    refuse(["train", "--data", one, "--experiment", "x", ...tiny], /has 1 class folder \(circle\).*at least two; add one sub-folder of images per class\.$/);
    await expectEmptyStore();
  });

  it("an empty class", async () => {
    const withEmpty = path.join(box.dir, "with-empty");
    cpSync(data, withEmpty, { recursive: true });
    mkdirSync(path.join(withEmpty, "triangle"));
    refuse(["train", "--data", withEmpty, "--experiment", "x", ...tiny], /class folder .*triangle holds no images; add .* or remove the folder\.$/);
    await expectEmptyStore();
  });

  it("--frozen above the model's layer count", async () => {
    refuse(["train", "--data", data, "--experiment", "x", ...tiny, "--frozen", "30"], /Freezing 30 layers leaves nothing to train: the model with the pooled head has 21 layers; freeze at most 20/);
    await expectEmptyStore();
  });

  it("a learning rate that is not a positive number", async () => {
    refuse(["train", "--data", data, "--experiment", "x", ...tiny, "--lr", "fast"], /^thaw: --lr must be a positive number such as 1e-4; got "fast"\.$/);
    refuse(["train", "--data", data, "--experiment", "x", ...tiny, "--lr", "-0.1"], /--lr must be a positive number/);
    refuse(["sweep", "--data", data, "--experiment", "x", ...tiny, "--lr", "1e-3,0"], /--lr must be a comma-separated list of positive numbers .*"0" is not\.$/);
    await expectEmptyStore();
  });

  it("a batch size of 0", async () => {
    refuse(["train", "--data", data, "--experiment", "x", ...tiny, "--batch", "0"], /^thaw: --batch must be a whole number of at least 1 such as 32; got "0"\.$/);
    await expectEmptyStore();
  });

  it("an unknown run id", async () => {
    refuse(["train", "--data", data, "--experiment", "x", ...tiny, "--base", "999"], /Run 999 does not exist; pick an earlier run that does \(`thaw runs` lists them\)\.$/);
    refuse(["show", "999"], /Run 999 does not exist/);
    refuse(["stop", "999"], /Run 999 does not exist/);
    await expectEmptyStore();
  });

});

// The launches the dashboard refuses (apps/dashboard/src/server/api/routers/launch.test.ts):
// the same inputs give the same sentence here, and nothing is queued.
describe("thaw train and thaw sweep refuse what the dashboard refuses, in the same words", () => {
  async function runCount(): Promise<number> {
    return withTestStore(box, async (store) => (await store.listRuns()).items.length);
  }

  function refuseExactly(args: string[], message: string): void {
    const result = thaw(box, args);
    expect(result.status, result.stdout + result.stderr).toBe(2);
    expect(result.stderr.trim()).toBe(`thaw: ${message}`);
  }

  it("ImageNet weights with the fc2 head at 32 px", async () => {
    refuseExactly(
      ["train", "--data", data, "--experiment", "x", "--base", "vgg16-imagenet", "--head", "fc2", "--image-size", "32"],
      "Image size 32 does not fit the fc2 head: the seed's fc1 layer needs 224x224 inputs; use image size 224, or the pooled head for other sizes.",
    );
    await expectEmptyStore();
  });

  it("the pooled head with 21 or 22 frozen layers, and a sweep naming its cells", async () => {
    for (const frozen of ["21", "22"]) {
      refuseExactly(
        ["train", "--data", data, "--experiment", "x", ...tiny, "--frozen", frozen],
        `Freezing ${frozen} layers leaves nothing to train: the model with the pooled head has 21 layers; freeze at most 20 (19 freezes the whole convolutional base).`,
      );
    }
    refuseExactly(
      ["sweep", "--data", data, "--experiment", "x", ...tiny, "--frozen", "15,21,22", "--lr", "0.01,0.001"],
      "4 of the 6 runs of this sweep cannot run (frozen 21 x lr 0.01, frozen 21 x lr 0.001, frozen 22 x lr 0.01, frozen 22 x lr 0.001), so none was queued: " +
        "Freezing 21 layers leaves nothing to train: the model with the pooled head has 21 layers; freeze at most 20 (19 freezes the whole convolutional base).",
    );
    await expectEmptyStore();
  });

  it("a base run of another width, image size or head", async () => {
    // A finished run of VGG16 at width 0.125, 32 px, fc2 head, with its checkpoint folder.
    const dir = path.join(box.dir, "checkpoints", "base");
    mkdirSync(dir, { recursive: true });
    const meta = { format: "thaw-checkpoint@1", classNames: ["circle", "square"], inputSize: [32, 32], preprocessing: "caffe", base: "random", baseWeightsHash: "x", frozenLayers: 0, head: "fc2", widthMultiplier: 0.125, datasetFingerprint: "x", epoch: 0, metrics: {} };
    writeFileSync(path.join(dir, "thaw.json"), JSON.stringify(meta));
    const base = await withTestStore(box, async (store) => {
      const experiment = await store.ensureExperiment("base");
      const run = await store.enqueueRun({ experimentId: experiment.id, frozenLayers: 0, learningRate: 0.01, optimizer: "sgd", momentum: 0.9, batchSize: 8, epochs: 1, patience: 1, imageSize: 32, base: "random", augment: false, seed: 1, extra: { head: "fc2", widthMultiplier: 0.125 } });
      await store.claimRun(run.id, "test");
      await store.logEpoch(run.id, { epoch: 0, loss: 1, accuracy: 0.5, valLoss: 1, valAccuracy: 0.5, durationMs: 1 });
      await store.addCheckpoint(run.id, { epoch: 0, path: dir, metrics: { valAccuracy: 0.5 }, sizeBytes: 1, sha256: "0".repeat(64) });
      await store.finishRun(run.id);
      return run.id;
    });
    const from = ["train", "--data", data, "--experiment", "x", "--base", `run:${base}`, "--epochs", "1"];
    refuseExactly([...from, "--width", "0.25", "--image-size", "32"], `The base run:${base} is VGG16 at width 0.125, so a run from it has that width, not 0.25; use width 0.125.`);
    refuseExactly([...from, "--image-size", "64"], `Image size 64 does not fit the base run:${base}: its model takes 32x32 inputs; use image size 32.`);
    refuseExactly([...from, "--image-size", "32", "--head", "pooled"], `The base run:${base} has the fc2 head, so a run from it has it too, not pooled; use the fc2 head.`);
    expect(await runCount()).toBe(1);
  });
});
