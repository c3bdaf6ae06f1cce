import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { tf, type LayersModel, type Tensor } from "../tf.ts";
import { CheckpointError } from "../errors.ts";
import { transfer } from "../model/transfer.ts";
import { vgg16 } from "../model/vgg16.ts";
import { loadCheckpoint, saveCheckpoint, type CheckpointMetaInput } from "./checkpoint.ts";
import { fsHandler } from "./fs-io-handler.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const META: CheckpointMetaInput = {
  classNames: ["cat", "dog"],
  base: "random",
  baseWeightsHash: "random:1",
  frozenLayers: 15,
  head: "fc2",
  widthMultiplier: 1 / 16,
  datasetFingerprint: "sha256:abc",
  epoch: 3,
  metrics: { loss: 0.25, accuracy: 0.9, val_loss: 0.3, val_accuracy: 0.875 },
};

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "thaw-ckpt-"));
}

function tinyTransfer(seed: number): LayersModel {
  const base = vgg16({ inputShape: [32, 32, 3], widthMultiplier: 1 / 16, seed });
  return transfer(base, { frozenLayers: 15, classes: 2, seed });
}

function predictions(model: LayersModel, x: Tensor): number[] {
  const y = model.predict(x) as Tensor;
  const values = Array.from(y.dataSync());
  y.dispose();
  return values;
}

describe("checkpoints", () => {
  it("save -> load gives identical predictions, metadata, trainable flags and hash", async () => {
    const model = tinyTransfer(1);
    const x = tf.randomUniform([3, 32, 32, 3], 0, 255, "float32", 4);
    const dir = path.join(tmpDir(), "epoch-3");
    const saved = await saveCheckpoint(model, dir, META);
    const files = fs.readdirSync(dir).sort();
    expect(files).toEqual(["group1-shard1of1.bin", "model.json", "thaw.json"]);
    expect(saved.sizeBytes).toBe(files.reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0));
    expect(saved.sha256).toMatch(/^[0-9a-f]{64}$/);

    const loaded = await loadCheckpoint(dir);
    expect(predictions(loaded.model, x)).toEqual(predictions(model, x));
    expect(loaded.meta).toEqual({ format: "thaw-checkpoint@1", preprocessing: "caffe", inputSize: [32, 32], ...META });
    expect(loaded.model.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    expect(loaded.model.layers.map((l) => l.trainable)).toEqual(model.layers.map((_, i) => i >= 15));
    expect(loaded.sha256).toBe(saved.sha256);

    // Same model and metadata again over the same folder: same bytes, same hash; new metadata: new hash.
    expect((await saveCheckpoint(model, dir, META)).sha256).toBe(saved.sha256);
    expect((await saveCheckpoint(model, dir, { ...META, epoch: 4 })).sha256).not.toBe(saved.sha256);
    expect(fs.readdirSync(path.dirname(dir))).toEqual(["epoch-3"]);
    tf.dispose(x);
    loaded.model.dispose();
  });

  it("splits weights over several shards and reads them back whole", async () => {
    const model = tinyTransfer(2);
    const dir = tmpDir();
    await model.save(fsHandler(dir, { shardBytes: 10_000 }));
    const shards = fs.readdirSync(dir).filter((f) => f.endsWith(".bin"));
    const total = model.countParams() * 4;
    expect(shards).toHaveLength(Math.ceil(total / 10_000));
    const loaded = await tf.loadLayersModel(fsHandler(dir));
    const x = tf.randomUniform([1, 32, 32, 3], 0, 255, "float32", 5);
    expect(predictions(loaded, x)).toEqual(predictions(model, x));
    tf.dispose(x);
    loaded.dispose();
  });

  it("refuses folders that are not checkpoints, missing shards and class names that do not fit", async () => {
    const model = tinyTransfer(3);
    await expect(saveCheckpoint(model, path.join(tmpDir(), "c"), { ...META, classNames: ["a", "b", "c"] })).rejects.toThrow(
      /The model has 2 outputs but 3 class names were given/,
    );
    const empty = tmpDir();
    await expect(loadCheckpoint(empty)).rejects.toThrow(CheckpointError);
    await expect(loadCheckpoint(empty)).rejects.toThrow(/is not a Thaw checkpoint \(no thaw.json\)/);
    const dir = path.join(tmpDir(), "c");
    await saveCheckpoint(model, dir, META);
    fs.rmSync(path.join(dir, "group1-shard1of1.bin"));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/group1-shard1of1.bin/);
    model.dispose();
  });
});
