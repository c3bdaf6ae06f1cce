// VGG16 exactly as keras.applications.vgg16.VGG16 builds it (functional API, same layer
// names and order), with a width multiplier and free input size for tiny test models.
import { tf, type LayersModel, type SymbolicTensor } from "../tf.ts";
import { InvalidModelOptionError } from "../errors.ts";
import { VGG16_LAYER_TABLE } from "./layer-table.ts";

export interface Vgg16Options {
  /** Keep flatten, fc1, fc2 and predictions (Keras' include_top). Default true. */
  includeTop?: boolean;
  /** [height, width, channels]. Default [224, 224, 3]. Both sides must survive 5 poolings (>= 32). */
  inputShape?: [number, number, number];
  /** Units of `predictions`. Default 1000 (ImageNet). */
  classes?: number;
  /** Scales every conv and fc width (rounded, at least 1); 1 is Keras' VGG16. */
  widthMultiplier?: number;
  /** Seed for glorot-uniform kernels (layer i uses seed + i) so random models repeat. */
  seed?: number;
}

export interface ResolvedVgg16Options {
  includeTop: boolean;
  inputShape: [number, number, number];
  classes: number;
  widthMultiplier: number;
  seed: number | undefined;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidModelOptionError(`${name} must be a positive integer, got ${value}; pass e.g. ${name === "classes" ? 2 : 224}.`);
  }
  return value;
}

export function resolveVgg16Options(options: Vgg16Options = {}): ResolvedVgg16Options {
  const { includeTop = true, inputShape = [224, 224, 3], classes = 1000, widthMultiplier = 1, seed } = options;
  if (!Array.isArray(inputShape) || inputShape.length !== 3) {
    throw new InvalidModelOptionError(`inputShape must be [height, width, channels], got ${JSON.stringify(inputShape)}; pass e.g. [224, 224, 3].`);
  }
  const [h, w, c] = inputShape;
  positiveInt("inputShape height", h);
  positiveInt("inputShape width", w);
  positiveInt("inputShape channels", c);
  if (h < 32 || w < 32) {
    throw new InvalidModelOptionError(`inputShape ${h}x${w} is too small for VGG16's five 2x2 poolings; use at least 32x32.`);
  }
  positiveInt("classes", classes);
  if (!(Number.isFinite(widthMultiplier) && widthMultiplier > 0)) {
    throw new InvalidModelOptionError(`widthMultiplier must be a number > 0, got ${widthMultiplier}; use 1 for Keras' VGG16 or e.g. 0.0625 for a tiny test model.`);
  }
  if (seed !== undefined && !Number.isInteger(seed)) {
    throw new InvalidModelOptionError(`seed must be an integer, got ${seed}.`);
  }
  return { includeTop, inputShape: [h, w, c], classes, widthMultiplier, seed };
}

/** Width of a layer after the multiplier: rounded, never below 1. */
export function scaledWidth(width: number, widthMultiplier: number): number {
  return Math.max(1, Math.round(width * widthMultiplier));
}

/**
 * Builds VGG16. `model.layers[i]` is Keras' `model.layers[i]` (0 = the input layer).
 * The fc1 input size follows the input shape (7x7x512 at 224x224); only ImageNet top
 * weights insist on 224x224, and the weight loader says so.
 */
export function vgg16(options: Vgg16Options = {}): LayersModel {
  const opts = resolveVgg16Options(options);
  const kernelInit = (index: number) =>
    tf.initializers.glorotUniform(opts.seed === undefined ? {} : { seed: opts.seed + index });
  const input = tf.input({ shape: opts.inputShape, name: VGG16_LAYER_TABLE[0].name });
  let x: SymbolicTensor = input;
  for (const row of VGG16_LAYER_TABLE.slice(1)) {
    if (!opts.includeTop && row.block === "top") break;
    const width = row.name === "predictions" ? opts.classes : scaledWidth(row.width, opts.widthMultiplier);
    if (row.kind === "conv") {
      x = tf.layers
        .conv2d({ name: row.name, filters: width, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: kernelInit(row.index) })
        .apply(x) as SymbolicTensor;
    } else if (row.kind === "pool") {
      x = tf.layers.maxPooling2d({ name: row.name, poolSize: 2, strides: 2 }).apply(x) as SymbolicTensor;
    } else if (row.kind === "flatten") {
      x = tf.layers.flatten({ name: row.name }).apply(x) as SymbolicTensor;
    } else {
      const activation = row.name === "predictions" ? "softmax" : "relu";
      x = tf.layers.dense({ name: row.name, units: width, activation, kernelInitializer: kernelInit(row.index) }).apply(x) as SymbolicTensor;
    }
  }
  return tf.model({ inputs: input, outputs: x, name: "vgg16" });
}
