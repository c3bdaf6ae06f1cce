import { randomInt } from "node:crypto";
import { applyAugment, drawAugment, resolveAugment, type AugmentOptions, type ResolvedAugment } from "./augment.ts";
import { readRgb, sourceBox } from "./decode.ts";
import { ClassUnreadableError, ImageDecodeError, InvalidOptionError } from "./errors.ts";
import { createLimiter, type Limiter } from "./limit.ts";
import { checkOneOf, checkPositiveInt, checkSeed, checkTargetSize, INTERPOLATIONS, type Interpolation, type TargetSize } from "./options.ts";
import { mixSeed, Rng } from "./random.ts";
import { resizeInto } from "./resize.ts";
import { scanDirectory, SUBSETS, type DatasetScan, type ImageEntry, type ScanOptions, type Subset } from "./scan.ts";

/** A file left out because it would not decode. */
export interface SkippedFile {
  path: string;
  relPath: string;
  reason: string;
}

/**
 * One batch, ready for a tensor constructor (libs/data never imports TensorFlow):
 * `tf.tensor4d(batch.x, batch.shape)` and `tf.tensor2d(batch.y, [B, numClasses])`.
 */
export interface Batch {
  /** Pixels, [B, H, W, 3] row-major (NHWC), float32 RGB in [0, 255], not preprocessed. */
  x: Float32Array;
  /** One-hot labels, [B, numClasses] row-major. */
  y: Float32Array;
  shape: [batch: number, height: number, width: number, channels: 3];
  numClasses: number;
  /** Class index per image. */
  labels: number[];
  /** Absolute path per image. */
  paths: string[];
  /** Position of each image in flow.files. */
  indices: number[];
  epoch: number;
  /** Position of this batch in its epoch (0-based, counting batches that were wholly skipped). */
  batchIndex: number;
  /** Files of this batch that failed to decode and were left out; B is smaller by as many. */
  skipped: SkippedFile[];
}

export interface FlowOptions {
  /** [height, width] of every image in a batch. */
  targetSize: TargetSize;
  /** Default 32; the last batch of an epoch may be smaller. */
  batchSize?: number;
  /** A new seeded permutation each epoch. Default true. */
  shuffle?: boolean;
  /** Seeds shuffling and augmentation (random when omitted; read it back from flow.seed) and the validation split (0 when omitted). */
  seed?: number;
  /** Default "training". */
  subset?: Subset;
  /** Fraction of each class held out as the "validation" subset; use the same value and seed for both flows. Default 0. */
  validationSplit?: number;
  /** Scan options used when `source` is a folder (see ScanOptions); a scan carries its own. */
  split?: ScanOptions["split"];
  testSplit?: number;
  kerasCompatible?: boolean;
  /** Default "nearest" (Keras' default). */
  interpolation?: Interpolation;
  /** Centre-crop to the target aspect ratio before resizing. Default false. */
  keepAspect?: boolean;
  /** Off by default; true = DEFAULT_AUGMENT. */
  augment?: boolean | AugmentOptions;
  /** Batches decoded ahead of the one being consumed. Default 2. */
  prefetch?: number;
  /**
   * Images decoding at once. sharp runs them on libuv's thread pool (UV_THREADPOOL_SIZE, 4 by
   * default); the default is twice that, so a pool thread that finishes finds the next file
   * queued instead of waiting for the main thread to hand it one.
   */
  concurrency?: number;
}

/** Batches of one subset. Each `for await` runs one epoch; epoch e's order depends only on (seed, e). */
export interface ImageFlow extends AsyncIterable<Batch> {
  readonly scan: DatasetScan;
  readonly subset: Subset;
  readonly files: readonly ImageEntry[];
  readonly classNames: readonly string[];
  readonly numClasses: number;
  readonly batchSize: number;
  readonly batchesPerEpoch: number;
  readonly seed: number;
  readonly targetSize: TargetSize;
  /** Every file that has failed to decode so far (each once), for the run's record. */
  readonly skipped: readonly SkippedFile[];
  /** The batches of a given epoch (0-based); iterating the flow itself runs epochs 0, 1, 2... */
  epoch(index: number): AsyncGenerator<Batch, void, undefined>;
}

/**
 * flow_from_directory: streams labelled batches from an image folder (or a scan of one),
 * decoding the next batches while the current one is used, with bounded memory.
 */
