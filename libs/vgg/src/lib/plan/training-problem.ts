// The limits of the model builder and the training engine, asked before a run is queued, so
// that a run the worker could only fail is refused at the door with the sentence it would
// fail with. The one place where a new engine's limits are added.
import type { TransferHead } from "../model/transfer.ts";
import type { EngineName } from "../engine/inference-engine.ts";
import { VGG16_LAYER_TABLE } from "../model/layer-table.ts";
import { scaledWidth } from "../model/vgg16.ts";
import { prefixLayerCount, tfjsHeapProblem, type LayerSize } from "../train/plan.ts";

export interface TrainingProblemOptions {
  /** Where the weights come from: Keras' ImageNet file, random, or a Thaw checkpoint. */
  base: "imagenet" | "random" | "checkpoint";
  head: TransferHead;
  imageSize: number;
  widthMultiplier: number;
  frozenLayers: number;
  dropout: number;
  /** The engine that would train and TF.js' backend where it runs; checked only when given. */
  engine?: { name: EngineName; reason: string; backend: string };
  /** Images per batch and classes, for the engine's memory check. Defaults 32 and 2. */
  batchSize?: number;
  classes?: number;
}

/** The option a refusal is about, so that a form can show it beside that field. */
export type TrainingProblemOption = "imageSize" | "widthMultiplier" | "frozenLayers";

export interface TrainingProblem {
  option: TrainingProblemOption;
  message: string;
}

/** Layers of the model being trained: VGG16 with the new predictions layer (23), or the
 *  convolutional base plus global pooling and the new classifier (21); a dropout adds one. */
export function modelLayerCount(head: TransferHead, dropout: number): number {
  return (head === "fc2" ? 23 : 21) + (dropout > 0 ? 1 : 0);
}

/** Why a run with these options cannot train, or undefined when it can. */
export function trainingProblem(options: TrainingProblemOptions): TrainingProblem | undefined {
  const { base, head, imageSize, widthMultiplier, frozenLayers, dropout } = options;
  if (base === "imagenet" && widthMultiplier !== 1) {
    return {
      option: "widthMultiplier",
      message: `ImageNet weights exist only for the full-width VGG16, not width ${widthMultiplier}; use width 1, or random weights for a narrower model.`,
    };
  }
  if (base === "imagenet" && head === "fc2" && imageSize !== 224) {
    return {
      option: "imageSize",
      message: `Image size ${imageSize} does not fit the fc2 head: the seed's fc1 layer needs 224x224 inputs; use image size 224, or the pooled head for other sizes.`,
    };
  }
  const layers = modelLayerCount(head, dropout);
  if (frozenLayers >= layers) {
    return {
      option: "frozenLayers",
      message: `Freezing ${frozenLayers} layers leaves nothing to train: the model with the ${head} head has ${layers} layers; freeze at most ${layers - 1} (19 freezes the whole convolutional base).`,
    };
  }
  if (options.engine?.name === "tfjs" && options.engine.backend === "wasm") {
    const layers = transferLayerSizes(head, widthMultiplier, imageSize, options.classes ?? 2, dropout);
    const prefix = prefixLayerCount(layers.map((l) => l.kind), frozenLayers);
    const problem = tfjsHeapProblem(layers, prefix, options.batchSize ?? 32, options.engine.reason);
    if (problem) return { option: "frozenLayers", message: `${problem}.` };
  }
  return undefined;
}

/**
 * Weights and per-image outputs of each layer of transfer(vgg16(...)), from Keras' layer
 * table rather than a built model (building VGG16 at width 1 allocates 138M weights).
 */
export function transferLayerSizes(head: TransferHead, widthMultiplier: number, imageSize: number, classes: number, dropout: number): Array<LayerSize & { kind: string }> {
  const out: Array<LayerSize & { kind: string }> = [];
  let [side, channels] = [imageSize, 3];
  const rows = VGG16_LAYER_TABLE.slice(0, head === "fc2" ? 22 : 19);
  for (const row of rows) {
    if (row.kind === "input") out.push({ kind: "InputLayer", params: 0, outputs: side * side * 3 });
    else if (row.kind === "conv") {
      const filters = scaledWidth(row.width, widthMultiplier);
      out.push({ kind: "Conv2D", params: 9 * channels * filters + filters, outputs: side * side * filters });
      channels = filters;
    } else if (row.kind === "pool") {
      side = Math.floor(side / 2);
      out.push({ kind: "MaxPooling2D", params: 0, outputs: side * side * channels });
    } else if (row.kind === "flatten") {
      channels = side * side * channels;
      out.push({ kind: "Flatten", params: 0, outputs: channels });
    } else {
      const units = scaledWidth(row.width, widthMultiplier);
      out.push({ kind: "Dense", params: channels * units + units, outputs: units });
      channels = units;
    }
  }
  if (head === "pooled") out.push({ kind: "GlobalAveragePooling2D", params: 0, outputs: channels });
  if (dropout > 0) out.push({ kind: "Dropout", params: 0, outputs: channels });
  out.push({ kind: "Dense", params: channels * classes + classes, outputs: classes });
  return out;
}
