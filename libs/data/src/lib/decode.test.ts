import { readFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeImage, readRgb } from "./decode.ts";
import { ImageDecodeError, InvalidOptionError } from "./errors.ts";
import { buildMessyDataset, encodeBmp24, encodeBmp8, MESSY, pattern, removeTempDirs, tempDir, write } from "./testing/fixtures.ts";

const { width: W, height: H } = MESSY;

/** The pattern as float RGB, optionally reduced to its first channel as grey. */
function expectedPattern(salt: number, greyOnly = false): number[] {
  const p = pattern(W, H, salt);
  if (!greyOnly) return [...p];
  return [...p].map((_, i) => p[i - (i % 3)]);
}

/** sharp's own decode, straight to sRGB raw, without any of decodeImage's handling. */
async function sharpRaw(file: string): Promise<{ data: number[]; width: number; height: number }> {
  const { data, info } = await sharp(file).toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
  return { data: [...data], width: info.width, height: info.height };
}

describe("decodeImage", () => {
  afterAll(removeTempDirs);
  let root: string;
  const at = (rel: string) => path.join(root, ...rel.split("/"));
  beforeAll(async () => {
    root = tempDir("decode");
    await buildMessyDataset(root);
  });

  it("returns the exact pixels of lossless files (PNG with alpha, WebP, TIFF, BMP, grey, 16-bit, palette)", async () => {
    const cases: [string, number, boolean][] = [
      ["cat/b.PNG", 2, false],
      ["cat/c.webp", 3, false],
      ["cat/nested/deeper/e.tif", 5, false],
      ["cat/g.bmp", 7, false],
      ["dog/a.png", 8, true],
      ["dog/e.TIFF", 10, false],
      ["dog/g.png", 12, false],
    ];
    for (const [rel, salt, greyOnly] of cases) {
      const image = await decodeImage(at(rel));
      expect([image.width, image.height], rel).toEqual([W, H]);
      expect(image.data).toBeInstanceOf(Float32Array);
      expect([...image.data], rel).toEqual(expectedPattern(salt, greyOnly));
    }
  });

  it("keeps the palette PNG's (quantised) colours and the GIF's first frame", async () => {
    const palette = await decodeImage(at("dog/h.png"));
    const reference = await sharpRaw(at("dog/h.png"));
    expect([...palette.data]).toEqual(reference.data);
    const gif = await decodeImage(at("cat/d.gif"));
    expect([gif.width, gif.height]).toEqual([W, H]);
    // The second frame is flat 200; the first is the pattern, quantised to GIF's palette.
    const first = await sharp(at("cat/d.gif")).removeAlpha().raw().toBuffer();
    expect(first.length).toBe(W * H * 3);
    expect([...gif.data]).toEqual([...first]);
    expect(gif.data.some((v) => v !== 200)).toBe(true);
  });

  it("decodes the JPEGs and the CMYK JPEG (their pixels are checked against Pillow in decode-pillow.test.ts)", async () => {
    for (const rel of ["cat/a.jpg", "dog/b.jpg", "dog/f.jpeg"]) {
      const ours = await decodeImage(at(rel));
      expect([ours.width, ours.height], rel).toEqual([W, H]);
    }
  });

  it("applies EXIF orientation 6 (rotate 90 degrees clockwise)", async () => {
    const stored = await sharp(at("cat/f.JPEG")).raw().toBuffer({ resolveWithObject: true });
    expect([stored.info.width, stored.info.height]).toEqual([W, H]);
    const ours = await decodeImage(at("cat/f.JPEG"));
    expect([ours.width, ours.height]).toEqual([H, W]);
    // Displayed pixel (x, y) is stored pixel (y, H - 1 - x).
    const rotated: number[] = [];
    for (let y = 0; y < W; y++) for (let x = 0; x < H; x++) for (let c = 0; c < 3; c++) rotated.push(stored.data[((H - 1 - x) * W + y) * 3 + c]);
    expect([...ours.data]).toEqual(rotated);
    // Keras' load_img does not rotate: with autoOrient off the stored pixels come back as stored.
    const asStored = await decodeImage(at("cat/f.JPEG"), { autoOrient: false });
    expect([asStored.width, asStored.height]).toEqual([W, H]);
    expect([...asStored.data]).toEqual([...stored.data]);
  });

  it("decodes an upload from memory exactly as from disk, resized like training", async () => {
    const bytes = readFileSync(at("cat/c.webp"));
    const fromMemory = await decodeImage(bytes, { targetSize: [8, 12] });
    const fromDisk = await decodeImage(at("cat/c.webp"), { targetSize: [8, 12] });
    expect([fromMemory.width, fromMemory.height]).toEqual([12, 8]);
    expect([...fromMemory.data]).toEqual([...fromDisk.data]);
    // 24 -> 12 columns and 16 -> 8 rows: nearest takes source (2x + 1, 2y + 1).
    const p = pattern(W, H, 3);
    expect(fromMemory.data[(3 * 12 + 5) * 3 + 1]).toBe(p[(7 * W + 11) * 3 + 1]);
  });

  it("centre-crops to the target aspect ratio with keepAspect", async () => {
    const square = await decodeImage(at("cat/c.webp"), { targetSize: [16, 16], keepAspect: true });
    // 24x16 -> the centred 16x16 starting at column 4, no scaling.
    const p = pattern(W, H, 3);
    expect(square.data[(5 * 16 + 0) * 3]).toBe(p[(5 * W + 4) * 3]);
    expect(square.data[(5 * 16 + 15) * 3 + 2]).toBe(p[(5 * W + 19) * 3 + 2]);
  });

  it("reads BMP variants: 8-bit palette top-down, and refuses RLE", async () => {
    const indices = Uint8Array.from({ length: 5 * 3 }, (_, i) => i % 3);
    const palette: [number, number, number][] = [[255, 0, 0], [0, 128, 0], [10, 20, 30]];
    const file = path.join(root, "pal.bmp");
    write(file, encodeBmp8(indices, palette, 5, 3));
    const image = await decodeImage(file);
    expect([...image.data]).toEqual([...indices].flatMap((i) => palette[i]));
    const rle = encodeBmp24(pattern(4, 4), 4, 4);
    rle.writeUInt32LE(1, 30);
    await expect(readRgb(rle)).rejects.toThrow(/BMP compression 1 \(RLE or embedded JPEG\/PNG\) is not supported/);
  });

  it("reports a truncated file's own reason while many other decodes run", async () => {
    const good = readFileSync(at("cat/a.jpg"));
    const truncated = readFileSync(at("dog/c.jpg"));
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => decodeImage(i % 4 === 0 ? truncated : good).then(() => "ok", (e: ImageDecodeError) => e.reason)),
    );
    expect(results.filter((r) => r !== "ok")).toEqual(Array(15).fill("VipsJpeg: premature end of JPEG image"));
  });

  it("throws ImageDecodeError naming the file and the reason for unreadable input", async () => {
    await expect(decodeImage(at("cat/zero.jpg"))).rejects.toThrow(new ImageDecodeError(at("cat/zero.jpg"), "empty file"));
    await expect(decodeImage(at("dog/c.jpg"))).rejects.toThrow(/dog\/c\.jpg \(.*premature end of JPEG/);
    await expect(decodeImage(at("dog/d.jpg"))).rejects.toThrow(/unsupported image format/);
    await expect(decodeImage(Buffer.from("hello"))).rejects.toThrow(/Could not decode the uploaded image/);
    await expect(decodeImage(at("cat/missing.jpg"))).rejects.toThrow(/\(ENOENT\)/);
    await expect(decodeImage(at("cat/a.jpg"), { targetSize: [0, 10] })).rejects.toThrow(InvalidOptionError);
    await expect(decodeImage(at("cat/a.jpg"), { interpolation: "cubic" as "nearest" })).rejects.toThrow(/interpolation is "cubic"; use one of "nearest", "bilinear"/);
  });
});
