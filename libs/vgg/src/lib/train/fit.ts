// Keras' model.fit over async batch iterators: categorical cross-entropy, accuracy, logs
// named as Keras 2.4+ names them. A frozen prefix runs forward only, every batch; with
// `featureCache` it runs once per image and the layers after it train on cached outputs.
import { type LayersModel } from "../tf.ts";
import { type BatchSource } from "./batches.ts";
import { imageFeeds, outputClasses, prefixFeeds } from "./feeds.ts";
import { splitAtFrozen, splitProblem, trainSplit } from "./frozen-split.ts";
import { checkLoopOptions, tfjsBatchTrainer, trainLoop, type History, type LoopOptions } from "./train-loop.ts";
import type { EngineName } from "../engine/inference-engine.ts";
import { createEngine } from "../engine/select-engine.ts";
import { fitWithFeatureCache, type FeatureCacheOptions, type FeatureCacheStats } from "../feature-cache/feature-cache.ts";

export interface FitOptions {
  epochs: number;
  optimizer: LoopOptions["optimizer"];
  validation?: BatchSource;
  callbacks?: LoopOptions["callbacks"];
  /** Aborting stops training before the next batch; the history then says 'aborted'. */
  signal?: AbortSignal;
  /** Train the layers after the frozen prefix on its cached outputs (refused with augmentation). */
  featureCache?: FeatureCacheOptions;
  /**
   * Engine that trains the layers after a frozen prefix (THAW_ENGINE overrides it). Default:
   * ONNX Runtime for a dense head when it loads, else TF.js; the history says which and why.
   */
  engine?: EngineName;
  /** Engine for the frozen prefix's forward pass (THAW_ENGINE overrides it); createEngine's rule by default. */
  prefixEngine?: EngineName;
}

/**
 * Keras' History plus the engine that ran the frozen prefix (without the cache) and, with
 * the cache, what the cache did.
 */
export type FitHistory = History & { prefixEngine?: { name: EngineName; reason: string }; featureCache?: FeatureCacheStats };

export async function fit(model: LayersModel, train: BatchSource, options: FitOptions): Promise<FitHistory> {
  const { featureCache, validation, prefixEngine, ...loop } = options;
  checkLoopOptions(loop);
  if (featureCache) return fitWithFeatureCache(model, train, { ...loop, validation }, { engine: prefixEngine, ...featureCache });
  const classes = outputClasses(model);
  const problem = splitProblem(model);
  if (problem === undefined) {
    const split = splitAtFrozen(model);
    const engine = await createEngine(model, { prefixLayers: split.frozenLayers, prefer: prefixEngine });
    try {
      const feeds = (source: BatchSource) => prefixFeeds(source, engine, split.featureShape, classes);
      const history = await trainSplit(model, split, feeds(train), { ...loop, validation: validation && feeds(validation) });
      return { ...history, prefixEngine: { name: engine.name, reason: engine.reason } };
    } finally {
      await engine.dispose();
    }
  }
  const stepper = tfjsBatchTrainer(model, loop.optimizer, `${problem}: TF.js trains the whole model`);
  return trainLoop(imageFeeds(train, classes), { ...loop, validation: validation && imageFeeds(validation, classes) }, { model, stopTraining: false }, stepper);
}
