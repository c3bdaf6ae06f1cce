import { DatasetTooLargeError } from "./errors.ts";
import { flowFromDirectory, type SkippedFile } from "./flow.ts";
import type { Interpolation, TargetSize } from "./options.ts";
import type { DatasetScan, Subset } from "./scan.ts";

export interface LoadSplitOptions {
  targetSize: TargetSize;
  /** Default "training". */
  subset?: Subset;
  /** Used when `source` is a folder; must match the training flow's so the subsets do not overlap. */
  validationSplit?: number;
  seed?: number;
  interpolation?: Interpolation;
  keepAspect?: boolean;
  /** Refuse to hold more than this many bytes of pixels. Default 1 GiB. */
  maxBytes?: number;
}

/** A whole subset decoded into memory, in file order (the scan's sorted order, never shuffled). */
export interface LoadedSplit {
  /** [N, H, W, 3] NHWC float32 RGB in [0, 255]. */
  x: Float32Array;
  /** [N, numClasses] one-hot. */
  y: Float32Array;
  shape: [count: number, height: number, width: number, channels: 3];
  numClasses: number;
  classNames: string[];
  labels: number[];
  paths: string[];
  skipped: SkippedFile[];
}

/** Decodes a subset at once, for small datasets and evaluation; larger ones should stream. */
export async function loadSplit(source: string | DatasetScan, options: LoadSplitOptions): Promise<LoadedSplit> {
  const flow = await flowFromDirectory(source, {
    targetSize: options.targetSize,
    subset: options.subset,
    validationSplit: options.validationSplit,
    seed: options.seed ?? 0,
    interpolation: options.interpolation,
    keepAspect: options.keepAspect,
    shuffle: false,
    batchSize: 64,
  });
  const [height, width] = flow.targetSize;
  const imageSize = height * width * 3;
  const maxBytes = options.maxBytes ?? 2 ** 30;
  const bytes = flow.files.length * imageSize * 4;
  if (bytes > maxBytes) throw new DatasetTooLargeError(flow.files.length, bytes, maxBytes);

  const x = new Float32Array(flow.files.length * imageSize);
  const labels: number[] = [];
  const paths: string[] = [];
  for await (const batch of flow.epoch(0)) {
    x.set(batch.x, labels.length * imageSize);
    labels.push(...batch.labels);
    paths.push(...batch.paths);
  }
  const y = new Float32Array(labels.length * flow.numClasses);
  labels.forEach((label, i) => (y[i * flow.numClasses + label] = 1));
  return {
    x: labels.length < flow.files.length ? x.slice(0, labels.length * imageSize) : x,
    y,
    shape: [labels.length, height, width, 3],
    numClasses: flow.numClasses,
    classNames: [...flow.classNames],
    labels,
    paths,
    skipped: [...flow.skipped],
  };
}
