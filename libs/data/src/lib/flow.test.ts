import { rmSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClassUnreadableError, InvalidOptionError } from "./errors.ts";
import { flowFromDirectory, type Batch } from "./flow.ts";
import { scanDirectory } from "./scan.ts";
import { synthesizeDataset } from "./synthesize.ts";
import { buildMessyDataset, MESSY, pattern, removeTempDirs, tempDir, write } from "./testing/fixtures.ts";

async function collect(iterable: AsyncIterable<Batch>): Promise<Batch[]> {
  const batches: Batch[] = [];
  for await (const batch of iterable) batches.push(batch);
  return batches;
}

describe("flowFromDirectory", () => {
  afterAll(removeTempDirs);
  let messy: string;
  let bad: string[];
  let shapes: string;
  beforeAll(async () => {
    messy = tempDir("flow-messy");
    bad = (await buildMessyDataset(messy)).bad;
    shapes = tempDir("flow-shapes");
    await synthesizeDataset(shapes, { classes: 3, perClass: 12, size: 16, seed: 5 });
  });

  it("yields NHWC batches with one-hot labels and skips exactly the unreadable files", async () => {
    const flow = await flowFromDirectory(messy, { targetSize: [MESSY.height, MESSY.width], batchSize: 5, shuffle: false });
    expect(flow.classNames).toEqual(["cat", "dog"]);
    expect(flow.batchesPerEpoch).toBe(4);
    const batches = await collect(flow);
    const seen = batches.flatMap((b) => b.paths.map((p) => path.relative(messy, p).split(path.sep).join("/")));
    expect(seen).toHaveLength(13);
    expect(flow.skipped.map((s) => s.relPath).sort()).toEqual(bad);
    expect(batches.flatMap((b) => b.skipped.map((s) => s.relPath)).sort()).toEqual(bad);
    expect(flow.skipped.find((s) => s.relPath === "dog/c.jpg")?.reason).toMatch(/premature end of JPEG/);
    for (const batch of batches) {
      const [n, h, w, c] = batch.shape;
      expect([h, w, c]).toEqual([MESSY.height, MESSY.width, 3]);
      expect(batch.x.length).toBe(n * h * w * 3);
      expect(batch.y.length).toBe(n * 2);
      batch.labels.forEach((label, i) => {
        expect(label).toBe(batch.paths[i].includes(`${path.sep}dog${path.sep}`) ? 1 : 0);
        expect([...batch.y.subarray(i * 2, i * 2 + 2)]).toEqual(label === 0 ? [1, 0] : [0, 1]);
      });
    }
    // Pixels of a lossless file, wherever it landed in its batch, are the file's pixels.
    const webp = batches.find((b) => b.paths.some((p) => p.endsWith("c.webp"))) as Batch;
    const slot = webp.paths.findIndex((p) => p.endsWith("c.webp"));
    const size = MESSY.width * MESSY.height * 3;
    expect([...webp.x.subarray(slot * size, (slot + 1) * size)]).toEqual([...pattern(MESSY.width, MESSY.height, 3)]);
  });

  it("resizes with Pillow's nearest rule, checked on sharp's decode of a JPEG", async () => {
    // 16 -> 32 rows and 24 -> 16 columns: no sample centre falls exactly on an integer, where
    // Pillow's accumulated position can land either side (resize.test.ts covers those).
    const flow = await flowFromDirectory(messy, { targetSize: [32, 16], batchSize: 20, shuffle: false });
    const [batch] = await collect(flow);
    const file = path.join(messy, "cat", "a.jpg");
    const slot = batch.paths.indexOf(file);
    const { data } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    const expected: number[] = [];
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 16; x++) {
        const sy = Math.floor(((y + 0.5) * MESSY.height) / 32);
        const sx = Math.floor(((x + 0.5) * MESSY.width) / 16);
        for (let c = 0; c < 3; c++) expected.push(data[(sy * MESSY.width + sx) * 3 + c]);
      }
    }
    expect([...batch.x.subarray(slot * 1536, (slot + 1) * 1536)]).toEqual(expected);
  });

  it("names the class when every one of its files fails", async () => {
    const root = tempDir("flow-dead-class");
    write(path.join(root, "good", "a.png"), await sharp(pattern(4, 4), { raw: { width: 4, height: 4, channels: 3 } }).png().toBuffer());
    write(path.join(root, "broken", "a.jpg"), "");
    write(path.join(root, "broken", "b.png"), "text");
    const flow = await flowFromDirectory(root, { targetSize: [4, 4], batchSize: 1, seed: 1 });
    const error = await collect(flow).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClassUnreadableError);
    expect((error as Error).message).toMatch(/Every one of the 2 images of class "broken" failed to decode \(e\.g\. broken\/(a\.jpg: empty file|b\.png: .*)\)/);
    // A caller that catches and goes on is stopped again at the next epoch, before any decoding.
    await expect(collect(flow)).rejects.toThrow(ClassUnreadableError);
  });

  it("gives the same order for the same seed and epoch, a new order each epoch", async () => {
    const order = async (seed: number, epoch: number) => (await collect((await flowFromDirectory(shapes, { targetSize: [8, 8], batchSize: 8, seed })).epoch(epoch))).flatMap((b) => b.paths);
    const a0 = await order(1, 0);
    expect(await order(1, 0)).toEqual(a0);
    expect(a0).toHaveLength(36);
    expect(await order(1, 1)).not.toEqual(a0);
    expect(await order(2, 0)).not.toEqual(a0);
    expect([...a0].sort()).toEqual((await scanDirectory(shapes)).subsets.training.map((e) => e.path).sort());

    // Iterating the flow itself runs epochs 0, 1, ...
    const flow = await flowFromDirectory(shapes, { targetSize: [8, 8], batchSize: 8, seed: 1 });
    expect((await collect(flow)).flatMap((b) => b.paths)).toEqual(a0);
    expect((await collect(flow)).flatMap((b) => b.paths)).toEqual(await order(1, 1));
  });

  it("splits training and validation from one scan without overlap", async () => {
    const scan = await scanDirectory(shapes, { validationSplit: 0.25, seed: 3 });
    const train = await flowFromDirectory(scan, { targetSize: [8, 8], subset: "training", seed: 9 });
    const validation = await flowFromDirectory(scan, { targetSize: [8, 8], subset: "validation", shuffle: false });
    const t = (await collect(train)).flatMap((b) => b.paths);
    const v = (await collect(validation)).flatMap((b) => b.paths);
    expect([t.length, v.length]).toEqual([27, 9]);
    expect(t.filter((p) => v.includes(p))).toEqual([]);
    expect(v).toEqual(scan.subsets.validation.map((e) => e.path));
    expect((await collect(validation)).flatMap((b) => b.labels)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });

  it("augments deterministically by seed; a flip-only flow mirrors about half the images", async () => {
    const plain = (await collect(await flowFromDirectory(shapes, { targetSize: [16, 16], shuffle: false, batchSize: 36 })))[0];
    const flipFlow = await flowFromDirectory(shapes, { targetSize: [16, 16], shuffle: false, batchSize: 36, seed: 4, augment: { flip: true } });
    const flipped = (await collect(flipFlow))[0];
    const size = 16 * 16 * 3;
    let mirrored = 0;
    for (let i = 0; i < 36; i++) {
      const a = plain.x.subarray(i * size, (i + 1) * size);
      const b = flipped.x.subarray(i * size, (i + 1) * size);
      const mirror = new Float32Array(size);
      for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) for (let c = 0; c < 3; c++) mirror[(y * 16 + x) * 3 + c] = a[(y * 16 + 15 - x) * 3 + c];
      const same = b.every((v, j) => v === a[j]);
      const isMirror = b.every((v, j) => v === mirror[j]);
      expect(same || isMirror).toBe(true);
      if (isMirror && !same) mirrored++;
    }
    expect(mirrored).toBeGreaterThan(8);
    expect(mirrored).toBeLessThan(28);

    const full = async (seed: number) => (await collect(await flowFromDirectory(shapes, { targetSize: [16, 16], shuffle: false, batchSize: 36, seed, augment: true })))[0].x;
    const first = await full(4);
    expect([...(await full(4))]).toEqual([...first]);
    expect([...(await full(5))]).not.toEqual([...first]);
    expect([...first]).not.toEqual([...plain.x]);
    expect(first.every((v) => v >= 0 && v <= 255)).toBe(true);
  });

  it("decodes exactly `prefetch` batches ahead while the consumer holds one", async () => {
    const root = tempDir("flow-prefetch");
    await synthesizeDataset(root, { classes: ["only"], perClass: 20, size: 8 });
    const flow = await flowFromDirectory(root, { targetSize: [8, 8], batchSize: 2, shuffle: false, prefetch: 2 });
    const iterator = flow[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    // Let the read-ahead settle, then remove every file: only what was already decoded survives.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    rmSync(path.join(root, "only"), { recursive: true });
    const later: string[][] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) later.push(next.value.paths.map((p) => path.basename(p)));
    // Sorted by code point: only.0, only.1, only.10, only.11, ...
    expect(later).toEqual([["only.10.png", "only.11.png"], ["only.12.png", "only.13.png"]]);
    expect(flow.skipped).toHaveLength(14);
    expect(flow.skipped[0].reason).toBe("ENOENT");
  });

  it("stops cleanly when the consumer stops early, and can run the next epoch", async () => {
    const flow = await flowFromDirectory(shapes, { targetSize: [8, 8], batchSize: 4, seed: 1, prefetch: 3 });
    for await (const batch of flow) {
      expect(batch.batchIndex).toBe(0);
      break;
    }
    expect((await collect(flow)).length).toBe(9);
  });

  it("rejects bad options with the fix", async () => {
    await expect(flowFromDirectory(shapes, { targetSize: [8, 8], batchSize: 0 })).rejects.toThrow(/Option batchSize is 0; pass an integer from 1/);
    await expect(flowFromDirectory(shapes, { targetSize: [8, 8], subset: "test" })).rejects.toThrow(/"test" has no images .*; add a test\/ folder/);
    await expect(flowFromDirectory(shapes, { targetSize: [8, 8], subset: "validation" })).rejects.toThrow(/pass validationSplit > 0/);
    await expect(flowFromDirectory(shapes, { targetSize: [8, 8], subset: "train" as "training" })).rejects.toThrow(/subset is "train"; use one of "training", "validation", "test"/);
    await expect(flowFromDirectory(shapes, { targetSize: [8] as unknown as [number, number] })).rejects.toThrow(InvalidOptionError);
    await expect(flowFromDirectory(shapes, { targetSize: [8, 8], augment: { zoom: 2 } })).rejects.toThrow(/augment\.zoom is 2/);
    const scan = await scanDirectory(shapes, { validationSplit: 0.25 });
    await expect(flowFromDirectory(scan, { targetSize: [8, 8], validationSplit: 0.5 })).rejects.toThrow(/validationSplit differs from the scan's/);
  });
});
