// The layers after a frozen VGG16 prefix, read as a plain chain (flatten or global average
// pooling, dense layers, dropout) so that an engine other than TF.js can train them. Anything
// else, or any Keras option the chain would silently drop, makes it "not a dense head".
import type { Layer, LayersModel } from "../tf.ts";

export type DenseActivation = "relu" | "linear" | "softmax";

export type HeadOp =
  | { kind: "flatten" }
  | { kind: "globalAveragePooling" }
  | { kind: "dropout"; rate: number; seed: number }
  | { kind: "dense"; layer: string; inputs: number; units: number; activation: DenseActivation };

export interface DenseHead {
  /** Per-image shape of the head's input (the frozen prefix's output). */
  featureShape: number[];
  ops: HeadOp[];
  classes: number;
}

interface LayerConfig {
  activation?: string;
  useBias?: boolean;
  rate?: number;
  seed?: number | null;
  noiseShape?: unknown;
  kernelRegularizer?: unknown;
  biasRegularizer?: unknown;
  activityRegularizer?: unknown;
  kernelConstraint?: unknown;
  biasConstraint?: unknown;
  dataFormat?: string;
}

function config(layer: Layer): LayerConfig {
  return layer.getConfig() as LayerConfig;
}

/** Why `layer` cannot be part of a dense head, or undefined when it can. */
function denseProblem(layer: Layer, last: boolean): string | undefined {
  const c = config(layer);
  if (!layer.trainable) return `'${layer.name}' is frozen inside the trainable part`;
  if (c.useBias === false) return `'${layer.name}' has no bias`;
  for (const key of ["kernelRegularizer", "biasRegularizer", "activityRegularizer", "kernelConstraint", "biasConstraint"] as const) {
    if (c[key] != null) return `'${layer.name}' has a ${key}`;
  }
  const activation = c.activation ?? "linear";
  if (last && activation !== "softmax") return `the last layer '${layer.name}' is not a softmax (the loss is categorical cross-entropy on probabilities)`;
  if (!last && activation !== "relu" && activation !== "linear") return `'${layer.name}' uses activation '${activation}'`;
  return undefined;
}

/**
 * The chain of `rest` (input layer first, as splitAtFrozen builds it), or a sentence saying
 * why it is not a dense head.
 */
export function readDenseHead(rest: LayersModel): DenseHead | string {
  const featureShape = (rest.inputs[0].shape as Array<number | null>).slice(1);
  if (featureShape.some((d) => d === null)) return "the head's input has no fixed shape";
  const layers = rest.layers.slice(1);
  const ops: HeadOp[] = [];
  let rank = featureShape.length;
  for (const [i, layer] of layers.entries()) {
    const kind = layer.getClassName();
    const c = config(layer);
    if (kind === "Flatten" && ops.length === 0) {
      ops.push({ kind: "flatten" });
      rank = 2;
    } else if (kind === "GlobalAveragePooling2D" && ops.length === 0 && rank === 3 && (c.dataFormat ?? "channelsLast") === "channelsLast") {
      ops.push({ kind: "globalAveragePooling" });
      rank = 2;
    } else if (kind === "Dropout" && rank === 2 && c.noiseShape == null) {
      if (c.rate && c.rate > 0) ops.push({ kind: "dropout", rate: c.rate, seed: c.seed ?? 0 });
    } else if (kind === "Dense" && rank === 2) {
      const problem = denseProblem(layer, i === layers.length - 1);
      if (problem) return problem;
      const [inputs, units] = layer.getWeights()[0].shape;
      ops.push({ kind: "dense", layer: layer.name, inputs, units, activation: (c.activation ?? "linear") as DenseActivation });
    } else {
      return `'${layer.name}' (${kind}) is not a Flatten, GlobalAveragePooling2D, Dropout or Dense layer on flat features`;
    }
  }
  const last = ops[ops.length - 1];
  if (last?.kind !== "dense") return "the trainable part does not end in a Dense layer";
  return { featureShape: featureShape as number[], ops, classes: last.units };
}
