// Keras' `for layer in model.layers[:N]: layer.trainable = False`, with N counted the
// Keras way (layers[0] is the input layer), and the rest made trainable.
import { type LayersModel } from "../tf.ts";
import { InvalidModelOptionError } from "../errors.ts";

export function checkFrozenLayers(model: LayersModel, frozenLayers: number): number {
  const count = model.layers.length;
  if (!Number.isInteger(frozenLayers) || frozenLayers < 0) {
    throw new InvalidModelOptionError(`frozenLayers must be an integer >= 0, got ${frozenLayers}; 19 freezes VGG16's whole convolutional base.`);
  }
  if (frozenLayers > count) {
    throw new InvalidModelOptionError(`frozenLayers is ${frozenLayers} but the model has only ${count} layers; use a number from 0 to ${count}.`);
  }
  return frozenLayers;
}

/** Freezes `model.layers[:frozenLayers]` and unfreezes the others. Recompile before training. */
export function freezeLayers(model: LayersModel, frozenLayers: number): void {
  checkFrozenLayers(model, frozenLayers);
  model.layers.forEach((layer, i) => {
    layer.trainable = i >= frozenLayers;
  });
}

/** How many leading layers are frozen (the N of `layers[:N]`); layers after a trainable one do not count. */
export function countFrozenLayers(model: LayersModel): number {
  const firstTrainable = model.layers.findIndex((layer) => layer.trainable);
  return firstTrainable === -1 ? model.layers.length : firstTrainable;
}
