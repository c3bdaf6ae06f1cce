import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { InvalidOptionError } from "./errors.ts";
import { loadSplit } from "./load-split.ts";
import { scanDirectory } from "./scan.ts";
import { classStyles } from "./synth-draw.ts";
import { synthesizeDataset } from "./synthesize.ts";
import { removeTempDirs, tempDir } from "./testing/fixtures.ts";

function hashTree(dir: string, files: string[]): string {
  const hash = createHash("sha256");
  for (const rel of files) hash.update(rel).update(readFileSync(path.join(dir, rel)));
  return hash.digest("hex");
}

describe("synthesizeDataset", () => {
  afterAll(removeTempDirs);
  it("writes the class-folder layout that scanDirectory reads, Dogs-vs-Cats file names", async () => {
    const dir = tempDir("synth-flat");
    const result = await synthesizeDataset(dir, { classes: 3, perClass: 4, size: 20 });
    expect(result.classNames).toEqual(["circle", "square", "triangle"]);
    expect(result.layout).toBe("class-folders");
    expect(result.files).toHaveLength(12);
    expect(result.files[0]).toBe("circle/circle.0.png");
    const scan = await scanDirectory(dir);
    expect(scan.classNames).toEqual(["circle", "square", "triangle"]);
    expect(scan.counts.training).toEqual([4, 4, 4]);
    const meta = await sharp(path.join(dir, "square", "square.3.png")).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(["png", 20, 20, 3]);
  });

  it("writes train/ and test/ with named classes, as JPEG of a given size", async () => {
    const dir = tempDir("synth-split");
    const result = await synthesizeDataset(dir, { classes: ["dog", "cat"], perClass: { train: 3, test: 2 }, size: { width: 30, height: 20 }, format: "jpeg" });
    expect(result.layout).toBe("split-folders");
    const scan = await scanDirectory(dir);
    expect(scan.classNames).toEqual(["cat", "dog"]);
    expect(scan.counts).toEqual({ training: [3, 3], validation: [0, 0], test: [2, 2] });
    const meta = await sharp(path.join(dir, "test", "dog", "dog.1.jpg")).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", 30, 20]);
  });

  it("writes the same bytes for the same seed, other bytes for another, and keeps image i when counts change", async () => {
    const options = { classes: 2, perClass: 5, size: 24, seed: 3 } as const;
    const a = tempDir("synth-a");
    const b = tempDir("synth-b");
    const c = tempDir("synth-c");
    const d = tempDir("synth-d");
    const files = (await synthesizeDataset(a, options)).files;
    await synthesizeDataset(b, options);
    await synthesizeDataset(c, { ...options, seed: 4 });
    await synthesizeDataset(d, { ...options, perClass: 7 });
    expect(hashTree(b, files)).toBe(hashTree(a, files));
    expect(hashTree(c, files)).not.toBe(hashTree(a, files));
    expect(hashTree(d, files)).toBe(hashTree(a, files));
    // Every picture differs from every other.
    expect(new Set(files.map((f) => createHash("sha256").update(readFileSync(path.join(a, f))).digest("hex"))).size).toBe(files.length);
  });

  it("draws a class named after a shape as that shape, whatever its position", async () => {
    expect(classStyles(["cross", "ring"])).toEqual([5, 4]);
    expect(classStyles(["dog", "circle", "cat"])).toEqual([1, 0, 2]);
    const named = tempDir("synth-named");
    const counted = tempDir("synth-counted");
    await synthesizeDataset(named, { classes: ["ring", "zebra"], perClass: 2, size: 16 });
    await synthesizeDataset(counted, { classes: 6, perClass: 2, size: 16 });
    const rel = path.join("ring", "ring.1.png");
    expect(readFileSync(path.join(named, rel)).equals(readFileSync(path.join(counted, rel)))).toBe(true);
  });

  it("makes classes that differ but are not told apart by mean colour alone", async () => {
    const dir = tempDir("synth-hard");
    await synthesizeDataset(dir, { classes: 4, perClass: 30, size: 32, seed: 11 });
    const split = await loadSplit(dir, { targetSize: [32, 32] });
    const pixels = 32 * 32;
    const means = split.labels.map((_, i) => [0, 1, 2].map((c) => {
      let sum = 0;
      for (let p = 0; p < pixels; p++) sum += split.x[(i * pixels + p) * 3 + c];
      return sum / pixels;
    }));
    // Leave-one-out nearest class centroid on the mean colour.
    let correct = 0;
    means.forEach((m, i) => {
      const distances = [0, 1, 2, 3].map((label) => {
        const others = means.filter((_, j) => j !== i && split.labels[j] === label);
        const centroid = [0, 1, 2].map((c) => others.reduce((s, o) => s + o[c], 0) / others.length);
        return centroid.reduce((s, v, c) => s + (v - m[c]) ** 2, 0);
      });
      if (distances.indexOf(Math.min(...distances)) === split.labels[i]) correct++;
    });
    const accuracy = correct / means.length;
    expect(accuracy).toBeGreaterThan(0.25);
    expect(accuracy).toBeLessThan(0.6);
  });

  it("rejects options it cannot honour", async () => {
    const dir = tempDir("synth-bad");
    await expect(synthesizeDataset(dir, { classes: ["a", "a"], perClass: 1 })).rejects.toThrow(/Option classes is \["a","a"\]; pass distinct folder names/);
    await expect(synthesizeDataset(dir, { classes: [".x"], perClass: 1 })).rejects.toThrow(InvalidOptionError);
    await expect(synthesizeDataset(dir, { classes: 2, perClass: 0 })).rejects.toThrow(/Option perClass is 0/);
    await expect(synthesizeDataset(dir, { classes: 2, perClass: 1, format: "gif" as "png" })).rejects.toThrow(/format is "gif"; use one of "png", "jpeg"/);
  });
});
