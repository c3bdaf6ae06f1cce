// Prefix outputs on disk: one float32 file per image, named by the sha256 of its pixels,
// under a folder keyed by everything that decides them (dataset, frozen weights, frozen
// count, input size). Content keys make a stale entry impossible: other pixels, other key.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { FeatureCacheError } from "../errors.ts";
import { markInUse } from "./cache-folders.ts";
import { FillLock } from "./fill-lock.ts";

export const FEATURE_CACHE_FORMAT = "thaw-feature-cache@1";

export interface FeatureKey {
  datasetFingerprint: string;
  /** What the caller calls the base weights (e.g. the Keras file's hash), if known. */
  baseWeightsHash?: string;
  /** sha256 of the frozen layers' actual weights. */
  prefixWeightsHash: string;
  frozenLayers: number;
  inputSize: [number, number];
  featureShape: number[];
}

export class FeatureStore {
  readonly dir: string;
  private readonly featureLength: number;
  private readonly fill: FillLock;

  constructor(root: string, readonly key: FeatureKey) {
    const digest = crypto.createHash("sha256").update(JSON.stringify({ format: FEATURE_CACHE_FORMAT, ...key })).digest("hex");
    this.dir = path.join(path.resolve(root), digest.slice(0, 32));
    this.featureLength = key.featureShape.reduce((a, b) => a * b, 1);
    fs.mkdirSync(this.dir, { recursive: true });
    const meta = path.join(this.dir, "meta.json");
    if (!fs.existsSync(meta)) fs.writeFileSync(meta, JSON.stringify({ format: FEATURE_CACHE_FORMAT, ...key }, null, 2));
    // In use while this process lives: LRU eviction leaves the folder alone.
    markInUse(this.dir);
    this.fill = new FillLock(this.dir);
  }

  /** sha256 of one image's pixel bytes and shape: the entry's name. */
  static imageKey(pixels: Float32Array, shape: readonly number[]): string {
    return crypto.createHash("sha256").update(shape.join("x")).update(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength)).digest("hex");
  }

  private file(imageKey: string): string {
    return path.join(this.dir, imageKey.slice(0, 2), `${imageKey}.f32`);
  }

  /**
   * The cached features, or undefined when absent or of the wrong size: then this process
   * computes them. While another process fills this folder, an absent entry is waited for
   * rather than computed twice.
   */
  async read(imageKey: string): Promise<Float32Array | undefined> {
    const file = this.file(imageKey);
    if (!fs.existsSync(file) && !this.fill.tryTake()) {
      if (!(await this.fill.waitFor(file))) {
        this.fill.tryTake();
        return undefined;
      }
    }
    let bytes: Buffer;
    try {
      bytes = await fs.promises.readFile(file);
    } catch {
      return undefined;
    }
    if (bytes.byteLength !== this.featureLength * 4) return undefined;
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }

  /** Writes through a temporary file and a rename, so concurrent runs never see half an entry. */
  async write(imageKey: string, features: Float32Array): Promise<void> {
    if (features.length !== this.featureLength) {
      throw new FeatureCacheError(`Features of ${features.length} values do not match the cache's ${this.featureLength}; clear ${this.dir} and retry.`);
    }
    const target = this.file(imageKey);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
    await fs.promises.writeFile(temp, Buffer.from(features.buffer, features.byteOffset, features.byteLength));
    await fs.promises.rename(temp, target);
    this.fill.refresh();
  }
}
