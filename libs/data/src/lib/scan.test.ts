import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatasetLayoutError, DatasetNotFoundError, InvalidOptionError } from "./errors.ts";
import { scanDirectory } from "./scan.ts";
import { buildMessyDataset, removeTempDirs, tempDir, write } from "./testing/fixtures.ts";

describe("scanDirectory", () => {
  afterAll(removeTempDirs);
  let messy: string;
  let expected: Awaited<ReturnType<typeof buildMessyDataset>>;
  beforeAll(async () => {
    messy = tempDir("scan");
    expected = await buildMessyDataset(messy);
  });

  it("finds classes, images recursively with any-case extensions, and counts what it ignores", async () => {
    const scan = await scanDirectory(messy);
    expect(scan.layout).toBe("class-folders");
    expect(scan.classNames).toEqual(["cat", "dog"]);
    expect(scan.classIndices).toEqual({ cat: 0, dog: 1 });
    expect(scan.subsets.training.map((e) => e.relPath)).toEqual([
      "cat/a.jpg",
      "cat/b.PNG",
      "cat/c.webp",
      "cat/d.gif",
      "cat/f.JPEG",
      "cat/g.bmp",
      "cat/nested/deeper/e.tif",
      "cat/zero.jpg",
      "dog/a.png",
      "dog/b.jpg",
      "dog/c.jpg",
      "dog/d.jpg",
      "dog/e.TIFF",
      "dog/f.jpeg",
      "dog/g.png",
      "dog/h.png",
    ]);
    expect(scan.subsets.training.every((e) => e.label === (e.relPath.startsWith("cat/") ? 0 : 1))).toBe(true);
    expect(scan.subsets.training[6].path).toBe(path.join(messy, "cat", "nested", "deeper", "e.tif"));
    expect(scan.counts).toEqual({ training: [8, 8], validation: [0, 0], test: [0, 0] });
    expect(scan.ignored).toEqual({ hidden: expected.hidden, nonImage: expected.nonImage, unlabelled: [] });
  });

  it("sorts class names by code point as Keras does, and keeps empty classes with a zero count", async () => {
    const root = tempDir("order");
    // U+1F600 sorts after U+FB00 by code point, before it by UTF-16 unit (JavaScript's default).
    for (const name of ["ant", "\u{1F600}", "Zebra", "émeu", "bee", "\uFB00", "constructor"]) mkdirSync(path.join(root, name));
    for (const name of ["ant", "Zebra", "émeu", "\u{1F600}"]) write(path.join(root, name, "x.png"), "");
    const scan = await scanDirectory(root);
    expect(scan.layout).toBe("class-folders");
    expect(scan.classNames).toEqual(["Zebra", "ant", "bee", "constructor", "émeu", "\uFB00", "\u{1F600}"]);
    expect(scan.counts.training).toEqual([1, 1, 0, 0, 1, 0, 1]);
  });

  it("splits validation per class by seed, deterministically and without overlap", async () => {
    const root = tempDir("split");
    for (const [name, n] of [["a", 10], ["b", 20], ["c", 4]] as const) {
      for (let i = 0; i < n; i++) write(path.join(root, name, `${String(i).padStart(2, "0")}.png`), "");
    }
    const first = await scanDirectory(root, { validationSplit: 0.25, seed: 7 });
    const again = await scanDirectory(root, { validationSplit: 0.25, seed: 7 });
    const other = await scanDirectory(root, { validationSplit: 0.25, seed: 8 });
    expect(first.counts.validation).toEqual([3, 5, 1]);
    expect(first.counts.training).toEqual([7, 15, 3]);
    const val = first.subsets.validation.map((e) => e.relPath);
    const train = first.subsets.training.map((e) => e.relPath);
    expect(val.filter((r) => train.includes(r))).toEqual([]);
    expect([...val, ...train].sort()).toHaveLength(34);
    expect(again.subsets.validation.map((e) => e.relPath)).toEqual(val);
    expect(other.subsets.validation.map((e) => e.relPath)).not.toEqual(val);
    // Not Keras' "first fraction of each class" (split: "keras"): the held-out files are spread out.
    expect(val.filter((r) => r.startsWith("b/"))).not.toEqual(["b/15.png", "b/16.png", "b/17.png", "b/18.png", "b/19.png"]);
  });

  it("reads the train/test layout and carves validation from train only", async () => {
    const root = tempDir("layout");
    for (const cls of ["cat", "dog"]) {
      for (let i = 0; i < 6; i++) write(path.join(root, "train", cls, `${cls}.${i}.jpg`), "");
      for (let i = 0; i < 3; i++) write(path.join(root, "test", cls, `${cls}.${i}.jpg`), "");
    }
    write(path.join(root, "train", "stray.jpg"), "");
    const scan = await scanDirectory(root, { validationSplit: 0.5, seed: 1 });
    expect(scan.layout).toBe("split-folders");
    expect(scan.classNames).toEqual(["cat", "dog"]);
    expect(scan.counts).toEqual({ training: [3, 3], validation: [3, 3], test: [3, 3] });
    expect(scan.subsets.test[0].relPath).toBe("test/cat/cat.0.jpg");
    expect(scan.ignored.unlabelled).toEqual(["train/stray.jpg"]);
  });

  it("follows symlinked class folders once, even through a cycle", async () => {
    const root = tempDir("links");
    write(path.join(root, "real", "cat", "a.png"), "");
    mkdirSync(path.join(root, "data"));
    symlinkSync(path.join(root, "real", "cat"), path.join(root, "data", "cat"));
    symlinkSync(path.join(root, "real", "cat"), path.join(root, "real", "cat", "loop"));
    const scan = await scanDirectory(path.join(root, "data"));
    expect(scan.subsets.training.map((e) => e.relPath)).toEqual(["cat/a.png"]);
  });

  it("explains layouts it cannot read", async () => {
    await expect(scanDirectory(path.join(tempDir("none"), "missing"))).rejects.toThrow(DatasetNotFoundError);

    const flat = tempDir("flat");
    write(path.join(flat, "cat.1.jpg"), "");
    await expect(scanDirectory(flat)).rejects.toThrow(/has no class sub-folders; move its images into one sub-folder per class/);

    const unlabelledTest = tempDir("flat-test");
    write(path.join(unlabelledTest, "train", "cat", "a.jpg"), "");
    write(path.join(unlabelledTest, "test", "1.jpg"), "");
    await expect(scanDirectory(unlabelledTest)).rejects.toThrow(/has images in test\/ without class sub-folders/);

    const extraClass = tempDir("extra");
    write(path.join(extraClass, "train", "cat", "a.jpg"), "");
    write(path.join(extraClass, "test", "cow", "a.jpg"), "");
    await expect(scanDirectory(extraClass)).rejects.toThrow(/class folders in test\/ that train\/ lacks \(cow\)/);

    const stray = tempDir("stray");
    write(path.join(stray, "train", "cat", "a.jpg"), "");
    write(path.join(stray, "test1", "a.jpg"), "");
    await expect(scanDirectory(stray)).rejects.toThrow(DatasetLayoutError);
    // Names that are also Object.prototype keys are folders like any other.
    const protoName = tempDir("proto");
    write(path.join(protoName, "train", "cat", "a.jpg"), "");
    write(path.join(protoName, "constructor", "a.jpg"), "");
    await expect(scanDirectory(protoName)).rejects.toThrow(/has train\/ next to constructor\//);

    const ownValidation = tempDir("own-val");
    write(path.join(ownValidation, "train", "cat", "a.jpg"), "");
    write(path.join(ownValidation, "validation", "cat", "b.jpg"), "");
    await expect(scanDirectory(ownValidation, { validationSplit: 0.2 })).rejects.toThrow(/already has a validation\/ folder; drop validationSplit/);
    expect((await scanDirectory(ownValidation)).counts.validation).toEqual([1]);

    await expect(scanDirectory(messy, { validationSplit: 1 })).rejects.toThrow(InvalidOptionError);
    await expect(scanDirectory(messy, { seed: -1 })).rejects.toThrow(/Option seed is -1; pass a non-negative integer/);
  });

  it("lists, orders and splits files exactly as Keras' flow_from_directory when kerasCompatible", async () => {
    // Recorded by testing/keras/record-listing.py, which walks the same tree with Keras' rules.
    const keras = JSON.parse(readFileSync(path.join(import.meta.dirname, "testing", "keras", "listing.json"), "utf8")) as {
      files: string[];
      links: [string, string][];
      emptyFolders: string[];
      validationSplit: number;
      classes: string[];
      training: string[];
      validation: string[];
    };
    const root = tempDir("keras-listing");
    for (const rel of keras.files) write(path.join(root, rel), "");
    for (const [link, target] of keras.links) symlinkSync(target, path.join(root, link));
    for (const folder of keras.emptyFolders) mkdirSync(path.join(root, folder));

    const scan = await scanDirectory(root, { kerasCompatible: true, validationSplit: keras.validationSplit });
    expect(scan.split).toBe("keras");
    expect(scan.classNames).toEqual(keras.classes);
    expect(scan.subsets.training.map((e) => e.relPath)).toEqual(keras.training);
    expect(scan.subsets.validation.map((e) => e.relPath)).toEqual(keras.validation);

    // Thaw's defaults differ on every point the switch covers.
    const thaw = await scanDirectory(root, { validationSplit: keras.validationSplit });
    const thawFiles = [...thaw.subsets.training, ...thaw.subsets.validation].map((e) => e.relPath);
    expect(thaw.classNames).not.toContain(".ipynb_checkpoints");
    expect(thawFiles).toEqual(expect.arrayContaining(["cat/c.gif", "cat/d.webp", "cat/e.ppm", "cat/linkdir/o.jpg", "dog/zz-linked/p.jpg"]));
    expect(thawFiles).not.toContain("cat/.hidden.jpg");
    expect(thawFiles).not.toContain("cat/x.apng");
    // The split alone can be Keras' too, without changing the file set.
    const firstFraction = await scanDirectory(root, { validationSplit: keras.validationSplit, split: "keras" });
    expect(firstFraction.subsets.validation.map((e) => e.relPath).filter((r) => r.startsWith("dog/"))).toEqual(["dog/00.jpg", "dog/01.jpg", "dog/02.jpg"]);
    await expect(scanDirectory(root, { split: "last" as "keras" })).rejects.toThrow(/split is "last"; use one of "stratified", "keras"/);
  });

  it("holds out a test split once per dataset: seeded by testSeed, not by the run's seed, and before validation", async () => {
    const root = tempDir("test-split");
    for (const [name, n] of [["a", 20], ["b", 10]] as const) {
      for (let i = 0; i < n; i++) write(path.join(root, name, `${String(i).padStart(2, "0")}.png`), "");
    }
    const runA = await scanDirectory(root, { testSplit: 0.2, validationSplit: 0.25, seed: 1 });
    const runB = await scanDirectory(root, { testSplit: 0.2, validationSplit: 0.25, seed: 2 });
    expect(runA.counts.test).toEqual([4, 2]);
    expect(runA.counts.validation).toEqual([4, 2]);
    expect(runA.counts.training).toEqual([12, 6]);
    const testFiles = runA.subsets.test.map((e) => e.relPath);
    expect(runB.subsets.test.map((e) => e.relPath)).toEqual(testFiles);
    expect(runB.subsets.validation.map((e) => e.relPath)).not.toEqual(runA.subsets.validation.map((e) => e.relPath));
    const seen = [...runA.subsets.training, ...runA.subsets.validation].map((e) => e.relPath);
    expect(seen.filter((r) => testFiles.includes(r))).toEqual([]);
    const other = await scanDirectory(root, { testSplit: 0.2, testSeed: 5 });
    expect(other.subsets.test.map((e) => e.relPath)).not.toEqual(testFiles);
    expect([other.testSplit, other.testSeed]).toEqual([0.2, 5]);

    const withFolder = tempDir("test-folder");
    write(path.join(withFolder, "train", "cat", "a.jpg"), "");
    write(path.join(withFolder, "test", "cat", "b.jpg"), "");
    await expect(scanDirectory(withFolder, { testSplit: 0.2 })).rejects.toThrow(/already has a test\/ folder; drop testSplit/);
    await expect(scanDirectory(root, { testSplit: 1 })).rejects.toThrow(/testSplit is 1; pass a fraction/);
  });
});
