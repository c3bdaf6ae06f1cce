// The limits of the model builder and the training engine, asked before a run is queued, so
// that a run the worker could only fail is refused at the door with the sentence it would
// fail with. The one place where a new engine's limits are added.
import type { TransferHead } from "../model/transfer.ts";

export interface TrainingProblemOptions {
  /** Where the weights come from: Keras' ImageNet file, random, or a Thaw checkpoint. */
  base: "imagenet" | "random" | "checkpoint";
  head: TransferHead;
  imageSize: number;
  widthMultiplier: number;
  frozenLayers: number;
  dropout: number;
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
  return undefined;
}
