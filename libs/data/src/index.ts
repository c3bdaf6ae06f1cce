/**
 * @thaw/data: image folders to labelled batches, as Keras' flow_from_directory does, without
 * its traps (EXIF rotation, seeded stratified splits, skip reports instead of crashes,
 * bounded-memory streaming). Never imports TensorFlow: batches are typed arrays plus a shape.
 */
export { scanDirectory, IMAGE_EXTENSIONS, SUBSETS } from "./lib/scan.ts";
export { KERAS_IMAGE_EXTENSIONS } from "./lib/keras-listing.ts";
export { SPLIT_METHODS } from "./lib/split.ts";
export type { SplitMethod } from "./lib/split.ts";
export type { DatasetScan, ImageEntry, IgnoredFiles, ScanOptions, Subset } from "./lib/scan.ts";
export { decodeImage } from "./lib/decode.ts";
export type { DecodeOptions, DecodedImage } from "./lib/decode.ts";
export { flowFromDirectory } from "./lib/flow.ts";
export type { Batch, FlowOptions, ImageFlow, SkippedFile } from "./lib/flow.ts";
export { loadSplit } from "./lib/load-split.ts";
export type { LoadSplitOptions, LoadedSplit } from "./lib/load-split.ts";
export { DEFAULT_AUGMENT } from "./lib/augment.ts";
export type { AugmentOptions } from "./lib/augment.ts";
export { fingerprintDataset } from "./lib/fingerprint.ts";
export type { DatasetFingerprint, FingerprintOptions } from "./lib/fingerprint.ts";
export { synthesizeDataset } from "./lib/synthesize.ts";
export type { SynthesizeOptions, SynthesizedDataset } from "./lib/synthesize.ts";
export { INTERPOLATIONS } from "./lib/options.ts";
export type { Interpolation, TargetSize } from "./lib/options.ts";
export {
  DataError,
  DatasetNotFoundError,
  DatasetLayoutError,
  InvalidOptionError,
  ImageDecodeError,
  ClassUnreadableError,
  DatasetTooLargeError,
  FingerprintCacheError,
} from "./lib/errors.ts";
