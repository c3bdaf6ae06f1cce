// The transfer-learning recipe: reuse VGG16's layers (shared, as Keras' Model(inputs=
// base.input, outputs=...) shares them), put a new softmax head on, freeze layers[:N].
import { tf, type LayersModel, type SymbolicTensor } from "../tf.ts";
import { InvalidModelOptionError } from "../errors.ts";
import { freezeLayers } from "./freeze.ts";

export type TransferHead = "fc2" | "pooled";
export const TRANSFER_HEADS: readonly TransferHead[] = ["fc2", "pooled"];

export interface TransferOptions {
  /** Keras' N in `model.layers[:N]`, counted on the new model (input layer = 0). */
  frozenLayers: number;
  /** Units of the new `predictions` layer. */
  classes: number;
  /**
   * 'fc2' (default): the seed's recipe, Dense(classes, softmax) on fc2 (needs a base with top).
   * 'pooled': block5_pool -> GlobalAveragePooling2D -> [Dropout] -> Dense(classes, softmax).
   */
  head?: TransferHead;
  /** Dropout rate in [0, 1) before the new Dense layer; 0 (default) adds no Dropout layer. */
  dropout?: number;
  /** Seed of the new Dense layer's glorot-uniform kernel. */
  seed?: number;
}

function lastOutput(base: LayersModel, name: string, hint: string): SymbolicTensor {
  const layer = base.layers.find((l) => l.name === name);
  if (!layer) {
    throw new InvalidModelOptionError(`The base model has no layer '${name}'; ${hint}.`);
  }
  return layer.output as SymbolicTensor;
}

export function transfer(base: LayersModel, options: TransferOptions): LayersModel {
  const { frozenLayers, classes, head = "fc2", dropout = 0, seed } = options;
  if (!TRANSFER_HEADS.includes(head)) {
    throw new InvalidModelOptionError(`head must be one of ${TRANSFER_HEADS.join(", ")}, got '${head}'.`);
  }
  if (!Number.isInteger(classes) || classes < 1) {
    throw new InvalidModelOptionError(`classes must be a positive integer, got ${classes}; pass the number of class folders.`);
  }
  if (!(dropout >= 0 && dropout < 1)) {
    throw new InvalidModelOptionError(`dropout must be in [0, 1), got ${dropout}.`);
  }
  let x =
    head === "fc2"
      ? lastOutput(base, "fc2", "build it with includeTop: true or use head 'pooled'")
      : lastOutput(base, "block5_pool", "the pooled head needs VGG16's convolutional base");
  if (head === "pooled") {
    x = tf.layers.globalAveragePooling2d({ name: "global_average_pooling2d" }).apply(x) as SymbolicTensor;
  }
  if (dropout > 0) {
    x = tf.layers.dropout({ name: "dropout", rate: dropout, seed }).apply(x) as SymbolicTensor;
  }
  const predictions = tf.layers
    .dense({ name: "predictions", units: classes, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform(seed === undefined ? {} : { seed }) })
    .apply(x) as SymbolicTensor;
  const model = tf.model({ inputs: base.inputs, outputs: predictions, name: "vgg16_transfer" });
  freezeLayers(model, frozenLayers);
  return model;
}
