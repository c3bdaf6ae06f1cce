// Frozen-prefix outputs from disk. Batches arrive in the source's order (the order the
// uncached path would train in); each image's prefix output is read from the store or, the
// first time, computed by an inference engine and written there.
import crypto from "node:crypto";
import type { LayersModel } from "../tf.ts";
import { FeatureCacheError } from "../errors.ts";
import { createEngine } from "../engine/select-engine.ts";
import type { EngineName, InferenceEngine } from "../engine/inference-engine.ts";
import { checkBatch, type Batch, type BatchSource } from "../train/batches.ts";
import { preprocessedPixels } from "../train/feeds.ts";
import type { FeedSource } from "../train/training-engine.ts";
import type { TrainingPlan } from "../train/plan.ts";
import type { Callback } from "../train/callbacks/callback.ts";
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

export class CachedFeatures {
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
    return async function* (this: CachedFeatures) {
      if (pass === "train") this.fill = { epoch: this.fill.epoch + 1, done: 0, computing: false };
      for await (const batch of source()) {
        checkBatch(batch, classes);
        const computedBefore = this.stats.computed;
        const features = await this.of(batch);
        // Only an epoch that computes features reports the fill; later epochs only read.
        this.fill.done += batch.shape[0];
        this.fill.computing ||= this.stats.computed > computedBefore;
        if (this.fill.computing) for (const cb of this.callbacks) await cb.onProgress?.({ phase: "cache", epoch: this.fill.epoch, done: this.fill.done });
        yield { x: features, shape: [batch.shape[0], ...shape], y: batch.y, classes: batch.numClasses };
      }
    }.bind(this);
  }

  async dispose(): Promise<void> {
    await this.engine?.dispose();
  }
}

/**
 * The cache of `plan`'s prefix outputs for this dataset and these weights. Refused with
 * augmentation: the frozen layers must see the same pixels every epoch.
 */
export function cachedFeatures(model: LayersModel, plan: TrainingPlan, cache: FeatureCacheOptions, callbacks: Callback[] = []): CachedFeatures {
  if (cache.augmented !== false) {
    throw new FeatureCacheError("The feature cache needs unaugmented images (the frozen layers must see the same pixels every epoch); turn augmentation off or train without featureCache.");
  }
  if (!cache.dir || !cache.datasetFingerprint) {
    throw new FeatureCacheError("featureCache needs a dir and the dataset's fingerprint; pass both, e.g. { dir: '~/.thaw/feature-cache', datasetFingerprint }.");
  }
  if (plan.prefixLayers < 2) throw new FeatureCacheError(`Only ${plan.frozenLayers} layer(s) are frozen, so there is no frozen computation to cache; train without featureCache.`);
  const inputShape = model.inputs[0].shape;
  const store = new FeatureStore(cache.dir, {
    datasetFingerprint: cache.datasetFingerprint,
    baseWeightsHash: cache.baseWeightsHash,
    prefixWeightsHash: prefixWeightsHash(model, plan.prefixLayers),
    frozenLayers: plan.prefixLayers,
    inputSize: [inputShape[1] ?? 0, inputShape[2] ?? 0],
    featureShape: plan.inputShape,
  });
  return new CachedFeatures(model, plan.prefixLayers, store, cache.engine, callbacks);
}