export async function flowFromDirectory(source: string | DatasetScan, options: FlowOptions): Promise<ImageFlow> {
  if (typeof source !== "string" && options.validationSplit !== undefined && options.validationSplit !== source.validationSplit) {
    throw new InvalidOptionError("validationSplit", "differs from the scan's", "scan with the split you want and leave validationSplit out");
  }
  const scan =
    typeof source === "string"
      ? await scanDirectory(source, { validationSplit: options.validationSplit, seed: options.seed, split: options.split, testSplit: options.testSplit, kerasCompatible: options.kerasCompatible })
      : source;
  return new DirectoryFlow(scan, options);
}

class DirectoryFlow implements ImageFlow {
  readonly subset: Subset;
  readonly files: readonly ImageEntry[];
  readonly classNames: readonly string[];
  readonly numClasses: number;
  readonly batchSize: number;
  readonly batchesPerEpoch: number;
  readonly seed: number;
  readonly targetSize: TargetSize;
  readonly skipped: SkippedFile[] = [];
  private readonly shuffle: boolean;
  private readonly interpolation: Interpolation;
  private readonly keepAspect: boolean;
  private readonly augment: ResolvedAugment | null;
  private readonly prefetch: number;
  private readonly limit: Limiter;
  private readonly failed = new Set<number>();
  private readonly failedPerClass: number[];
  private readonly firstFailurePerClass: (SkippedFile | undefined)[];
  private readonly filesPerClass: number[];
  private nextEpoch = 0;

  constructor(
    readonly scan: DatasetScan,
    options: FlowOptions,
  ) {
    this.targetSize = checkTargetSize(options.targetSize);
    this.batchSize = checkPositiveInt(options.batchSize ?? 32, "batchSize");
    this.subset = checkOneOf(options.subset ?? "training", "subset", SUBSETS);
    this.interpolation = checkOneOf(options.interpolation ?? "nearest", "interpolation", INTERPOLATIONS);
    this.seed = options.seed === undefined ? randomInt(2 ** 31) : checkSeed(options.seed, "seed");
    this.shuffle = options.shuffle ?? true;
    this.keepAspect = options.keepAspect ?? false;
    this.augment = resolveAugment(options.augment);
    this.prefetch = options.prefetch === 0 ? 0 : checkPositiveInt(options.prefetch ?? 2, "prefetch", 64);
    this.limit = createLimiter(checkPositiveInt(options.concurrency ?? 2 * (Number(process.env.UV_THREADPOOL_SIZE) || 4), "concurrency", 256));
    this.files = scan.subsets[this.subset];
    if (this.files.length === 0) {
      const fix = this.subset === "validation" ? "pass validationSplit > 0 or add a validation/ folder" : this.subset === "test" ? "add a test/ folder with one sub-folder per class" : "add images to the class folders";
      throw new InvalidOptionError("subset", `"${this.subset}" has no images in ${scan.root}`, fix);
    }
    this.classNames = scan.classNames;
    this.numClasses = scan.classNames.length;
    this.batchesPerEpoch = Math.ceil(this.files.length / this.batchSize);
    this.filesPerClass = scan.counts[this.subset];
    this.failedPerClass = scan.classNames.map(() => 0);
    this.firstFailurePerClass = scan.classNames.map(() => undefined);
  }

  [Symbol.asyncIterator](): AsyncIterator<Batch> {
    return this.epoch(this.nextEpoch++);
  }

  async *epoch(index: number): AsyncGenerator<Batch, void, undefined> {
    checkSeed(index, "epoch");
    this.checkClasses();
    const order = this.files.map((_, i) => i);
    if (this.shuffle) new Rng(mixSeed(this.seed, index)).shuffle(order);
    const chunks: number[][] = [];
    for (let i = 0; i < order.length; i += this.batchSize) chunks.push(order.slice(i, i + this.batchSize));

    const cancel = { cancelled: false };
    const pending: Promise<DecodedBatch>[] = [];
    let launched = 0;
    const launch = () => {
      pending.push(this.decodeBatch(chunks[launched], index, launched, cancel));
      launched++;
    };
    try {
      // The batch awaited next plus `prefetch` more are decoding at any time, also while the
      // consumer works on the batch just yielded.
      while (launched < chunks.length && pending.length <= this.prefetch) launch();
      while (pending.length) {
        const result = await (pending.shift() as Promise<DecodedBatch>);
        if (result.fatal) throw result.fatal;
        for (const failure of result.failures) this.recordFailure(failure);
        this.checkClasses();
        if (result.batch.labels.length) yield result.batch;
        if (launched < chunks.length) launch();
      }
    } finally {
      // A consumer that stops early leaves no decoding behind; started images finish and are dropped.
      cancel.cancelled = true;
    }
  }

