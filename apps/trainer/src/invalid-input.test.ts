// Invalid input is refused before any training: exit code 2, one sentence naming the problem
// and the fix, and nothing written to the store.
import { cpSync, mkdirSync } from "node:fs";
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
    refuse(["train", "--data", data, "--experiment", "x", ...tiny, "--frozen", "30"], /--frozen 30 is not below the model's 21 layers \(head pooled\).*use at most 20/);
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
    refuse(["train", "--data", data, "--experiment", "x", ...tiny, "--base", "999"], /Run 999 does not exist; list the runs with `thaw runs`\.$/);
    refuse(["show", "999"], /Run 999 does not exist/);
    refuse(["stop", "999"], /Run 999 does not exist/);
    await expectEmptyStore();
  });

  it("an image size the fc2 top cannot take, suggesting --head pooled", async () => {
    refuse(
      ["train", "--data", data, "--experiment", "x", "--base", "vgg16-imagenet", "--head", "fc2", "--image-size", "150"],
      /--image-size 150 does not fit the fc2 head: the seed's fc1 layer needs 224x224 inputs; use --image-size 224, or --head pooled/,
    );
    await expectEmptyStore();
  });
});
