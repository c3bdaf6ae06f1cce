// Training on cached frozen-prefix outputs. Batches arrive in the source's order (the
// order the uncached path would train in); each image's prefix output is read from the
// store or, the first time, computed by an inference engine and written there.
import crypto from "node:crypto";
import { tf, type LayersModel } from "../tf.ts";
import { FeatureCacheError } from "../errors.ts";
import { createEngine } from "../engine/select-engine.ts";
import type { EngineName, InferenceEngine } from "../engine/inference-engine.ts";
import { checkBatch, type Batch, type BatchSource } from "../train/batches.ts";
import { outputClasses, preprocessedPixels } from "../train/feeds.ts";
import { type FeedSource, type History } from "../train/train-loop.ts";
import type { Callback } from "../train/callbacks/callback.ts";
import { splitAtFrozen, splitProblem, trainSplit, type SplitTrainOptions } from "../train/frozen-split.ts";
import { FeatureStore } from "./feature-store.ts";

export interface FeatureCacheOptions {
  /** Root folder shared by runs; each (dataset, frozen weights, frozen count, input size) gets a sub-folder. */
  dir: string;
  /** The dataset's content fingerprint. */
  datasetFingerprint: string;
  /** The base weights' hash as the run records it; the frozen layers' own weights are hashed too. */
  baseWeightsHash?: string;
  /** True when batches are augmented: the frozen prefix then sees new pixels each epoch, so caching is refused. */
  augmented: boolean;
  /** Engine for the prefix (default: createEngine's choice, ONNX Runtime on CPU). */
  engine?: EngineName;
}

export interface FeatureCacheStats {
  /** The cache folder used. */
  dir: string;
  /** Engine that computed missing features ("none" when every feature was on disk). */
  engine: EngineName | "none";
  /** Images whose prefix output was computed in this run. */
  computed: number;
  /** Prefix forward passes (one per batch with missing images). */
  prefixRuns: number;
  /** Feature lookups served from disk. */
  reads: number;
}

export type CachedHistory = History & { featureCache: FeatureCacheStats };

/** sha256 over the frozen layers' weights: the cache can never serve features of other weights. */
function prefixWeightsHash(model: LayersModel, frozenLayers: number): string {
  const hash = crypto.createHash("sha256");
  for (const layer of model.layers.slice(0, frozenLayers)) {
    // Layer names, not variable names: TF.js suffixes variable names per model instance.
    layer.weights.forEach((w, i) => {
      const values = w.read().dataSync() as Float32Array;
      hash.update(`${layer.name}/${i}:${w.shape.join("x")}\0`).update(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    });
  }
  return hash.digest("hex");
}

class PrefixFeatures {
  stats: FeatureCacheStats;
  private engine: InferenceEngine | undefined;
  /** The fill's progress: the loop pulls the training feeds once per epoch, then the validation feeds. */
  private fill = { epoch: -1, done: 0, computing: false };

  constructor(
    private readonly model: LayersModel,
    private readonly frozenLayers: number,
    private readonly store: FeatureStore,
    private readonly prefer: EngineName | undefined,
    private readonly callbacks: Callback[],
  ) {
    this.stats = { dir: store.dir, engine: "none", computed: 0, prefixRuns: 0, reads: 0 };
  }

  /** Features of every image of the batch, [batch, ...featureShape] row-major. */
  async of(batch: Batch): Promise<Float32Array> {
    const [n, h, w, c] = batch.shape;
    const pixels = h * w * c;
    const length = this.store.key.featureShape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n * length);
    const keys = Array.from({ length: n }, (_, i) => FeatureStore.imageKey(batch.x.subarray(i * pixels, (i + 1) * pixels), [h, w, c]));
    const missing: number[] = [];
    for (let i = 0; i < n; i++) {
      const cached = await this.store.read(keys[i]);
      if (cached) {
        out.set(cached, i * length);
        this.stats.reads++;
      } else {
        missing.push(i);
      }
    }
    if (missing.length > 0) {
      const subset = new Float32Array(missing.length * pixels);
      missing.forEach((image, j) => subset.set(batch.x.subarray(image * pixels, (image + 1) * pixels), j * pixels));
      const input = preprocessedPixels({ ...batch, x: subset, shape: [missing.length, h, w, c] });
      this.engine ??= await createEngine(this.model, { prefixLayers: this.frozenLayers, prefer: this.prefer });
      this.stats.engine = this.engine.name;
      const { data } = await this.engine.run(input, missing.length);
      this.stats.prefixRuns++;
      for (const [j, image] of missing.entries()) {
        const features = data.slice(j * length, (j + 1) * length);
        out.set(features, image * length);
        await this.store.write(keys[image], features);
        this.stats.computed++;
      }
    }
    return out;
  }

  feeds(source: BatchSource, classes: number, pass: "train" | "validation"): FeedSource {
    const shape = this.store.key.featureShape;
    return async function* (this: PrefixFeatures) {
      if (pass === "train") this.fill = { epoch: this.fill.epoch + 1, done: 0, computing: false };
      for await (const batch of source()) {
        checkBatch(batch, classes);
        const computedBefore = this.stats.computed;
        const features = await this.of(batch);
        // Only an epoch that computes features reports the fill; later epochs only read.
        this.fill.done += batch.shape[0];
        this.fill.computing ||= this.stats.computed > computedBefore;
        if (this.fill.computing) for (const cb of this.callbacks) await cb.onProgress?.({ phase: "cache", epoch: this.fill.epoch, done: this.fill.done });
        yield { x: tf.tensor(features, [batch.shape[0], ...shape]), y: tf.tensor2d(batch.y, [batch.shape[0], batch.numClasses]) };
      }
    }.bind(this);
  }

  async dispose(): Promise<void> {
    await this.engine?.dispose();
  }
}

/**
 * fit with the frozen prefix cached: each image's prefix output is computed once, then read
 * back every epoch; the layers after the prefix train on it (see trainSplit).
 */
export async function fitWithFeatureCache(model: LayersModel, train: BatchSource, options: Omit<SplitTrainOptions, "validation"> & { validation?: BatchSource }, cache: FeatureCacheOptions): Promise<CachedHistory> {
  if (cache.augmented !== false) {
    throw new FeatureCacheError("The feature cache needs unaugmented images (the frozen layers must see the same pixels every epoch); turn augmentation off or train without featureCache.");
  }
  if (!cache.dir || !cache.datasetFingerprint) {
    throw new FeatureCacheError("featureCache needs a dir and the dataset's fingerprint; pass both, e.g. { dir: '~/.thaw/feature-cache', datasetFingerprint }.");
  }
  const problem = splitProblem(model);
  if (problem !== undefined) throw new FeatureCacheError(`${problem}; train without featureCache.`);
  const split = splitAtFrozen(model);
  const { frozenLayers, featureShape } = split;
  const inputShape = model.inputs[0].shape;
  const store = new FeatureStore(cache.dir, {
    datasetFingerprint: cache.datasetFingerprint,
    baseWeightsHash: cache.baseWeightsHash,
    prefixWeightsHash: prefixWeightsHash(model, frozenLayers),
    frozenLayers,
    inputSize: [inputShape[1] ?? 0, inputShape[2] ?? 0],
    featureShape,
  });
  const features = new PrefixFeatures(model, frozenLayers, store, cache.engine, options.callbacks ?? []);
  const classes = outputClasses(model);
  try {
    const history = await trainSplit(model, split, features.feeds(train, classes, "train"), { ...options, validation: options.validation && features.feeds(options.validation, classes, "validation") });
    return { ...history, featureCache: features.stats };
  } finally {
    await features.dispose();
  }
}
