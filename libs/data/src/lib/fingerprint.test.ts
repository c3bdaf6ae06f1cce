import { createHash } from "node:crypto";
import { chmodSync, existsSync, readFileSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { FingerprintCacheError } from "./errors.ts";
import { fingerprintDataset } from "./fingerprint.ts";
import { scanDirectory } from "./scan.ts";
import { synthesizeDataset } from "./synthesize.ts";
import { removeTempDirs, tempDir } from "./testing/fixtures.ts";

/** Moves every file's mtime a minute back, as for a dataset copied in earlier. */
function age(dir: string, files: string[]): void {
  const past = new Date(Date.now() - 60_000);
  for (const f of files) utimesSync(path.join(dir, f), past, past);
}

describe("fingerprintDataset", () => {
  afterAll(removeTempDirs);
  let dir: string;
  let files: string[];
  beforeEach(async () => {
    dir = tempDir("fp");
    files = (await synthesizeDataset(dir, { classes: 2, perClass: { train: 4, test: 2 }, size: 12 })).files;
    age(dir, files);
  });

  it("hashes class names, relative paths and contents as documented", async () => {
    const result = await fingerprintDataset(dir);
    const expected = createHash("sha256").update("thaw-dataset-v1\n").update("classes\0circle\0square\n");
    for (const rel of [...files].sort()) expected.update(`${rel}\0${createHash("sha256").update(readFileSync(path.join(dir, rel))).digest("hex")}\n`);
    expect(result.fingerprint).toBe(expected.digest("hex"));
    expect(result.files).toBe(12);
    expect(result.bytes).toBe(files.reduce((n, f) => n + readFileSync(path.join(dir, f)).length, 0));
    expect(result.cacheFile).toBe(path.join(dir, ".thaw-cache", "fingerprint.json"));
  });

  it("reads no file twice when nothing changed, and the cache folder is not part of the dataset", async () => {
    const first = await fingerprintDataset(dir);
    expect([first.hashedFiles, first.cachedFiles]).toEqual([12, 0]);
    const scan = await scanDirectory(dir);
    expect(scan.ignored.hidden).toEqual([".thaw-cache"]);
    const second = await fingerprintDataset(scan);
    expect([second.hashedFiles, second.cachedFiles]).toEqual([0, 12]);
    expect(second.fingerprint).toBe(first.fingerprint);
  });

  it("changes when one byte of one image changes, even with the same size", async () => {
    const before = await fingerprintDataset(dir);
    const file = path.join(dir, files[3]);
    const bytes = readFileSync(file);
    bytes[bytes.length - 20] ^= 1;
    writeFileSync(file, bytes);
    const after = await fingerprintDataset(dir);
    expect(after.fingerprint).not.toBe(before.fingerprint);
    expect(after.hashedFiles).toBe(1);
    expect(after.bytes).toBe(before.bytes);
  });

  it("does not change when a file is touched without change", async () => {
    const before = await fingerprintDataset(dir);
    const now = new Date();
    utimesSync(path.join(dir, files[0]), now, now);
    const after = await fingerprintDataset(dir);
    expect(after.hashedFiles).toBe(1);
    expect(after.fingerprint).toBe(before.fingerprint);
  });

  it("re-reads a file modified moments before it was hashed (its mtime cannot be trusted yet)", async () => {
    const file = path.join(dir, files[1]);
    writeFileSync(file, readFileSync(file));
    await fingerprintDataset(dir);
    const again = await fingerprintDataset(dir);
    expect(again.hashedFiles).toBe(1);
  });

  it("changes when an image moves to another class or a class is added", async () => {
    const base = (await fingerprintDataset(dir)).fingerprint;
    const moved = path.join(dir, "train", "square", "circle.0.png");
    renameSync(path.join(dir, "train", "circle", "circle.0.png"), moved);
    expect((await fingerprintDataset(dir)).fingerprint).not.toBe(base);
    renameSync(moved, path.join(dir, "train", "circle", "circle.0.png"));
    expect((await fingerprintDataset(dir)).fingerprint).toBe(base);
    const other = tempDir("fp-other");
    await synthesizeDataset(other, { classes: ["circle", "square", "zzz"], perClass: { train: 4, test: 2 }, size: 12 });
    expect((await fingerprintDataset(other)).fingerprint).not.toBe(base);
  });

  it("keeps its cache where asked, and says so when it cannot write there", async () => {
    const cacheDir = path.join(tempDir("fp-cache"), "nested");
    const result = await fingerprintDataset(dir, { cacheDir });
    expect(result.cacheFile).toBe(path.join(cacheDir, "fingerprint.json"));
    expect(existsSync(path.join(dir, ".thaw-cache"))).toBe(false);
    const blocker = path.join(tempDir("fp-ro"), "file");
    writeFileSync(blocker, "");
    chmodSync(blocker, 0o444);
    await expect(fingerprintDataset(dir, { cacheDir: path.join(blocker, "sub") })).rejects.toThrow(FingerprintCacheError);
    await expect(fingerprintDataset(dir, { cacheDir: path.join(blocker, "sub") })).rejects.toThrow(/Could not write the fingerprint cache .* \(ENOTDIR\); pass a writable cacheDir/);
  });
});
