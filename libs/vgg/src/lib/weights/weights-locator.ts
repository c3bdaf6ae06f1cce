// Finds Keras' VGG16 weight files where Keras keeps them, or downloads them from the URL
// Keras uses and checks Keras' published MD5, as keras.utils.get_file does.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { WeightsChecksumError, WeightsNotFoundError } from "../errors.ts";

export interface WeightFileSpec {
  file: string;
  md5: string;
}

export const KERAS_VGG16_URL = "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/";

export const VGG16_WEIGHT_FILES: { readonly top: WeightFileSpec; readonly notop: WeightFileSpec } = {
  top: { file: "vgg16_weights_tf_dim_ordering_tf_kernels.h5", md5: "64373286793e3c8b2b4e3219cbf3544b" },
  notop: { file: "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", md5: "6d6bbae143d832006294945121d1f1fc" },
};

export interface LocatorOptions {
  /** Environment to read THAW_WEIGHTS_DIR from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Home folder holding .keras/models; default os.homedir(). */
  homeDir?: string;
}

export interface FetchOptions extends LocatorOptions {
  /** Where the file is downloaded from; default Keras' URL prefix. */
  baseUrl?: string;
}

/** THAW_WEIGHTS_DIR first (when set), then Keras' cache ~/.keras/models. */
export function weightSearchDirs(options: LocatorOptions = {}): string[] {
  const env = options.env ?? process.env;
  const keras = path.join(options.homeDir ?? os.homedir(), ".keras", "models");
  return env.THAW_WEIGHTS_DIR ? [path.resolve(env.THAW_WEIGHTS_DIR), keras] : [keras];
}

export function vgg16WeightFile(includeTop: boolean): WeightFileSpec {
  return includeTop ? VGG16_WEIGHT_FILES.top : VGG16_WEIGHT_FILES.notop;
}

/** The first existing copy of `file` in the search folders, or null. */
export function locateWeightFile(file: string, options: LocatorOptions = {}): string | null {
  for (const dir of weightSearchDirs(options)) {
    const candidate = path.join(dir, file);
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

/** Hex digests of a file in one read. */
export async function hashFile(filePath: string, algorithms: readonly string[]): Promise<Record<string, string>> {
  const hashes = algorithms.map((a) => crypto.createHash(a));
  for await (const chunk of fs.createReadStream(filePath)) hashes.forEach((h) => h.update(chunk as Buffer));
  return Object.fromEntries(algorithms.map((a, i) => [a, hashes[i].digest("hex")]));
}

function notFoundMessage(spec: WeightFileSpec, url: string, options: LocatorOptions, cause: string): string {
  const dirs = weightSearchDirs(options);
  return `${spec.file} is not in ${dirs.join(" or ")} and downloading it from ${url} failed (${cause}); download it on a machine with network access and put it in ${dirs[0]}.`;
}

/** Streams `url` to `destPath` through a temporary file, keeping it only when the MD5 matches. */
export async function downloadVerified(url: string, destPath: string, md5: string): Promise<void> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
  await fs.promises.mkdir(path.dirname(destPath), { recursive: true });
  const partial = `${destPath}.part-${process.pid}`;
  const hash = crypto.createHash("md5");
  const body = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>);
  body.on("data", (chunk: Buffer) => hash.update(chunk));
  try {
    await pipeline(body, fs.createWriteStream(partial));
    const actual = hash.digest("hex");
    if (actual !== md5) {
      throw new WeightsChecksumError(`${url} downloaded with MD5 ${actual} but Keras publishes ${md5}; the download is damaged, try again.`);
    }
    await fs.promises.rename(partial, destPath);
  } finally {
    await fs.promises.rm(partial, { force: true });
  }
}

/**
 * Returns a local copy of `spec` whose MD5 matches: an existing one, or a fresh download
 * into the first search folder (a damaged existing copy is replaced, as Keras does).
 */
export async function ensureWeightFile(spec: WeightFileSpec, options: FetchOptions = {}): Promise<string> {
  const existing = locateWeightFile(spec.file, options);
  const existingMd5 = existing ? (await hashFile(existing, ["md5"])).md5 : undefined;
  if (existing && existingMd5 === spec.md5) return existing;
  const url = `${options.baseUrl ?? KERAS_VGG16_URL}${spec.file}`;
  const dest = existing ?? path.join(weightSearchDirs(options)[0], spec.file);
  try {
    await downloadVerified(url, dest, spec.md5);
  } catch (error) {
    if (error instanceof WeightsChecksumError) throw error;
    const cause = error instanceof Error ? ((error.cause as { code?: string } | undefined)?.code ?? error.message) : String(error);
    if (existing) {
      throw new WeightsChecksumError(
        `${existing} has MD5 ${existingMd5}, not Keras' ${spec.md5}, and downloading a fresh copy from ${url} failed (${cause}); replace it with a good copy of ${spec.file}.`,
      );
    }
    throw new WeightsNotFoundError(notFoundMessage(spec, url, options, cause));
  }
  return dest;
}

/** Keras' VGG16 ImageNet weights (with or without the top), found or downloaded and checked. */
export function fetchWeights(options: FetchOptions & { includeTop: boolean }): Promise<string> {
  return ensureWeightFile(vgg16WeightFile(options.includeTop), options);
}
