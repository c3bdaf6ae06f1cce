// Keras' model.fit over async batch iterators, in Keras' shape: decide the plan (what runs
// forward only, what trains and on which engine, whether prefix outputs are cached), build
// the feeds and the training engine it names, then loop epochs and batches.
import type { LayersModel } from "../tf.ts";
import type { EngineName, InferenceEngine } from "../engine/inference-engine.ts";
import type { OrtPlacement } from "../engine/onnx-engine.ts";
import { createEngine } from "../engine/select-engine.ts";
import { cachedFeatures, type CachedFeatures, type FeatureCacheOptions, type FeatureCacheStats } from "../feature-cache/feature-cache.ts";
import type { BatchSource } from "./batches.ts";
import { imageFeeds, outputClasses, prefixFeeds } from "./feeds.ts";
import { planTraining, type TrainingPlan } from "./plan.ts";
import { OrtTrainingEngine } from "./suffix/ort-training-engine.ts";
import { tfjsTrainingEngine } from "./tfjs-training-engine.ts";
import type { FeedSource, TrainingEngine } from "./training-engine.ts";
import { checkLoopOptions, trainLoop, type History, type LoopOptions } from "./train-loop.ts";

export interface FitOptions {
  epochs: number;
  optimizer: LoopOptions["optimizer"];
  validation?: BatchSource;
  callbacks?: LoopOptions["callbacks"];
  /** Aborting stops training before the next engine call; the history then says 'aborted'. */
  signal?: AbortSignal;
  /** Train on the frozen prefix's cached outputs (refused with augmentation). */
  featureCache?: FeatureCacheOptions;
  /**
   * Engine that trains the layers after the frozen prefix (THAW_ENGINE overrides it). Default:
   * ONNX Runtime when it loads, else TF.js; the history says which and why.
   */
  engine?: EngineName;
  /** Engine for the frozen prefix's forward pass (THAW_ENGINE overrides it); createEngine's rule by default. */
  prefixEngine?: EngineName;
  /** Where ONNX Runtime runs (execution provider, threads). */
  placement?: OrtPlacement;
  /** Images per batch, for the plan's memory check (the batches themselves decide the size). */
  batchSize?: number;
}

/** Keras' History, the plan that ran, the prefix's engine (without the cache) and what the cache did. */
export type FitHistory = History & { plan: TrainingPlan; prefixEngine?: { name: EngineName; reason: string }; featureCache?: FeatureCacheStats };

/** Where the trained layers' inputs come from: images, the prefix run every batch, or the cache. */
interface Inputs {
  feeds(source: BatchSource, pass: "train" | "validation"): FeedSource;
  prefixEngine?: InferenceEngine;
  cache?: CachedFeatures;
}

async function inputsFor(model: LayersModel, plan: TrainingPlan, options: FitOptions): Promise<Inputs> {
  const classes = outputClasses(model);
  if (plan.cached) {
    const cache = cachedFeatures(model, plan, { engine: options.prefixEngine, ...options.featureCache! }, options.callbacks);
    return { feeds: (source, pass) => cache.feeds(source, classes, pass), cache };
  }
  if (plan.prefixLayers < 2) return { feeds: (source) => imageFeeds(source, classes) };
  const engine = await createEngine(model, { prefixLayers: plan.prefixLayers, prefer: options.prefixEngine });
  return { feeds: (source) => prefixFeeds(source, engine, plan.inputShape, classes), prefixEngine: engine };
}

async function trainingEngine(model: LayersModel, plan: TrainingPlan, options: FitOptions): Promise<TrainingEngine> {
  if (plan.engine === "onnxruntime") return OrtTrainingEngine.create(model, plan.suffix!, options.optimizer, plan.reason, options.placement);
  return tfjsTrainingEngine(model, plan, options.optimizer);
}

export async function fit(model: LayersModel, train: BatchSource, options: FitOptions): Promise<FitHistory> {
  const { validation, ...loop } = options;
  checkLoopOptions(loop);
  const plan = await planTraining(model, { engine: options.engine, featureCache: options.featureCache !== undefined, batchSize: options.batchSize });
  const inputs = await inputsFor(model, plan, options);
  try {
    const engine = await trainingEngine(model, plan, options);
    const history = await trainLoop(inputs.feeds(train, "train"), { ...loop, validation: validation && inputs.feeds(validation, "validation") }, { model, stopTraining: false }, engine);
    const prefixEngine = inputs.prefixEngine && { name: inputs.prefixEngine.name, reason: inputs.prefixEngine.reason };
    return { ...history, plan, ...(prefixEngine ? { prefixEngine } : {}), ...(inputs.cache ? { featureCache: inputs.cache.stats } : {}) };
  } finally {
    await inputs.prefixEngine?.dispose();
    await inputs.cache?.dispose();
  }
}
