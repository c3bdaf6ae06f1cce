// Forward-only work (filling the feature cache, prediction) goes through an InferenceEngine
// so that it can run on ONNX Runtime's native CPU kernels where TF.js would run on wasm.

export type EngineName = "tfjs" | "onnxruntime";

export interface EngineOutput {
  data: Float32Array;
  /** [batch, ...per-image shape] */
  shape: number[];
}

export interface InferenceEngine {
  readonly name: EngineName;
  /** Why this engine runs (the selection rule's outcome), for the run record and logs. */
  readonly reason: string;
  /** Runs the model on preprocessed NHWC float32 images: input holds batch x H x W x C values. */
  run(input: Float32Array, batch: number): Promise<EngineOutput>;
  dispose(): Promise<void>;
}
