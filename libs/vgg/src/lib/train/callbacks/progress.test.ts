import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LayersModel } from "../../tf.ts";
import { initBackend } from "../../backend/init-backend.ts";
import { vgg16 } from "../../model/vgg16.ts";
import { transfer } from "../../model/transfer.ts";
import { arrayBatches } from "../batches.ts";
import { leftRightImages } from "../synthetic-images.ts";
import { fit } from "../fit.ts";
import { sgd } from "../optimizers.ts";
import { hook, type TrainProgress } from "./callback.ts";

const SIZE = 32;
// 20 training images in batches of 8, 8, 4; 6 validation images in batches of 4, 2.
const train = leftRightImages(20, SIZE, 21);
const validation = leftRightImages(6, SIZE, 22);

function model(frozenLayers: number): LayersModel {
  const base = vgg16({ inputShape: [SIZE, SIZE, 3], classes: 10, widthMultiplier: 1 / 16, seed: 4 });
  return transfer(base, { frozenLayers, classes: 2, head: "fc2", seed: 104 });
}

async function progressOf(m: LayersModel, featureDir?: string): Promise<TrainProgress[]> {
  const seen: TrainProgress[] = [];
  await fit(m, arrayBatches(train.x, train.labels, train.shape, 2, { batchSize: 8, shuffleSeed: 1 }), {
    epochs: 2,
    optimizer: sgd(0.01, 0.9),
    validation: arrayBatches(validation.x, validation.labels, validation.shape, 2, { batchSize: 4 }),
    callbacks: [hook({ onProgress: (p) => void seen.push({ ...p }) })],
    featureCache: featureDir ? { dir: featureDir, datasetFingerprint: "progress-test", augmented: false } : undefined,
  });
  m.dispose();
  return seen;
}

const epochOf = (epoch: number, withFill: boolean): TrainProgress[] => [
  ...(withFill ? [{ phase: "cache" as const, epoch, done: 8 }] : []),
  { phase: "train", epoch, done: 8 },
  ...(withFill ? [{ phase: "cache" as const, epoch, done: 16 }] : []),
  { phase: "train", epoch, done: 16 },
  ...(withFill ? [{ phase: "cache" as const, epoch, done: 20 }] : []),
  { phase: "train", epoch, done: 20 },
  ...(withFill ? [{ phase: "cache" as const, epoch, done: 24 }] : []),
  { phase: "validate", epoch, done: 4 },
  ...(withFill ? [{ phase: "cache" as const, epoch, done: 26 }] : []),
  { phase: "validate", epoch, done: 6 },
];

describe("onProgress", () => {
  const dirs: string[] = [];
  beforeAll(async () => {
    await initBackend("wasm");
  });
  afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it("counts images after every training and validation batch, per epoch", async () => {
    expect(await progressOf(model(0))).toEqual([...epochOf(0, false), ...epochOf(1, false)]);
  });

  it("reports the feature-cache fill in the epoch that computes features, and not once they are on disk", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "thaw-progress-"));
    dirs.push(dir);
    expect(await progressOf(model(19), dir)).toEqual([...epochOf(0, true), ...epochOf(1, false)]);
    // A second run on the same cache reads every feature: no fill to report.
    expect((await progressOf(model(19), dir)).some((p) => p.phase === "cache")).toBe(false);
  });
});
