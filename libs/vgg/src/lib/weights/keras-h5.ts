// Reads Keras' HDF5 weight files (legacy_h5_format: root attr `layer_names`, one group
// per layer with attr `weight_names`) into a TF.js model, matching layers by name.
import path from "node:path";
import { tf, type LayersModel, type Tensor } from "../tf.ts";
import { WeightsMismatchError } from "../errors.ts";
import { loadH5, type H5Dataset, type H5Group } from "./h5.ts";

export interface LoadKerasH5Options {
  /** Read datasets larger than this in row slices, so fc1 (411 MB) never sits in the wasm heap whole. */
  maxChunkBytes?: number;
}

export interface LoadKerasH5Result {
  /** Names of the model layers whose weights were set, in model order. */
  loadedLayers: string[];
}

const DEFAULT_MAX_CHUNK_BYTES = 64 * 1024 * 1024;

/** Keras splits attributes over 64 KB into `name0`, `name1`, ...; read either form. */
export function readStringListAttr(group: H5Group, name: string): string[] {
  const attrs = group.attrs;
  const parts = name in attrs ? [attrs[name]] : [];
  if (parts.length === 0) for (let i = 0; `${name}${i}` in attrs; i++) parts.push(attrs[`${name}${i}`]);
  const values: string[] = [];
  for (const part of parts) {
    const value = part.value;
    // A layer without weights stores an empty numeric array, not an empty string list.
    if (Array.isArray(value)) values.push(...value.map((v) => String(v).replace(/\0+$/, "")));
    else if (typeof value === "string") values.push(value.replace(/\0+$/, ""));
  }
  return values;
}

function readFloat32(dataset: H5Dataset, maxChunkBytes: number): Float32Array {
  const shape = dataset.shape ?? [];
  const size = shape.reduce((a, b) => a * b, 1);
  const rowSize = shape.length > 0 ? size / shape[0] : size;
  const bytesPerValue = dataset.metadata.size;
  const rowsPerChunk = Math.max(1, Math.floor(maxChunkBytes / Math.max(1, rowSize * bytesPerValue)));
  if (shape.length === 0 || rowsPerChunk >= shape[0]) return Float32Array.from(dataset.value as ArrayLike<number>);
  const out = new Float32Array(size);
  for (let start = 0; start < shape[0]; start += rowsPerChunk) {
    const end = Math.min(shape[0], start + rowsPerChunk);
    out.set(dataset.slice([[start, end]]) as ArrayLike<number>, start * rowSize);
  }
  return out;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Sets the weights of every model layer that has weights from the group of the same name.
 * Layers in the file that the model lacks are ignored (a top file into a base); a model
 * layer missing from the file, a different weight count or a different shape is an error
 * naming the layer. Nothing is assigned unless every layer checks out.
 */
export async function loadKerasH5(model: LayersModel, filePath: string, options: LoadKerasH5Options = {}): Promise<LoadKerasH5Result> {
  const h5 = await loadH5();
  const maxChunkBytes = options.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES;
  const fileName = path.basename(filePath);
  const file = new h5.File(filePath, "r");
  const assignments: Array<{ layer: string; values: Tensor[] }> = [];
  try {
    // Newer Keras 2 files nest the layer groups under `model_weights`.
    const root = (file.get("model_weights") as H5Group | null) ?? file;
    const inFile = new Set(readStringListAttr(root, "layer_names"));
    for (const layer of model.layers) {
      const expected = layer.weights;
      if (expected.length === 0) continue;
      if (!inFile.has(layer.name)) {
        throw new WeightsMismatchError(`${fileName} has no weights for layer '${layer.name}'; use a weights file saved from the same architecture (with or without the top, as the model).`);
      }
      const group = root.get(layer.name) as H5Group;
      const weightNames = readStringListAttr(group, "weight_names");
      if (weightNames.length !== expected.length) {
        throw new WeightsMismatchError(`Layer '${layer.name}' has ${weightNames.length} weights in ${fileName} but the model expects ${expected.length}; use a file saved from the same architecture.`);
      }
      const values = weightNames.map((weightName, i) => {
        const dataset = group.get(weightName) as H5Dataset | null;
        const shape = dataset?.shape;
        if (!dataset || !shape) {
          throw new WeightsMismatchError(`Layer '${layer.name}' lists weight '${weightName}' in ${fileName} but the dataset is missing; the file is damaged, download it again.`);
        }
        if (!sameShape(shape, expected[i].shape as number[])) {
          throw new WeightsMismatchError(
            `Layer '${layer.name}' weight '${weightName}' has shape [${shape}] in ${fileName} but the model expects [${expected[i].shape}]; build the model with the input size, width and classes the file was saved with.`,
          );
        }
        return tf.tensor(readFloat32(dataset, maxChunkBytes), shape, "float32");
      });
      assignments.push({ layer: layer.name, values });
    }
  } catch (error) {
    assignments.forEach((a) => tf.dispose(a.values));
    throw error;
  } finally {
    file.close();
  }
  for (const { layer, values } of assignments) {
    model.getLayer(layer).setWeights(values);
    tf.dispose(values);
  }
  return { loadedLayers: assignments.map((a) => a.layer) };
}
