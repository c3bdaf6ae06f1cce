import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { harness, makeDatasetFolder, RUN_DEFAULTS, trainFake, type Harness } from "../../../test/harness.ts";

let h: Harness;
let experimentId: number;
let datasetId: number;

beforeEach(async () => {
  h = await harness({ sweepLimit: 6 });
  experimentId = (await h.store.createExperiment({ name: "cats-dogs" })).id;
  datasetId = (await h.store.registerDataset({ name: "pets", path: makeDatasetFolder(path.join(h.dir, "data"), "pets", ["cat", "dog"]) })).id;
});
afterEach(() => h.close());

const run = () => ({ ...RUN_DEFAULTS, experimentId, datasetId, frozenLayers: 15, learningRate: 0.001 });

describe("launch.run", () => {
  it("queues a run whose stored columns are the submitted values", async () => {
    const { runId } = await h.caller.launch.run({ ...run(), name: "first" });
    const stored = await h.store.getRun(runId);
    expect(stored).toMatchObject({ status: "QUEUED", frozenLayers: 15, learningRate: 0.001, imageSize: 32, base: "random", datasetId, name: "first" });
    expect(stored.params).toEqual({ head: "fc2", widthMultiplier: 0.125, validationSplit: 0.25, dropout: 0, keepCheckpoints: 2 });
    const { runId: more } = await h.caller.launch.run({ ...run(), keepCheckpoints: 5 });
    expect((await h.store.getRun(more)).params).toMatchObject({ keepCheckpoints: 5 });
    await expect(h.caller.launch.run({ ...run(), keepCheckpoints: 0 })).rejects.toThrow(/Keep at least 1 checkpoint/);
  });

  it("rejects invalid numbers with a field error", async () => {
    await expect(h.caller.launch.run({ ...run(), learningRate: -1 })).rejects.toThrow(/learning rate must be greater than 0/);
    await expect(h.caller.launch.run({ ...run(), frozenLayers: 23 })).rejects.toThrow(/At most 22 layers/);
    await expect(h.caller.launch.run({ ...run(), epochs: 1.5 })).rejects.toThrow(/whole number/);
    await expect(h.caller.launch.run({ ...run(), imageSize: 16 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("answers NOT_FOUND for an unknown dataset or experiment", async () => {
    await expect(h.caller.launch.run({ ...run(), datasetId: 999 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(h.caller.launch.run({ ...run(), experimentId: 999 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("starts from an earlier run only when that run has a checkpoint, pinned to that checkpoint", async () => {
    const { runId: first } = await h.caller.launch.run(run());
    await expect(h.caller.launch.run({ ...run(), base: `run:${first}` })).rejects.toThrow(`Run ${first} has no checkpoint`);
    await trainFake(h.store, first, [0.6, 0.7], false, path.join(h.dir, "checkpoints"));
    const pinned = (await h.store.bestCheckpoint(first))!;
    const { runId } = await h.caller.launch.run({ ...run(), base: `run:${first}` });
    // The base run then saves a better checkpoint: the queued run keeps the one it was given.
    await h.store.logEpoch(first, { epoch: 2, loss: 0.1, accuracy: 0.99, valLoss: 0.1, valAccuracy: 0.95, durationMs: 1000 });
    await h.store.addCheckpoint(first, { epoch: 2, path: path.join(h.dir, "later"), metrics: { valAccuracy: 0.95 }, sizeBytes: 1, sha256: "1".repeat(64) });
    expect((await h.store.bestCheckpoint(first))!.id).not.toBe(pinned.id);
    const derived = await h.store.getRun(runId);
    expect(derived).toMatchObject({ baseRunId: first, base: `run:${first}`, baseCheckpointId: pinned.id, baseCheckpointSha256: pinned.sha256 });
    expect((await h.store.getRun(first)).derivedRuns).toEqual([{ id: runId, name: null, status: "QUEUED", baseCheckpointId: pinned.id }]);
  });
});

describe("launch refuses runs that could only fail in the worker, at their field, in the CLI's words", () => {
  const queued = async () => (await h.store.listRuns({})).items.length;

  async function refused(call: Promise<unknown>, field: string, message: string): Promise<void> {
    const before = await queued();
    await expect(call).rejects.toMatchObject({ code: "BAD_REQUEST", message, cause: { field } });
    expect(await queued()).toBe(before);
  }

  it("ImageNet weights with the fc2 head at 32 px", async () => {
    // Keras' file is present, so only the image size stands in the way.
    writeFileSync(path.join(h.dir, "home", ".keras", "models", "vgg16_weights_tf_dim_ordering_tf_kernels.h5"), "x");
    const imagenet = { ...run(), base: "vgg16-imagenet", head: "fc2", widthMultiplier: 1, imageSize: 32 } as const;
    await refused(
      h.caller.launch.run(imagenet),
      "imageSize",
      "Image size 32 does not fit the fc2 head: the seed's fc1 layer needs 224x224 inputs; use image size 224, or the pooled head for other sizes.",
    );
    await refused(
      h.caller.launch.run({ ...imagenet, imageSize: 224, widthMultiplier: 0.125 }),
      "widthMultiplier",
      "ImageNet weights exist only for the full-width VGG16, not width 0.125; use width 1, or random weights for a narrower model.",
    );
  });

  it("ImageNet weights when Keras' file is not on disk", async () => {
    const call = h.caller.launch.run({ ...run(), base: "vgg16-imagenet", head: "pooled", widthMultiplier: 1 });
    await expect(call).rejects.toMatchObject({ code: "BAD_REQUEST", cause: { field: "base" } });
    await expect(call).rejects.toThrow(/vgg16_weights_tf_dim_ordering_tf_kernels_notop\.h5, which is not in .*; download it from https:/);
  });

  it("the pooled head with 21 or 22 frozen layers", async () => {
    for (const frozenLayers of [21, 22]) {
      await refused(
        h.caller.launch.run({ ...run(), head: "pooled", frozenLayers }),
        "frozenLayers",
        `Freezing ${frozenLayers} layers leaves nothing to train: the model with the pooled head has 21 layers; freeze at most 20 (19 freezes the whole convolutional base).`,
      );
    }
    await expect(h.caller.launch.run({ ...run(), head: "pooled", dropout: 0.5, frozenLayers: 21 })).resolves.toHaveProperty("runId");
  });

  it("a base run of another width, image size or head", async () => {
    const { runId: base } = await h.caller.launch.run(run());
    await trainFake(h.store, base, [0.6], true, path.join(h.dir, "checkpoints"));
    const from = { ...run(), base: `run:${base}` };
    await refused(
      h.caller.launch.run({ ...from, widthMultiplier: 0.25 }),
      "widthMultiplier",
      `The base run:${base} is VGG16 at width 0.125, so a run from it has that width, not 0.25; use width 0.125.`,
    );
    await refused(h.caller.launch.run({ ...from, imageSize: 64 }), "imageSize", `Image size 64 does not fit the base run:${base}: its model takes 32x32 inputs; use image size 32.`);
    await refused(h.caller.launch.run({ ...from, head: "pooled" }), "head", `The base run:${base} has the fc2 head, so a run from it has it too, not pooled; use the fc2 head.`);
  });

  it("a data folder a classifier cannot learn from, at the dataset field", async () => {
    const one = (await h.store.registerDataset({ name: "one", path: makeDatasetFolder(path.join(h.dir, "data"), "one", ["cat"]) })).id;
    await refused(h.caller.launch.run({ ...run(), datasetId: one }), "datasetId", `The data folder ${path.join(h.dir, "data", "one")} has 1 class folder (cat), and a classifier needs at least two; add one sub-folder of images per class.`);
  });

  it("a sweep whole, naming the cells that cannot run", async () => {
    await refused(
      h.caller.launch.sweep({ ...run(), head: "pooled", frozenLayersList: [15, 21, 22], learningRates: [0.01, 0.001] }),
      "frozenLayersList",
      "4 of the 6 runs of this sweep cannot run (frozen 21 x lr 0.01, frozen 21 x lr 0.001, frozen 22 x lr 0.01, frozen 22 x lr 0.001), so none was queued: " +
        "Freezing 21 layers leaves nothing to train: the model with the pooled head has 21 layers; freeze at most 20 (19 freezes the whole convolutional base).",
    );
  });
});

describe("launch.sweep", () => {
  it("queues the grid of distinct frozen counts x learning rates under one sweep id", async () => {
    const { sweepId, runIds } = await h.caller.launch.sweep({ ...run(), frozenLayersList: [11, 15, 15], learningRates: [0.01, 0.001, 0.0001] });
    expect(runIds).toHaveLength(6);
    const runs = await Promise.all(runIds.map((id) => h.store.getRun(id)));
    expect(new Set(runs.map((r) => r.sweepId))).toEqual(new Set([sweepId]));
    expect(new Set(runs.map((r) => `${r.frozenLayers}@${r.learningRate}`)).size).toBe(6);
    await h.caller.launch.run(run());
    const listed = await h.caller.runs.list({ sweepId });
    expect(listed.items.map((r) => r.id).sort((x, y) => x - y)).toEqual(runIds);
  });

  it("refuses a sweep larger than the limit and names both numbers", async () => {
    await expect(h.caller.launch.sweep({ ...run(), frozenLayersList: [7, 11, 15], learningRates: [0.1, 0.01, 0.001] })).rejects.toThrow(
      "This sweep would queue 9 runs, more than the limit of 6",
    );
    expect((await h.store.listRuns({})).items).toHaveLength(0);
  });

  it("refuses empty lists", async () => {
    await expect(h.caller.launch.sweep({ ...run(), frozenLayersList: [], learningRates: [0.1] })).rejects.toThrow(/at least one frozen-layer count/);
  });
});

describe("launch.options and launch.template", () => {
  it("offers VGG16's 23 layers, datasets and bases; ImageNet only when the weights file exists", async () => {
    const before = await h.caller.launch.options();
    expect(before.layers.map((l) => l.name).slice(0, 4)).toEqual(["input_1", "block1_conv1", "block1_conv2", "block1_pool"]);
    expect(before.layers).toHaveLength(23);
    expect(before.datasets.map((d) => d.name)).toEqual(["pets"]);
    expect(before.bases.map((b) => b.value)).toEqual(["random"]);
    writeFileSync(path.join(h.dir, "home", ".keras", "models", "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"), "x");
    const { runId } = await h.caller.launch.run(run());
    await trainFake(h.store, runId, [0.5]);
    const after = await h.caller.launch.options();
    expect(after.bases.map((b) => b.value)).toEqual(["vgg16-imagenet", "random", `run:${runId}`]);
  });

  it("returns a run's parameters for cloning, and NOT_FOUND for an unknown run", async () => {
    const { runId } = await h.caller.launch.run({ ...run(), learningRate: 0.02, frozenLayers: 7, name: "x", head: "pooled", dropout: 0.3 });
    const template = await h.caller.launch.template({ runId });
    expect(template).toMatchObject({ learningRate: 0.02, frozenLayers: 7, datasetId, experimentId, widthMultiplier: 0.125, name: "x (clone)", head: "pooled", dropout: 0.3, keepCheckpoints: 2 });
    await expect(h.caller.launch.run(template)).resolves.toHaveProperty("runId");
    await expect(h.caller.launch.template({ runId: 4242 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
