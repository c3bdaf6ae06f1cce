import { createHash } from "node:crypto";
import { createReadStream, promises as fs } from "node:fs";
import path from "node:path";
import { FingerprintCacheError } from "./errors.ts";
import { createLimiter } from "./limit.ts";
import { compareCodePoints } from "./random.ts";
import { scanDirectory, SUBSETS, type DatasetScan } from "./scan.ts";

export interface FingerprintOptions {
  /** Where fingerprint.json is kept. Default `<dataset>/.thaw-cache` (hidden, so scans ignore it). */
  cacheDir?: string;
}

export interface DatasetFingerprint {
  /** SHA-256 (hex) over the class names, every image's relative path and content hash, and the decode mode. */
  fingerprint: string;
  files: number;
  bytes: number;
  /** Files read and hashed in this call. */
  hashedFiles: number;
  /** Files whose hash came from the cache (same size and mtime). */
  cachedFiles: number;
  cacheFile: string;
}

interface CacheEntry {
  size: number;
  mtimeMs: number;
  /** When the file was read; an entry modified less than RACY_MS before that is not trusted. */
  hashedAtMs: number;
  sha256: string;
}

interface CacheFile {
  version: 1;
  files: Record<string, CacheEntry>;
}

/**
 * A file written in the same clock tick as it was hashed could change again without its mtime
 * changing (git's "racy clean" problem), so such entries are re-hashed next time.
 */
const RACY_MS = 2000;

/** Content fingerprint of a dataset; per-file hashes are cached by (size, mtime) so a re-scan reads only changed files. */
export async function fingerprintDataset(source: string | DatasetScan, options: FingerprintOptions = {}): Promise<DatasetFingerprint> {
  const scan = typeof source === "string" ? await scanDirectory(source) : source;
  const cacheFile = path.join(options.cacheDir ?? path.join(scan.root, ".thaw-cache"), "fingerprint.json");
  const cache = await readCache(cacheFile);
  const entries = SUBSETS.flatMap((subset) => scan.subsets[subset]).sort((a, b) => compareCodePoints(a.relPath, b.relPath));
  const limit = createLimiter(8);
  let hashedFiles = 0;
  const fresh: Record<string, CacheEntry> = {};
  await Promise.all(
    entries.map((entry) =>
      limit(async () => {
        const stat = await fs.stat(entry.path);
        const cached = cache.files[entry.relPath];
        if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs && cached.mtimeMs < cached.hashedAtMs - RACY_MS) {
          fresh[entry.relPath] = cached;
          return;
        }
        const hashedAtMs = Date.now();
        fresh[entry.relPath] = { size: stat.size, mtimeMs: stat.mtimeMs, hashedAtMs, sha256: await hashFile(entry.path) };
        hashedFiles++;
      }),
    ),
  );

  const dataset = createHash("sha256").update("thaw-dataset-v1\n").update(`classes\0${scan.classNames.join("\0")}\n`);
  // Keras-compatible scans decode without EXIF rotation: the same files give other pixels, so
  // caches keyed by this fingerprint must not be shared with the default mode.
  if (scan.kerasCompatible) dataset.update("decode keras-compatible\n");
  let bytes = 0;
  for (const entry of entries) {
    dataset.update(`${entry.relPath}\0${fresh[entry.relPath].sha256}\n`);
    bytes += fresh[entry.relPath].size;
  }
  await writeCache(cacheFile, { version: 1, files: Object.fromEntries(entries.map((e) => [e.relPath, fresh[e.relPath]])) });
  return { fingerprint: dataset.digest("hex"), files: entries.length, bytes, hashedFiles, cachedFiles: entries.length - hashedFiles, cacheFile };
}

function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/** A missing or unreadable cache is an empty one: it only saves time. */
async function readCache(file: string): Promise<CacheFile> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, "utf8")) as Partial<CacheFile>;
    if (parsed.version === 1 && parsed.files && typeof parsed.files === "object") return { version: 1, files: parsed.files };
  } catch {
    // fall through to an empty cache
  }
  return { version: 1, files: {} };
}

async function writeCache(file: string, cache: CacheFile): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(temp, JSON.stringify(cache));
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw new FingerprintCacheError(file, (error as NodeJS.ErrnoException).code ?? String(error));
  }
}