  private recordFailure(failure: SkippedFailure): void {
    if (this.failed.has(failure.fileIndex)) return;
    this.failed.add(failure.fileIndex);
    const label = this.files[failure.fileIndex].label;
    const file: SkippedFile = { path: failure.path, relPath: failure.relPath, reason: failure.reason };
    this.skipped.push(file);
    this.firstFailurePerClass[label] ??= file;
    this.failedPerClass[label]++;
  }

  /** Throws for a class none of whose files decoded; checked after every batch and again at each epoch's start. */
  private checkClasses(): void {
    const label = this.failedPerClass.findIndex((failed, i) => failed > 0 && failed === this.filesPerClass[i]);
    const first = this.firstFailurePerClass[label];
    if (label >= 0 && first) throw new ClassUnreadableError(this.classNames[label], this.failedPerClass[label], { path: first.relPath, reason: first.reason });
  }

  private async decodeBatch(fileIndices: number[], epoch: number, batchIndex: number, cancel: { cancelled: boolean }): Promise<DecodedBatch> {
    const [height, width] = this.targetSize;
    const size = height * width * 3;
    const x = new Float32Array(fileIndices.length * size);
    const failures: SkippedFailure[] = [];
    let fatal: unknown = null;
    await Promise.all(
      fileIndices.map((fileIndex, slot) =>
        this.limit(async () => {
          if (cancel.cancelled || fatal) return;
          try {
            await this.decodeInto(fileIndex, epoch, x, slot * size);
          } catch (error) {
            if (!(error instanceof ImageDecodeError)) fatal = error;
            else failures.push({ slot, fileIndex, path: this.files[fileIndex].path, relPath: this.files[fileIndex].relPath, reason: error.reason });
          }
        }),
      ),
    );
    failures.sort((a, b) => a.slot - b.slot);
    const failedSlots = new Set(failures.map((f) => f.slot));
    const kept = fileIndices.map((_, slot) => slot).filter((slot) => !failedSlots.has(slot));
    kept.forEach((slot, i) => {
      if (slot !== i) x.copyWithin(i * size, slot * size, (slot + 1) * size);
    });
    const keptIndices = kept.map((slot) => fileIndices[slot]);
    const labels = keptIndices.map((i) => this.files[i].label);
    const y = new Float32Array(labels.length * this.numClasses);
    labels.forEach((label, i) => (y[i * this.numClasses + label] = 1));
    return {
      fatal,
      failures,
      batch: {
        x: failures.length ? x.slice(0, kept.length * size) : x,
        y,
        shape: [labels.length, height, width, 3],
        numClasses: this.numClasses,
        labels,
        paths: keptIndices.map((i) => this.files[i].path),
        indices: keptIndices,
        epoch,
        batchIndex,
        skipped: failures.map(({ path, relPath, reason }) => ({ path, relPath, reason })),
      },
    };
  }

  private async decodeInto(fileIndex: number, epoch: number, out: Float32Array, offset: number): Promise<void> {
    const [height, width] = this.targetSize;
    const image = await readRgb(this.files[fileIndex].path, { autoOrient: !this.scan.kerasCompatible });
    // The draw is keyed by (seed, epoch, file) so it does not depend on which decode finishes first.
    const draw = this.augment && drawAugment(new Rng(mixSeed(this.seed, epoch, fileIndex, 0xa7)), this.augment);
    // As Keras: resize to the target first (load_img), then transform the resized array.
    resizeInto(image, width, height, this.interpolation, sourceBox(image, this.targetSize, this.keepAspect), out, offset);
    if (draw) applyAugment(out.subarray(offset, offset + height * width * 3), width, height, draw);
  }
}

interface SkippedFailure extends SkippedFile {
  slot: number;
  fileIndex: number;
}

interface DecodedBatch {
  /** A bug rather than a bad file: rethrown to the consumer instead of being reported as a skip. */
  fatal: unknown;
  failures: SkippedFailure[];
  batch: Batch;
}
