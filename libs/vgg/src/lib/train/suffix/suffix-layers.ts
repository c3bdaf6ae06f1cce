// The layers after a frozen prefix, read as a plain chain of operations that ONNX Runtime can
// train: VGG16's convolutions and poolings, Flatten or global average pooling, Dense and
// Dropout. Anything else, or any Keras option the chain would silently drop, is refused with
// a sentence naming the layer, so a run is turned away before it starts, never mid-way.
import type { Layer } from "../../tf.ts";

export type Activation = "relu" | "linear" | "softmax";

export type SuffixOp =
  | { kind: "conv"; layer: string; kernel: [number, number]; inChannels: number; outChannels: number; activation: "relu" | "linear" }
  | { kind: "maxPool"; layer: string; pool: [number, number] }
  | { kind: "flatten" }
  | { kind: "globalAveragePooling" }
  | { kind: "dropout"; rate: number; seed: number }
  | { kind: "dense"; layer: string; inputs: number; units: number; activation: Activation };

export interface Suffix {
  /** Per-image shape of the suffix's input (NHWC, or flat), the prefix's output. */
  inputShape: number[];
  ops: SuffixOp[];
  classes: number;
}

interface LayerConfig {
  activation?: string;
  useBias?: boolean;
  rate?: number;
  seed?: number | null;
  noiseShape?: unknown;
  kernelSize?: number | number[];
  strides?: number | number[];
  dilationRate?: number | number[];
  padding?: string;
  poolSize?: number | number[];
  kernelRegularizer?: unknown;
  biasRegularizer?: unknown;
  activityRegularizer?: unknown;
  kernelConstraint?: unknown;
  biasConstraint?: unknown;
  dataFormat?: string;
}

function pair(value: number | number[] | undefined, fallback: number): [number, number] {
  if (value === undefined) return [fallback, fallback];
  return Array.isArray(value) ? [value[0], value[1] ?? value[0]] : [value, value];
}

/** Options that change the arithmetic in ways the graphs do not model. */
function weightedProblem(layer: Layer, c: LayerConfig, trainable: boolean): string | undefined {
  if (trainable && !layer.trainable) return `'${layer.name}' is frozen inside the trainable part (freeze a prefix: layers[:N])`;
  if (c.useBias === false) return `'${layer.name}' has no bias`;
  for (const key of ["kernelRegularizer", "biasRegularizer", "activityRegularizer", "kernelConstraint", "biasConstraint"] as const) {
    if (c[key] != null) return `'${layer.name}' has a ${key}`;
  }
  if ((c.dataFormat ?? "channelsLast") !== "channelsLast") return `'${layer.name}' is not channelsLast`;
  return undefined;
}

function convOp(layer: Layer, c: LayerConfig, trainable: boolean): SuffixOp | string {
  const problem = weightedProblem(layer, c, trainable);
  if (problem) return problem;
  const kernel = pair(c.kernelSize, 1);
  const strides = pair(c.strides, 1);
  const dilation = pair(c.dilationRate, 1);
  if (strides[0] !== 1 || strides[1] !== 1 || dilation[0] !== 1 || dilation[1] !== 1) return `'${layer.name}' has strides or dilation other than 1`;
  if (c.padding !== "same" || kernel[0] % 2 === 0 || kernel[1] % 2 === 0) return `'${layer.name}' is not an odd-sized convolution with 'same' padding`;
  const activation = c.activation ?? "linear";
  if (activation !== "relu" && activation !== "linear") return `'${layer.name}' uses activation '${activation}'`;
  const [, , inChannels, outChannels] = layer.getWeights()[0].shape;
  return { kind: "conv", layer: layer.name, kernel, inChannels, outChannels, activation };
}

function poolOp(layer: Layer, c: LayerConfig, shape: number[]): SuffixOp | string {
  const pool = pair(c.poolSize, 2);
  const strides = pair(c.strides ?? c.poolSize, 2);
  if (c.padding !== "valid" || strides[0] !== pool[0] || strides[1] !== pool[1]) return `'${layer.name}' is not a non-overlapping 'valid' max pooling`;
  if (shape[0] < pool[0] || shape[1] < pool[1]) return `'${layer.name}' pools ${pool.join("x")} over a ${shape[0]}x${shape[1]} input`;
  if ((c.dataFormat ?? "channelsLast") !== "channelsLast") return `'${layer.name}' is not channelsLast`;
  return { kind: "maxPool", layer: layer.name, pool };
}

/**
 * The chain of `layers` (the ones after the frozen prefix, in order) fed with per-image
 * `inputShape`, or a sentence saying which layer ONNX Runtime cannot train and why.
 * `trainable: false` reads layers that are only differentiated through (Grad-CAM), frozen or not.
 */
export function readSuffix(layers: Layer[], inputShape: number[], options: { trainable?: boolean } = {}): Suffix | string {
  const trainable = options.trainable ?? true;
  const ops: SuffixOp[] = [];
  let shape = [...inputShape];
  for (const [i, layer] of layers.entries()) {
    const kind = layer.getClassName();
    const c = layer.getConfig() as LayerConfig;
    const spatial = shape.length === 3;
    let op: SuffixOp | string | undefined;
    if (kind === "Conv2D" && spatial) op = convOp(layer, c, trainable);
    else if (kind === "MaxPooling2D" && spatial) op = poolOp(layer, c, shape);
    else if (kind === "Flatten" && spatial) op = { kind: "flatten" };
    else if (kind === "GlobalAveragePooling2D" && spatial && (c.dataFormat ?? "channelsLast") === "channelsLast") op = { kind: "globalAveragePooling" };
    else if (kind === "Dropout" && !spatial && c.noiseShape == null) op = c.rate && c.rate > 0 ? { kind: "dropout", rate: c.rate, seed: c.seed ?? 0 } : undefined;
    else if (kind === "Dense" && !spatial) {
      const problem = weightedProblem(layer, c, trainable);
      const activation = c.activation ?? "linear";
      const last = i === layers.length - 1;
      if (problem) op = problem;
      else if (last && activation !== "softmax") op = `the last layer '${layer.name}' is not a softmax (the loss is categorical cross-entropy on probabilities)`;
      else if (!last && activation !== "relu" && activation !== "linear") op = `'${layer.name}' uses activation '${activation}'`;
      else {
        const [inputs, units] = layer.getWeights()[0].shape;
        op = { kind: "dense", layer: layer.name, inputs, units, activation: activation as Activation };
      }
    } else {
      return `'${layer.name}' (${kind}) is not a layer ONNX Runtime training supports here (Conv2D, MaxPooling2D, Flatten, GlobalAveragePooling2D, Dropout on flat features, Dense)`;
    }
    if (typeof op === "string") return op;
    if (op === undefined) continue;
    ops.push(op);
    shape = outputShape(op, shape);
  }
  const last = ops[ops.length - 1];
  if (last?.kind !== "dense" || last.activation !== "softmax") return "the trainable part does not end in a softmax Dense layer";
  return { inputShape: [...inputShape], ops, classes: last.units };
}

/** Per-image output shape of `op` given its per-image input shape (NHWC or flat). */
export function outputShape(op: SuffixOp, shape: number[]): number[] {
  switch (op.kind) {
    case "conv":
      return [shape[0], shape[1], op.outChannels];
    case "maxPool":
      return [Math.floor(shape[0] / op.pool[0]), Math.floor(shape[1] / op.pool[1]), shape[2]];
    case "flatten":
      return [shape.reduce((a, b) => a * b, 1)];
    case "globalAveragePooling":
      return [shape[2]];
    case "dropout":
      return shape;
    case "dense":
      return [op.units];
  }
}
