// Training a transferred model split at its frozen prefix: Keras' layers[:N] run forward
// only (on an inference engine, so none of their activations are kept for backprop) and
// the layers after them train as a model of their own. Gradients never reach frozen layers,
// so this is the same training as the whole model's, without holding the conv base's
// activations: full VGG16 at batch 32 otherwise overflows the wasm backend's 4 GB heap.
import { tf, type Layer, type LayersModel, type SymbolicTensor } from "../tf.ts";
import { countFrozenLayers } from "../model/freeze.ts";
import type { EngineName } from "../engine/inference-engine.ts";
import { chooseEngine } from "../engine/select-engine.ts";
import { readDenseHead } from "./dense-head.ts";
import { OnnxHeadTrainer } from "./onnx-head-trainer.ts";
import { tfjsBatchTrainer, trainLoop, type BatchTrainer, type FeedSource, type History, type LoopOptions } from "./train-loop.ts";

export interface FrozenSplit {
  /** Keras' N: model.layers[:N] are frozen. */
  frozenLayers: number;
  /** Per-image shape of the prefix output. */
  featureShape: number[];
  /** The layers after the prefix, new instances with the same names and configs; input = prefix output. */
  rest: LayersModel;
}

/** A fresh layer of the same class and config, so the rest is a model of its own. */
function cloneLayer(layer: Layer): Layer | undefined {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()];
  if (!entry) return undefined;
  const [cls, fromConfig] = entry;
  return fromConfig(cls, layer.getConfig()) as unknown as Layer;
}

/** Why the model cannot be split at its frozen prefix, or undefined when it can. */
export function splitProblem(model: LayersModel): string | undefined {
  const frozen = countFrozenLayers(model);
  if (frozen < 2) return `Only ${frozen} layer(s) are frozen, so there is no frozen computation to split off`;
  if (frozen >= model.layers.length) return "Every layer is frozen, so nothing would train; unfreeze the head (transfer with frozenLayers below the layer count)";
  for (let i = 1; i < model.layers.length; i++) {
    const layer = model.layers[i];
    const fed = layer.inboundNodes.some((node) => node.inboundLayers.length === 1 && node.inboundLayers[0] === model.layers[i - 1]);
    if (!fed) return `Layer '${layer.name}' is not fed by '${model.layers[i - 1].name}'; splitting needs a chain of layers like VGG16's`;
  }
  if ((model.layers[frozen - 1].outputShape as (number | null)[]).slice(1).some((d) => d === null)) {
    return `The output of '${model.layers[frozen - 1].name}' has no fixed shape; build the model with a fixed input size`;
  }
  const unknown = model.layers.slice(frozen).find((layer) => !tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()]);
  if (unknown) return `Layer '${unknown.name}' (${unknown.getClassName()}) cannot be rebuilt; only TF.js' registered layers can`;
  return undefined;
}

/** Splits at the frozen prefix; call only when splitProblem(model) is undefined. */
export function splitAtFrozen(model: LayersModel): FrozenSplit {
  const frozenLayers = countFrozenLayers(model);
  const boundary = model.layers[frozenLayers - 1];
  const featureShape = (boundary.outputShape as number[]).slice(1);
  const input = tf.input({ shape: featureShape, name: `${boundary.name}_features` });
  let x: SymbolicTensor = input;
  for (const layer of model.layers.slice(frozenLayers)) {
    const clone = cloneLayer(layer)!;
    x = clone.apply(x) as SymbolicTensor;
    clone.setWeights(layer.getWeights());
  }
  return { frozenLayers, featureShape, rest: tf.model({ inputs: input, outputs: x, name: `${model.name}_rest` }) };
}

/** Points the full model's trainable layers at the rest's weights (no copy: tensors are shared). */
function copyRestInto(rest: LayersModel, model: LayersModel): void {
  for (const layer of rest.layers.slice(1)) model.getLayer(layer.name).setWeights(layer.getWeights());
}

export interface SplitTrainOptions extends LoopOptions {
  /** Engine that trains the layers after the prefix; THAW_ENGINE overrides it. Default: see headTrainer. */
  engine?: EngineName;
}

/**
 * chooseEngine's rule, with one more reason for TF.js: layers after the prefix that are not
 * a dense head (convolutions to fine-tune), which only TF.js trains.
 */
async function headTrainer(model: LayersModel, split: FrozenSplit, options: SplitTrainOptions): Promise<BatchTrainer> {
  const tfjs = (reason: string) => tfjsBatchTrainer(split.rest, options.optimizer, reason, () => copyRestInto(split.rest, model));
  const choice = await chooseEngine({ prefer: options.engine });
  if (choice.name === "tfjs") return tfjs(choice.reason);
  const head = readDenseHead(split.rest);
  if (typeof head === "string") return tfjs(`ONNX Runtime trains dense heads only and ${head}; TF.js on "${tf.getBackend()}"`);
  return OnnxHeadTrainer.create(model, head, options.optimizer, choice.forced ? choice.reason : "dense head after the frozen prefix");
}

/**
 * Trains the layers after the prefix on its outputs. The full model gets the trained weights
 * before every epoch-end callback and at the end, so callbacks and checkpoints see (and save)
 * the full model.
 */
export async function trainSplit(model: LayersModel, split: FrozenSplit, train: FeedSource, options: SplitTrainOptions): Promise<History> {
  try {
    const trainer = await headTrainer(model, split, options);
    return await trainLoop(train, options, { model, stopTraining: false }, trainer);
  } finally {
    split.rest.dispose();
  }
}
