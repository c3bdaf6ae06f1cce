/**
 * Real image folders for the tests, written with sharp (and a hand-rolled BMP writer, since
 * sharp cannot write BMP). Pixels come from a known pattern so lossless formats can be checked
 * exactly against it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp, { type Sharp } from "sharp";

const made: string[] = [];

/** Deletes every folder tempDir made; test files call it in afterAll so runs leave nothing behind. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function tempDir(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `thaw-data-${name}-`));
  made.push(dir);
  return dir;
}

/** A pattern whose every pixel differs from its neighbours, so any resampling mistake shows. */
export function pattern(width: number, height: number, salt = 0): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      out[i] = (x * 37 + y * 11 + salt * 53) & 255;
      out[i + 1] = (x * 13 + y * 41 + salt * 29) & 255;
      out[i + 2] = (x * 7 + y * 3 + x * y + salt * 17) & 255;
    }
  }
  return out;
}

export function raw(pixels: Uint8Array, width: number, height: number, channels: 1 | 3 | 4 = 3): Sharp {
  return sharp(pixels, { raw: { width, height, channels } });
}

/** 24-bit bottom-up BMP (BITMAPINFOHEADER), the most common kind. */
export function encodeBmp24(pixels: Uint8Array, width: number, height: number): Buffer {
  const stride = Math.ceil((width * 3) / 4) * 4;
  const file = Buffer.alloc(54 + stride * height);
  file.write("BM", 0, "ascii");
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(54, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(width, 18);
  file.writeInt32LE(height, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(24, 28);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      file[row + x * 3] = pixels[i + 2];
      file[row + x * 3 + 1] = pixels[i + 1];
      file[row + x * 3 + 2] = pixels[i];
    }
  }
  return file;
}

/** 8-bit palette BMP, top-down (negative height), with `colours` palette entries. */
export function encodeBmp8(indices: Uint8Array, palette: [number, number, number][], width: number, height: number): Buffer {
  const stride = Math.ceil(width / 4) * 4;
  const offset = 54 + palette.length * 4;
  const file = Buffer.alloc(offset + stride * height);
  file.write("BM", 0, "ascii");
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(offset, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(width, 18);
  file.writeInt32LE(-height, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(8, 28);
  file.writeUInt32LE(palette.length, 46);
  palette.forEach(([r, g, b], i) => {
    file[54 + i * 4] = b;
    file[54 + i * 4 + 1] = g;
    file[54 + i * 4 + 2] = r;
  });
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) file[offset + y * stride + x] = indices[y * width + x];
  return file;
}

export function write(file: string, bytes: Uint8Array | string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
}

export const MESSY = { width: 24, height: 16 };

/**
 * The awkward dataset of the issue, classes cat and dog, 8 image-named files each, 3 of them
 * unreadable (zero bytes, truncated JPEG, text named .jpg), plus hidden and non-image files.
 */
export async function buildMessyDataset(root: string): Promise<{ bad: string[]; hidden: string[]; nonImage: string[] }> {
  const { width, height } = MESSY;
  const p = (salt: number) => pattern(width, height, salt);
  const twoFrames = Buffer.concat([p(4), Buffer.alloc(width * height * 3, 200)]);
  const jpeg = await raw(p(1), width, height).jpeg({ quality: 95 }).toBuffer();
  const alpha = new Uint8Array(width * height * 4);
  p(2).forEach((v, i) => (alpha[Math.floor(i / 3) * 4 + (i % 3)] = v));
  for (let i = 0; i < width * height; i++) alpha[i * 4 + 3] = (i * 9) & 255;
  const files: Record<string, Uint8Array | string> = {
    "cat/a.jpg": jpeg,
    "cat/b.PNG": await raw(alpha, width, height, 4).png().toBuffer(),
    "cat/c.webp": await raw(p(3), width, height).webp({ lossless: true }).toBuffer(),
    "cat/d.gif": await sharp(twoFrames, { raw: { width, height: height * 2, channels: 3, pageHeight: height }, animated: true }).gif().toBuffer(),
    "cat/nested/deeper/e.tif": await raw(p(5), width, height).tiff({ compression: "deflate" }).toBuffer(),
    "cat/f.JPEG": await raw(p(6), width, height).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer(),
    "cat/g.bmp": encodeBmp24(p(7), width, height),
    "cat/zero.jpg": "",
    "cat/.hidden.jpg": jpeg,
    "cat/notes.txt": "not an image",
    "dog/a.png": await raw(p(8).filter((_, i) => i % 3 === 0), width, height, 1).png().toBuffer(),
    "dog/b.jpg": await raw(p(9), width, height).toColourspace("cmyk").jpeg({ quality: 95 }).toBuffer(),
    "dog/c.jpg": jpeg.subarray(0, Math.floor(jpeg.length * 0.6)),
    "dog/d.jpg": "this is a text file, not a JPEG",
    "dog/e.TIFF": await raw(p(10), width, height).tiff({ compression: "lzw" }).toBuffer(),
    "dog/f.jpeg": await raw(p(11), width, height).jpeg({ quality: 95 }).toBuffer(),
    "dog/g.png": await raw(p(12), width, height).toColourspace("rgb16").png().toBuffer(),
    "dog/h.png": await raw(p(13), width, height).png({ palette: true, colours: 256 }).toBuffer(),
    ".DS_Store": "junk",
    "README.md": "# pets",
  };
  for (const [rel, bytes] of Object.entries(files)) write(path.join(root, rel), bytes);
  return {
    bad: ["cat/zero.jpg", "dog/c.jpg", "dog/d.jpg"],
    hidden: [".DS_Store", "cat/.hidden.jpg"],
    nonImage: ["README.md", "cat/notes.txt"],
  };
}
