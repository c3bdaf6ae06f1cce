// A Thaw checkpoint: a folder with the TF.js layers model (model.json + shards) and
// thaw.json, the metadata prediction needs to preprocess and label exactly as training did.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { tf, type LayersModel } from "../tf.ts";
import { CheckpointError } from "../errors.ts";
import { PREPROCESSING, type Preprocessing } from "../preprocess.ts";
import { freezeLayers } from "../model/freeze.ts";
import { type TransferHead } from "../model/transfer.ts";
import { fsHandler, modelFiles } from "./fs-io-handler.ts";

export const CHECKPOINT_FORMAT = "thaw-checkpoint@1";
export const META_JSON = "thaw.json";

export interface CheckpointMeta {
  format: typeof CHECKPOINT_FORMAT;
  /** Class names in output order (index = position). */
  classNames: string[];
  /** [height, width] the model takes. */
  inputSize: [number, number];
  preprocessing: Preprocessing;
  /** What the run started from: 'vgg16-imagenet', 'random' or a checkpoint folder. */
  base: string;
  baseWeightsHash: string;
  /** Keras' N of layers[:N]. */
  frozenLayers: number;
  head: TransferHead;
  widthMultiplier: number;
  datasetFingerprint: string;
  epoch: number;
  metrics: Record<string, number>;
}

/** What the caller provides; format, preprocessing and input size are filled in. */
export type CheckpointMetaInput = Omit<CheckpointMeta, "format" | "preprocessing" | "inputSize">;

export interface SavedCheckpoint {
  path: string;
  sizeBytes: number;
  sha256: string;
}

export interface LoadedCheckpoint extends SavedCheckpoint {
  model: LayersModel;
  meta: CheckpointMeta;
}

/** Input [height, width] of a model whose input is NHWC. */
export function modelInputSize(model: LayersModel): [number, number] {
  const shape = model.inputs[0].shape;
  return [shape[1] ?? 0, shape[2] ?? 0];
}

/** sha256 over every file (name and bytes) in a fixed order, plus their total size. */
export async function hashCheckpoint(dir: string): Promise<{ sha256: string; sizeBytes: number }> {
  const hash = crypto.createHash("sha256");
  let sizeBytes = 0;
  for (const name of [...(await modelFiles(dir)), META_JSON]) {
    const bytes = await fs.promises.readFile(path.join(dir, name));
    hash.update(`${name}\0${bytes.byteLength}\0`);
    hash.update(bytes);
    sizeBytes += bytes.byteLength;
  }
  return { sha256: hash.digest("hex"), sizeBytes };
}

/**
 * Writes the checkpoint into a fresh sibling folder, then swaps it in, so a crash never
 * leaves a half-written checkpoint under `dir`.
 */
export async function saveCheckpoint(model: LayersModel, dir: string, metaInput: CheckpointMetaInput): Promise<SavedCheckpoint> {
  const units = model.outputs[0].shape[model.outputs[0].shape.length - 1];
  if (metaInput.classNames.length !== units) {
    throw new CheckpointError(`The model has ${units} outputs but ${metaInput.classNames.length} class names were given; pass one name per output.`);
  }
  const meta: CheckpointMeta = { format: CHECKPOINT_FORMAT, ...metaInput, inputSize: modelInputSize(model), preprocessing: PREPROCESSING };
  const target = path.resolve(dir);
  const staging = `${target}.saving-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
  try {
    await model.save(fsHandler(staging));
    await fs.promises.writeFile(path.join(staging, META_JSON), `${JSON.stringify(meta, null, 2)}\n`);
    const { sha256, sizeBytes } = await hashCheckpoint(staging);
    const old = `${staging}.old`;
    const hadOld = fs.existsSync(target);
    if (hadOld) await fs.promises.rename(target, old);
    try {
      await fs.promises.rename(staging, target);
    } catch (error) {
      if (hadOld) await fs.promises.rename(old, target);
      throw error;
    }
    if (hadOld) await fs.promises.rm(old, { recursive: true, force: true });
    return { path: target, sizeBytes, sha256 };
  } finally {
    await fs.promises.rm(staging, { recursive: true, force: true });
  }
}

/** The one reader of a checkpoint's thaw.json: refuses a folder without it or of another format. */
export function readCheckpointMeta(dir: string): CheckpointMeta {
  const file = path.join(dir, META_JSON);
  if (!fs.existsSync(file)) {
    throw new CheckpointError(`${dir} is not a Thaw checkpoint (no ${META_JSON}); give a checkpoint folder a Thaw run wrote.`);
  }
  const meta = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<CheckpointMeta>;
  if (meta.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`${file} has format '${String(meta.format)}', not '${CHECKPOINT_FORMAT}'; re-save the model with this version of Thaw.`);
  }
  if (meta.preprocessing !== PREPROCESSING) {
    throw new CheckpointError(`${file} asks for preprocessing '${String(meta.preprocessing)}' but Thaw only knows '${PREPROCESSING}'; re-save the model with this version of Thaw.`);
  }
  return meta as CheckpointMeta;
}

/** Loads a checkpoint and re-applies `layers[:frozenLayers]` so training resumes as saved. */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const target = path.resolve(dir);
  const meta = readCheckpointMeta(target);
  const { sha256, sizeBytes } = await hashCheckpoint(target);
  const model = await tf.loadLayersModel(fsHandler(target));
  freezeLayers(model, meta.frozenLayers);
  return { model, meta, path: target, sha256, sizeBytes };
}
