// The trainer's side of the data: libs/data flows for the training and validation subsets,
// handed to libs/vgg as batch sources (a data Batch carries every field of a vgg Batch).
import { createHash } from "node:crypto";
import path from "node:path";
import { fingerprintDataset, flowFromDirectory, scanDirectory, type ImageFlow } from "@thaw/data";
import type { ExecSettings } from "./run-settings.ts";

export interface TrainingData {
  classNames: string[];
  fingerprint: string;
  trainCount: number;
  validationCount: number;
  stepsPerEpoch: number;
  train: ImageFlow;
  validation: ImageFlow;
  /** Files that would not decode so far, for the run's record. */
  skipReport(): { path: string; reason: string }[];
}

export async function openTrainingData(dir: string, settings: ExecSettings, cacheDir: string): Promise<TrainingData> {
  const scan = await scanDirectory(dir, { validationSplit: settings.validationSplit, seed: settings.seed });
  const targetSize = [settings.imageSize, settings.imageSize] as const;
  const train = await flowFromDirectory(scan, {
    targetSize,
    batchSize: settings.batchSize,
    shuffle: true,
    seed: settings.seed,
    subset: "training",
    augment: settings.augment,
  });
  const validation = await flowFromDirectory(scan, {
    targetSize,
    batchSize: settings.batchSize,
    shuffle: false,
    seed: settings.seed,
    subset: "validation",
  });
  // File hashes are cached under THAW_HOME, never inside a dataset folder that may be read-only.
  const key = createHash("sha256").update(scan.root).digest("hex").slice(0, 16);
  const { fingerprint } = await fingerprintDataset(scan, { cacheDir: path.join(cacheDir, "fingerprints", key) });
  return {
    classNames: [...scan.classNames],
    fingerprint,
    trainCount: train.files.length,
    validationCount: validation.files.length,
    stepsPerEpoch: train.batchesPerEpoch,
    train,
    validation,
    skipReport: () => [...train.skipped, ...validation.skipped].map((s) => ({ path: s.path, reason: s.reason })),
  };
}
