// Where a run's weights come from: Keras' ImageNet files, a seeded random init (the
// scratch baseline) or a previous Thaw checkpoint (pretrain on one dataset, transfer to
// another). The hash identifies the weights in feature-cache keys and run records.
import fs from "node:fs";
import { type LayersModel } from "../tf.ts";
import { InvalidModelOptionError, WeightsMismatchError, WeightsNotFoundError } from "../errors.ts";
import { loadCheckpoint, type CheckpointMeta } from "../checkpoint/checkpoint.ts";
import { vgg16 } from "../model/vgg16.ts";
import { loadKerasH5 } from "./keras-h5.ts";
import { ensureWeightFile, hashFile, KERAS_VGG16_URL, locateWeightFile, vgg16WeightFile, weightSearchDirs, type FetchOptions } from "./weights-locator.ts";

export const IMAGENET_BASE = "vgg16-imagenet";
export const RANDOM_BASE = "random";
/** 'vgg16-imagenet', 'random' or the folder of a Thaw checkpoint. */
export type BaseSpec = typeof IMAGENET_BASE | typeof RANDOM_BASE | (string & {});

export interface LoadBaseOptions extends FetchOptions {
  /** Keep fc1, fc2 and predictions. Default true. Ignored for checkpoints. */
  includeTop?: boolean;
  /** Default [224, 224, 3]; ImageNet top weights need exactly that. Ignored for checkpoints. */
  inputShape?: [number, number, number];
  /** 'random' only: widths scaled for tiny models. */
  widthMultiplier?: number;
  /** 'random' only: seed of the glorot-uniform init. Default 0. */
  seed?: number;
  /** Download Keras' file when it is not on disk. Default true. */
  download?: boolean;
  /** Check Keras' MD5 of a file found on disk (Keras does). Default true. */
  verifyChecksum?: boolean;
}

export interface LoadedBase {
  model: LayersModel;
  /** sha256 of the weights file, 'random:<seed>[@w<multiplier>]', or the checkpoint's sha256. */
  baseWeightsHash: string;
  /** Set when the base is a checkpoint. */
  checkpointMeta?: CheckpointMeta;
}

async function imagenetFile(includeTop: boolean, options: LoadBaseOptions): Promise<string> {
  const spec = vgg16WeightFile(includeTop);
  if (options.verifyChecksum === false) {
    const found = locateWeightFile(spec.file, options);
    if (found) return found;
  }
  if (options.download === false) {
    const found = locateWeightFile(spec.file, options);
    if (found) return found;
    const dirs = weightSearchDirs(options);
    throw new WeightsNotFoundError(
      `${spec.file} is not in ${dirs.join(" or ")} and downloading is off; download it from ${options.baseUrl ?? KERAS_VGG16_URL}${spec.file} and put it in ${dirs[0]}.`,
    );
  }
  return ensureWeightFile(spec, options);
}

async function loadImagenet(options: LoadBaseOptions): Promise<LoadedBase> {
  const { includeTop = true, inputShape = [224, 224, 3], widthMultiplier = 1 } = options;
  if (widthMultiplier !== 1) {
    throw new InvalidModelOptionError(`ImageNet weights exist only for the full-width VGG16, but widthMultiplier is ${widthMultiplier}; use 1 or the 'random' base.`);
  }
  if (includeTop && (inputShape[0] !== 224 || inputShape[1] !== 224 || inputShape[2] !== 3)) {
    throw new WeightsMismatchError(
      `ImageNet top weights need a 224x224x3 input (fc1 expects 7x7x512) but the model takes ${inputShape.join("x")}; use 224x224 or includeTop: false with the pooled head.`,
    );
  }
  const file = await imagenetFile(includeTop, options);
  const model = vgg16({ includeTop, inputShape, classes: 1000 });
  try {
    await loadKerasH5(model, file);
  } catch (error) {
    model.dispose();
    throw error;
  }
  const { sha256 } = await hashFile(file, ["sha256"]);
  return { model, baseWeightsHash: sha256 };
}

export async function loadBase(spec: BaseSpec, options: LoadBaseOptions = {}): Promise<LoadedBase> {
  if (spec === IMAGENET_BASE) return loadImagenet(options);
  if (spec === RANDOM_BASE) {
    const { includeTop = true, inputShape, widthMultiplier = 1, seed = 0 } = options;
    const model = vgg16({ includeTop, inputShape, widthMultiplier, seed });
    return { model, baseWeightsHash: `random:${seed}${widthMultiplier === 1 ? "" : `@w${widthMultiplier}`}` };
  }
  if (!fs.existsSync(spec) || !fs.statSync(spec).isDirectory()) {
    throw new InvalidModelOptionError(`Unknown base '${spec}'; use '${IMAGENET_BASE}', '${RANDOM_BASE}' or the folder of a Thaw checkpoint.`);
  }
  const { model, meta, sha256 } = await loadCheckpoint(spec);
  return { model, baseWeightsHash: sha256, checkpointMeta: meta };
}
