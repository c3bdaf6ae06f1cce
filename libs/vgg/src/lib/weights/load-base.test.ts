import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { tf } from "../tf.ts";
import { InvalidModelOptionError, WeightsMismatchError, WeightsNotFoundError } from "../errors.ts";
import { saveCheckpoint } from "../checkpoint/checkpoint.ts";
import { transfer } from "../model/transfer.ts";
import { vgg16 } from "../model/vgg16.ts";
import { writeModelAsKerasH5 } from "./keras-h5-writer.ts";
import { loadBase } from "./load-base.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "thaw-base-"));
}

const TINY = { inputShape: [32, 32, 3] as [number, number, number], widthMultiplier: 1 / 16 };

describe("loadBase", () => {
  it("'random' is reproducible from its seed and says so in its hash", async () => {
    const a = await loadBase("random", { ...TINY, seed: 7 });
    const b = await loadBase("random", { ...TINY, seed: 7 });
    expect(a.baseWeightsHash).toBe("random:7@w0.0625");
    expect(Array.from(a.model.getLayer("fc1").getWeights()[0].dataSync())).toEqual(Array.from(b.model.getLayer("fc1").getWeights()[0].dataSync()));
    a.model.dispose();
    b.model.dispose();
  });

  it("'vgg16-imagenet' reads Keras' no-top file from THAW_WEIGHTS_DIR, any input size; hash = sha256 of the file", async () => {
    const dir = tmpDir();
    const source = vgg16({ includeTop: false, inputShape: [32, 32, 3], seed: 11 });
    const file = path.join(dir, "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5");
    await writeModelAsKerasH5(source, file);
    const env = { THAW_WEIGHTS_DIR: dir };
    const { model, baseWeightsHash } = await loadBase("vgg16-imagenet", { includeTop: false, inputShape: [48, 48, 3], env, homeDir: tmpDir(), verifyChecksum: false, download: false });
    expect(baseWeightsHash).toBe(crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex"));
    expect(model.countParams()).toBe(14_714_688);
    for (const name of ["block1_conv1", "block5_conv3"]) {
      expect(Array.from(model.getLayer(name).getWeights()[1].dataSync())).toEqual(Array.from(source.getLayer(name).getWeights()[1].dataSync()));
    }
    source.dispose();
    model.dispose();
  });

  it("'vgg16-imagenet' with the top refuses a non-224 input before reading anything, and reports a missing file", async () => {
    await expect(loadBase("vgg16-imagenet", { includeTop: true, inputShape: [32, 32, 3] })).rejects.toThrow(WeightsMismatchError);
    await expect(loadBase("vgg16-imagenet", { includeTop: true, inputShape: [32, 32, 3] })).rejects.toThrow(/need a 224x224x3 input .* takes 32x32x3/);
    await expect(loadBase("vgg16-imagenet", { widthMultiplier: 0.5 })).rejects.toThrow(InvalidModelOptionError);
    const dir = tmpDir();
    const missing = loadBase("vgg16-imagenet", { includeTop: false, env: { THAW_WEIGHTS_DIR: dir }, homeDir: tmpDir(), download: false });
    await expect(missing).rejects.toThrow(WeightsNotFoundError);
    await expect(missing).rejects.toThrow(`download it from https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 and put it in ${dir}`);
  });

  it("a checkpoint folder is a base: same weights, hash = the checkpoint's sha256", async () => {
    const base = vgg16({ ...TINY, seed: 3 });
    const model = transfer(base, { frozenLayers: 19, classes: 2, seed: 3 });
    const dir = path.join(tmpDir(), "ckpt");
    const saved = await saveCheckpoint(model, dir, {
      classNames: ["a", "b"],
      base: "random",
      baseWeightsHash: "random:3@w0.0625",
      frozenLayers: 19,
      head: "fc2",
      widthMultiplier: 1 / 16,
      datasetFingerprint: "fp",
      epoch: 1,
      metrics: {},
    });
    const loaded = await loadBase(dir);
    expect(loaded.baseWeightsHash).toBe(saved.sha256);
    expect(loaded.checkpointMeta?.classNames).toEqual(["a", "b"]);
    expect(Array.from(loaded.model.getLayer("predictions").getWeights()[0].dataSync())).toEqual(Array.from(model.getLayer("predictions").getWeights()[0].dataSync()));
    await expect(loadBase(path.join(dir, "nope"))).rejects.toThrow(/Unknown base '.*nope'; use 'vgg16-imagenet', 'random' or the folder of a Thaw checkpoint/);
    base.dispose();
    loaded.model.dispose();
  });
});
