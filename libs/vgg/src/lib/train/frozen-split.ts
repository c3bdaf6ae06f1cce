// Splits a transferred model at its frozen prefix: Keras' layers[:N] run once per image
// (the cache), the layers after them train on the cached outputs as a model of their own.
import { tf, type Layer, type LayersModel, type SymbolicTensor } from "../tf.ts";
import { FeatureCacheError } from "../errors.ts";
import { countFrozenLayers } from "../model/freeze.ts";

export interface SplitModel {
  /** Keras' N: model.layers[:N] are frozen and cached. */
  frozenLayers: number;
  /** Per-image shape of the prefix output (what the cache stores). */
  featureShape: number[];
  /** The layers after the prefix, new instances with the same names and configs, input = prefix output. */
  rest: LayersModel;
}

/** A fresh layer of the same class and config: its own weights, so training it is explicit. */
function cloneLayer(layer: Layer): Layer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()];
  if (!entry) throw new FeatureCacheError(`Layer '${layer.name}' (${layer.getClassName()}) cannot be rebuilt; the feature cache supports TF.js' built-in layers only.`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, layer.getConfig()) as unknown as Layer;
}

/** The feature cache needs a chain: each layer fed by the one before it. */
function checkChain(model: LayersModel): void {
  model.layers.forEach((layer, i) => {
    if (i === 0) return;
    const fed = layer.inboundNodes.some((node) => node.inboundLayers.length === 1 && node.inboundLayers[0] === model.layers[i - 1]);
    if (!fed) throw new FeatureCacheError(`Layer '${layer.name}' is not fed by '${model.layers[i - 1].name}'; the feature cache needs a chain of layers like VGG16's (train without featureCache).`);
  });
}

export function splitAtFrozen(model: LayersModel): SplitModel {
  const frozenLayers = countFrozenLayers(model);
  if (frozenLayers < 2) {
    throw new FeatureCacheError(`Only ${frozenLayers} layer(s) are frozen, so there is no frozen computation to cache; train without featureCache or freeze more layers.`);
  }
  if (frozenLayers >= model.layers.length) {
    throw new FeatureCacheError("Every layer is frozen, so nothing would train; unfreeze the head (transfer with frozenLayers below the layer count).");
  }
  checkChain(model);
  const boundary = model.layers[frozenLayers - 1];
  const featureShape = (boundary.outputShape as number[]).slice(1);
  if (featureShape.some((d) => d === null)) {
    throw new FeatureCacheError(`The output of '${boundary.name}' has no fixed shape; build the model with a fixed input size.`);
  }
  const input = tf.input({ shape: featureShape, name: `${boundary.name}_features` });
  let x: SymbolicTensor = input;
  for (const layer of model.layers.slice(frozenLayers)) {
    const clone = cloneLayer(layer);
    x = clone.apply(x) as SymbolicTensor;
    clone.setWeights(layer.getWeights());
  }
  return { frozenLayers, featureShape, rest: tf.model({ inputs: input, outputs: x, name: `${model.name}_rest` }) };
}

/** Copies the trained layers back into the full model, so what is saved is the full model. */
export function copyRestInto(rest: LayersModel, model: LayersModel): void {
  for (const layer of rest.layers.slice(1)) model.getLayer(layer.name).setWeights(layer.getWeights());
}
