// Public face of @thaw/vgg. Internals under src/lib stay internal.

// model: architecture, weights, preprocessing, transfer, checkpoints, predict, grad-cam
export { vgg16, scaledWidth } from "./lib/model/vgg16.ts";
export type { Vgg16Options } from "./lib/model/vgg16.ts";
export { VGG16_LAYER_TABLE, VGG16_LAYER_NAMES, FROZEN_ALL_CONV, vgg16LayerCount } from "./lib/model/layer-table.ts";
export type { Vgg16LayerRow, Vgg16LayerKind } from "./lib/model/layer-table.ts";
export {
  VggError,
  InvalidModelOptionError,
  WeightsMismatchError,
  WeightsNotFoundError,
  WeightsChecksumError,
  CheckpointError,
  ExplainInputError,
} from "./lib/errors.ts";

// training: backends, fit, callbacks, optimizers, feature cache

// engines: inference engine selection, ONNX export
export type { EngineName, EngineOutput, InferenceEngine } from "./lib/engine/inference-engine.ts";
