// Public face of @thaw/vgg. Internals under src/lib stay internal.

// model: architecture, weights, preprocessing, transfer, checkpoints, predict, grad-cam
export { vgg16, scaledWidth } from "./lib/model/vgg16.ts";
export type { Vgg16Options } from "./lib/model/vgg16.ts";
export { VGG16_LAYER_TABLE, VGG16_LAYER_NAMES, FROZEN_ALL_CONV, vgg16LayerCount } from "./lib/model/layer-table.ts";
export type { Vgg16LayerRow, Vgg16LayerKind } from "./lib/model/layer-table.ts";
export { transfer, TRANSFER_HEADS } from "./lib/model/transfer.ts";
export type { TransferOptions, TransferHead } from "./lib/model/transfer.ts";
export { freezeLayers, countFrozenLayers } from "./lib/model/freeze.ts";
export { summary, countParams } from "./lib/model/summary.ts";
export { trainingProblem, modelLayerCount } from "./lib/plan/training-problem.ts";
export type { TrainingProblem, TrainingProblemOptions, TrainingProblemOption } from "./lib/plan/training-problem.ts";
export type { ParamCounts } from "./lib/model/summary.ts";
export { preprocessInput, PREPROCESSING, CAFFE_MEAN_BGR } from "./lib/preprocess.ts";
export type { Preprocessing } from "./lib/preprocess.ts";
export { loadKerasH5 } from "./lib/weights/keras-h5.ts";
export type { LoadKerasH5Options, LoadKerasH5Result } from "./lib/weights/keras-h5.ts";
export { writeKerasH5File, writeModelAsKerasH5 } from "./lib/weights/keras-h5-writer.ts";
export type { KerasH5Layer, KerasH5Weight } from "./lib/weights/keras-h5-writer.ts";
export { fetchWeights, locateWeightFile, weightSearchDirs, VGG16_WEIGHT_FILES, KERAS_VGG16_URL } from "./lib/weights/weights-locator.ts";
export type { WeightFileSpec, LocatorOptions, FetchOptions } from "./lib/weights/weights-locator.ts";
export { loadBase, IMAGENET_BASE, RANDOM_BASE } from "./lib/weights/load-base.ts";
export type { BaseSpec, LoadBaseOptions, LoadedBase } from "./lib/weights/load-base.ts";
export { predict } from "./lib/explain/predict.ts";
export type { Prediction, PredictOptions } from "./lib/explain/predict.ts";
export type { ImageInput, ImageBatch } from "./lib/explain/image-input.ts";
export { gradCam } from "./lib/explain/grad-cam.ts";
export { createGradCam } from "./lib/explain/grad-cam-onnx.ts";
export type { GradCamExplainer } from "./lib/explain/grad-cam-onnx.ts";
export type { GradCamOptions, GradCamResult } from "./lib/explain/grad-cam.ts";
export { renderHeatmapPng } from "./lib/explain/heatmap-png.ts";
export type { HeatmapPngOptions } from "./lib/explain/heatmap-png.ts";
export { saveCheckpoint, loadCheckpoint, readCheckpointMeta, hashCheckpoint, CHECKPOINT_FORMAT } from "./lib/checkpoint/checkpoint.ts";
export type { CheckpointMeta, CheckpointMetaInput, SavedCheckpoint, LoadedCheckpoint } from "./lib/checkpoint/checkpoint.ts";
export { fsHandler } from "./lib/checkpoint/fs-io-handler.ts";
export type { FsHandlerOptions } from "./lib/checkpoint/fs-io-handler.ts";
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
export { initBackend, backendFromEnv, expectedTfjsBackend, BACKEND_NAMES } from "./lib/backend/init-backend.ts";
export type { BackendName, BackendChoice } from "./lib/backend/init-backend.ts";
export { registerWasmTrainingKernels } from "./lib/backend/wasm-kernels.ts";
export { fit } from "./lib/train/fit.ts";
export type { FitOptions, FitHistory } from "./lib/train/fit.ts";
export { planTraining, tfjsTrainingBytes } from "./lib/train/plan.ts";
export type { TrainingPlan, PlanOptions } from "./lib/train/plan.ts";
export type { History } from "./lib/train/train-loop.ts";
export { arrayBatches } from "./lib/train/batches.ts";
export type { Batch, BatchSource, ArrayBatchesOptions } from "./lib/train/batches.ts";
export { leftRightImages } from "./lib/train/synthetic-images.ts";
export type { SyntheticImages } from "./lib/train/synthetic-images.ts";
export { sgd, adam } from "./lib/train/optimizers.ts";
export type { OptimizerSpec } from "./lib/train/optimizers.ts";
export { hook, ModelCallback } from "./lib/train/callbacks/callback.ts";
export type { Callback, TrainingState, EpochLogs, BatchLogs, TrainEndLogs, StopReason, TrainProgress } from "./lib/train/callbacks/callback.ts";
export { MonitorCallback, canonicalMetric } from "./lib/train/callbacks/monitor-callback.ts";
export type { MonitorOptions, MonitorMode } from "./lib/train/callbacks/monitor-callback.ts";
export { earlyStopping, EarlyStopping } from "./lib/train/callbacks/early-stopping.ts";
export type { EarlyStoppingOptions } from "./lib/train/callbacks/early-stopping.ts";
export { modelCheckpoint, ModelCheckpoint } from "./lib/train/callbacks/model-checkpoint.ts";
export type { SaveFunction, SaveWithFunction, SaveToDir, SavedEpoch } from "./lib/train/callbacks/model-checkpoint.ts";
export { FEATURE_CACHE_FORMAT } from "./lib/feature-cache/feature-store.ts";
export { listCacheFolders, evictFeatureCaches, cacheCapBytes, DEFAULT_CACHE_MAX_GB } from "./lib/feature-cache/cache-folders.ts";
export type { CacheFolder } from "./lib/feature-cache/cache-folders.ts";
export type { FeatureCacheOptions, FeatureCacheStats } from "./lib/feature-cache/feature-cache.ts";
export { BackendError, TrainingOptionError, FeatureCacheError } from "./lib/errors.ts";

// engines: inference engine selection, ONNX export
export type { EngineName, EngineOutput, InferenceEngine } from "./lib/engine/inference-engine.ts";
export { ORT_PROVIDERS, resolveOrtProvider } from "./lib/engine/onnx-engine.ts";
export type { OrtProvider, OrtPlacement } from "./lib/engine/onnx-engine.ts";
export { createEngine, chooseEngine, describeEngines, ENGINE_NAMES } from "./lib/engine/select-engine.ts";
export type { CreateEngineOptions, EngineAvailability, EngineChoice } from "./lib/engine/select-engine.ts";
export { exportOnnx, writeOnnxFile, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from "./lib/onnx/export-onnx.ts";
export type { ExportOnnxOptions } from "./lib/onnx/export-onnx.ts";
export { OnnxExportError, InferenceEngineError } from "./lib/errors.ts";
