// The plan of a training run, decided once before the first batch: which layers run forward
// only (the frozen prefix), which train (the suffix), on which engine, and whether the
// prefix's outputs come from the feature cache. fit executes it; the apps show it and refuse a
// run whose plan cannot work here before anything is queued.
import { tf, type LayersModel } from "../tf.ts";
import { TrainingOptionError } from "../errors.ts";
import { countFrozenLayers } from "../model/freeze.ts";
import type { EngineName } from "../engine/inference-engine.ts";
import { chooseEngine } from "../engine/select-engine.ts";
import { readSuffix, type Suffix } from "./suffix/suffix-layers.ts";

export interface TrainingPlan {
  /** Keras' N: model.layers[:N] are frozen. */
  frozenLayers: number;
  /**
   * Layers run forward only: model.layers[:prefixLayers]. At least N; weightless max-poolings
   * right after the frozen layers join the prefix (frozen 18 trains what frozen 19 trains).
   * 1 (the input layer alone) means every layer after the input trains.
   */
  prefixLayers: number;
  /** Per-image shape of what the trained layers take: the image, or the prefix's output. */
  inputShape: number[];
  /** The engine that trains model.layers[prefixLayers:], and why. */
  engine: EngineName;
  reason: string;
  /** The trained layers as ONNX Runtime's graphs read them (engine "onnxruntime" only). */
  suffix?: Suffix;
  /** Prefix outputs are read from (and written to) the feature cache (refused later without a prefix). */
  cached: boolean;
}

export interface PlanOptions {
  /** Engine for the trained layers (THAW_ENGINE overrides it); default by chooseEngine's rule. */
  engine?: EngineName;
  /** Whether the caller asks for the feature cache (possible only with a prefix). */
  featureCache?: boolean;
  /** Images per batch, for the TF.js memory check. Default Keras' 32. */
  batchSize?: number;
  env?: Record<string, string | undefined>;
}

/**
 * What a TF.js run may plan to use of the wasm backend's 4 GB heap. Half: the heap fragments
 * (a head training run aborted at 4.29 GB with 1.5 GB live), and every real-size run that
 * trained fc1 on wasm died of it (frozen 15, 17, 18, 19 at batch 16).
 */
const WASM_HEAP_BUDGET = 2 * 2 ** 30;

function isChain(model: LayersModel): boolean {
  return model.layers.slice(1).every((layer, i) => layer.inboundNodes.some((node) => node.inboundLayers.length === 1 && node.inboundLayers[0] === model.layers[i]));
}

function perImage(model: LayersModel, index: number): number[] | undefined {
  const shape = (model.layers[index].outputShape as Array<number | null>).slice(1);
  return shape.some((d) => d === null) ? undefined : (shape as number[]);
}

/** What the TF.js memory estimate needs of each layer: its weight count and per-image output size. */
export interface LayerSize {
  params: number;
  outputs: number;
}

export function layerSizes(model: LayersModel): LayerSize[] {
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  return model.layers.map((l) => ({ params: l.weights.reduce((s, w) => s + size(w.shape as number[]), 0), outputs: size((l.outputShape as number[]).slice(1)) }));
}

/**
 * Bytes TF.js would hold to train layers[prefixLayers:] at this batch size: every weight of the
 * model, and for the trained ones a copy (the split-off model), a gradient, the optimizer's
 * state and two temporaries; the trained layers' activations kept for backprop, with their
 * gradients.
 */
export function tfjsTrainingBytes(layers: LayerSize[], prefixLayers: number, batchSize: number): number {
  const all = layers.reduce((sum, l) => sum + l.params, 0);
  const trained = layers.slice(prefixLayers).reduce((sum, l) => sum + l.params, 0);
  const activations = layers.slice(Math.max(prefixLayers - 1, 0)).reduce((sum, l) => sum + l.outputs, 0);
  return 4 * (all + 5 * trained + 3 * batchSize * activations);
}

/** The refusal of a TF.js plan that would exceed the wasm heap, or undefined when it fits. */
export function tfjsHeapProblem(layers: LayerSize[], prefixLayers: number, batchSize: number, why: string): string | undefined {
  const bytes = tfjsTrainingBytes(layers, prefixLayers, batchSize);
  if (bytes <= WASM_HEAP_BUDGET) return undefined;
  const gb = (n: number) => (n / 2 ** 30).toFixed(1);
  return `Training layers ${prefixLayers} onwards on TF.js (${why}) needs about ${gb(bytes)} GB in the wasm backend's 4 GB heap; unset THAW_ENGINE so ONNX Runtime trains it, freeze more layers, or lower the batch size`;
}

/** Keras' N extended over weightless max-poolings right after it (none when nothing is frozen). */
export function prefixLayerCount(kinds: string[], frozenLayers: number): number {
  let prefix = Math.max(frozenLayers, 1);
  if (prefix > 1) while (prefix < kinds.length - 1 && kinds[prefix] === "MaxPooling2D") prefix++;
  return prefix;
}

/** Decides the plan for `model` as frozen; throws TrainingOptionError when no engine here can train it. */
export async function planTraining(model: LayersModel, options: PlanOptions = {}): Promise<TrainingPlan> {
  const frozenLayers = countFrozenLayers(model);
  const count = model.layers.length;
  if (frozenLayers >= count) throw new TrainingOptionError("Every layer is frozen, so nothing would train; transfer with frozenLayers below the layer count.");
  const batchSize = options.batchSize ?? 32;
  const choice = await chooseEngine({ prefer: options.engine, env: options.env });
  const tfjsPlan = (prefixLayers: number, reason: string): TrainingPlan => {
    const problem = tf.getBackend() === "wasm" ? tfjsHeapProblem(layerSizes(model), prefixLayers, batchSize, reason) : undefined;
    if (problem) throw new TrainingOptionError(`${problem}.`);
    const inputShape = perImage(model, prefixLayers - 1) ?? [];
    return { frozenLayers, prefixLayers, inputShape, engine: "tfjs", reason, cached: false };
  };
  if (!isChain(model)) return tfjsPlan(1, "the model is not a chain of layers, so TF.js trains it whole");

  const prefixLayers = prefixLayerCount(model.layers.map((l) => l.getClassName()), frozenLayers);
  const inputShape = perImage(model, prefixLayers - 1);
  if (!inputShape) throw new TrainingOptionError(`The output of '${model.layers[prefixLayers - 1].name}' has no fixed shape; build the model with a fixed input size.`);
  const cached = options.featureCache === true;

  if (choice.name === "tfjs") return { ...tfjsPlan(prefixLayers, choice.reason), cached };
  const suffix = readSuffix(model.layers.slice(prefixLayers), inputShape);
  if (typeof suffix === "string") {
    if (choice.forced) throw new TrainingOptionError(`${choice.reason} but ONNX Runtime cannot train this model: ${suffix}; unset THAW_ENGINE.`);
    return { ...tfjsPlan(prefixLayers, `ONNX Runtime cannot train this model (${suffix}); TF.js on "${tf.getBackend()}"`), cached };
  }
  const what = prefixLayers > frozenLayers && frozenLayers > 1 ? `layers ${prefixLayers} onwards (the max-pooling after the frozen ones has no weights)` : prefixLayers > 1 ? `layers ${prefixLayers} onwards` : "every layer";
  return { frozenLayers, prefixLayers, inputShape, engine: "onnxruntime", reason: `ONNX Runtime trains ${what}${choice.forced ? ` (${choice.reason})` : ""}`, suffix, cached };
}
