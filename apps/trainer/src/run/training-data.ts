// The trainer's side of the data: libs/data flows for the training, validation and (when the
// dataset has one) test subsets, handed to libs/vgg as batch sources (a data Batch carries every
// field of a vgg Batch).
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
  /** The held-out test images (a test/ folder or the dataset's test split); null when there are none. */
  test: ImageFlow | null;
  testSplit: number;
  testSeed: number;
  /** Files that would not decode so far, for the run's record. */
  skipReport(): { path: string; reason: string }[];
}

/** The dataset's recorded test split (Dataset.testSplit/testSeed). */
export interface TestSplit {
  testSplit: number;
  testSeed: number;
}

export async function openTrainingData(dir: string, settings: ExecSettings, cacheDir: string, testSet: TestSplit = { testSplit: 0, testSeed: 0 }): Promise<TrainingData> {
  const scan = await scanDirectory(dir, {
    validationSplit: settings.validationSplit,
    seed: settings.seed,
    split: settings.split,
    kerasCompatible: settings.kerasCompatible,
    testSplit: testSet.testSplit,
    testSeed: testSet.testSeed,
  });
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
  const test =
    scan.subsets.test.length > 0
      ? await flowFromDirectory(scan, { targetSize, batchSize: settings.batchSize, shuffle: false, seed: settings.seed, subset: "test" })
      : null;
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
    test,
    testSplit: scan.testSplit,
    testSeed: scan.testSeed,
    skipReport: () => [...train.skipped, ...validation.skipped, ...(test?.skipped ?? [])].map((s) => ({ path: s.path, reason: s.reason })),
  };
}
