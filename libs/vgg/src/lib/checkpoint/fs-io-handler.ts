// TF.js' layers format (model.json + binary weight shards) on the local file system,
// without tfjs-node: `model.save(fsHandler(dir))`, `loadLayersModel(fsHandler(dir))`.
import fs from "node:fs";
import path from "node:path";
import { io } from "../tf.ts";
import { CheckpointError } from "../errors.ts";

export const MODEL_JSON = "model.json";
/** Shards small enough for a browser fetch yet few for VGG16's 553 MB. */
const DEFAULT_SHARD_BYTES = 64 * 1024 * 1024;

export interface FsHandlerOptions {
  /** Largest weight shard in bytes; default 64 MiB. */
  shardBytes?: number;
}

function shardName(i: number, n: number): string {
  return `group1-shard${i + 1}of${n}.bin`;
}

function toArrayBuffer(buf: Buffer): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

async function save(dir: string, artifacts: io.ModelArtifacts, shardBytes: number): Promise<io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new CheckpointError("Graph models in binary form cannot be saved as a Thaw checkpoint; save a layers model.");
  }
  await fs.promises.mkdir(dir, { recursive: true });
  const weights = new io.CompositeArrayBuffer(artifacts.weightData ?? new ArrayBuffer(0));
  const count = Math.max(1, Math.ceil(weights.byteLength / shardBytes));
  const paths = Array.from({ length: count }, (_, i) => shardName(i, count));
  for (let i = 0; i < count; i++) {
    const chunk = weights.slice(i * shardBytes, Math.min(weights.byteLength, (i + 1) * shardBytes));
    await fs.promises.writeFile(path.join(dir, paths[i]), new Uint8Array(chunk));
  }
  const modelJson: io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths, weights: artifacts.weightSpecs ?? [] }],
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
  };
  await fs.promises.writeFile(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: "JSON",
      weightDataBytes: weights.byteLength,
    },
  };
}

async function readModelJson(dir: string): Promise<io.ModelJSON> {
  const jsonPath = path.join(dir, MODEL_JSON);
  try {
    return JSON.parse(await fs.promises.readFile(jsonPath, "utf8")) as io.ModelJSON;
  } catch (error) {
    throw new CheckpointError(`Cannot read ${jsonPath} (${(error as Error).message}); pass a folder saved by Thaw or TF.js (model.json with its weight shards).`);
  }
}

async function load(dir: string): Promise<io.ModelArtifacts> {
  const modelJson = await readModelJson(dir);
  return io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const buffers: ArrayBuffer[] = [];
    for (const shard of manifest.flatMap((group) => group.paths)) {
      const shardPath = path.join(dir, shard);
      if (!fs.existsSync(shardPath)) {
        throw new CheckpointError(`Weight shard ${shardPath} listed in model.json is missing; copy the whole checkpoint folder.`);
      }
      buffers.push(toArrayBuffer(await fs.promises.readFile(shardPath)));
    }
    return [specs, buffers];
  });
}

/** An IOHandler saving to and loading from `dir` on the local disk. */
export function fsHandler(dir: string, options: FsHandlerOptions = {}): io.IOHandler {
  const shardBytes = options.shardBytes ?? DEFAULT_SHARD_BYTES;
  return { save: (artifacts) => save(dir, artifacts, shardBytes), load: () => load(dir) };
}

/** Files of a saved model in a stable order: model.json, then the shards in manifest order. */
export async function modelFiles(dir: string): Promise<string[]> {
  const modelJson = await readModelJson(dir);
  return [MODEL_JSON, ...modelJson.weightsManifest.flatMap((group) => group.paths)];
}
