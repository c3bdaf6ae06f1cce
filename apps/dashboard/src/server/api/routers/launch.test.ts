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
    expect(stored.params).toEqual({ head: "fc2", widthMultiplier: 0.125, validationSplit: 0.25, dropout: 0 });
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

  it("starts from an earlier run only when that run has a checkpoint", async () => {
    const { runId: first } = await h.caller.launch.run(run());
    await expect(h.caller.launch.run({ ...run(), base: `run:${first}` })).rejects.toThrow(`Run ${first} has no checkpoint`);
    await trainFake(h.store, first, [0.6, 0.7]);
    const { runId } = await h.caller.launch.run({ ...run(), base: `run:${first}` });
    expect((await h.store.getRun(runId)).baseRunId).toBe(first);
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
    expect(template).toMatchObject({ learningRate: 0.02, frozenLayers: 7, datasetId, experimentId, widthMultiplier: 0.125, name: "x (clone)", head: "pooled", dropout: 0.3 });
    await expect(h.caller.launch.run(template)).resolves.toHaveProperty("runId");
    await expect(h.caller.launch.template({ runId: 4242 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
