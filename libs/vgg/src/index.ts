// Public face of @thaw/vgg. Internals under src/lib stay internal.

// model: architecture, weights, preprocessing, transfer, checkpoints, predict, grad-cam

// training: backends, fit, callbacks, optimizers, feature cache

// engines: inference engine selection, ONNX export
export type { EngineName, EngineOutput, InferenceEngine } from "./lib/engine/inference-engine.ts";
