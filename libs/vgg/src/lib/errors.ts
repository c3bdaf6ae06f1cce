// Named errors of @thaw/vgg. Each message is one sentence naming the problem and the fix.
// Shared by every part of the lib: add a class per distinct failure, keep them here.

/** Base class: catch this to handle any @thaw/vgg failure at an edge (CLI, tRPC). */
export class VggError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An option passed to a model builder or transfer is out of range or of the wrong kind. */
export class InvalidModelOptionError extends VggError {}

/** A weights file does not fit the model (missing layer, wrong shape, wrong input size). */
export class WeightsMismatchError extends VggError {}

/** Keras' weight file is neither on disk nor downloadable. */
export class WeightsNotFoundError extends VggError {}

/** A downloaded or cached weights file has the wrong checksum. */
export class WeightsChecksumError extends VggError {}

/** A checkpoint folder is missing, incomplete or not a Thaw checkpoint. */
export class CheckpointError extends VggError {}

/** A layer, class index or image passed to predict / Grad-CAM does not fit the model. */
export class ExplainInputError extends VggError {}

/** A model cannot be written as ONNX (a layer or option the exporter does not translate). */
export class OnnxExportError extends VggError {}

/** An inference engine cannot be chosen, loaded or run on the input given. */
export class InferenceEngineError extends VggError {}

/** A TF.js backend was asked for (THAW_BACKEND or an argument) that is unknown or cannot load. */
export class BackendError extends VggError {}

/** An option of fit, an optimizer or a callback is out of range or of the wrong kind. */
export class TrainingOptionError extends VggError {}

/** The frozen-prefix feature cache cannot be used as asked (augmentation, bad model, corrupt entry). */
export class FeatureCacheError extends VggError {}
