import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readRgb } from "./decode.ts";

// Images and Pillow's decoding of them, recorded by testing/pillow/record.py with Debian's
// python3-pil: Image.open(file).convert("RGB"), what Keras' load_img feeds a model.
const dir = path.join(import.meta.dirname, "testing", "pillow");
const record = JSON.parse(readFileSync(path.join(dir, "pillow.json"), "utf8")) as {
  pillow: string;
  images: Record<string, { mode: string; size: [number, number]; rgb: string }>;
};

function pillowPixels(name: string): Uint8Array {
  return new Uint8Array(Buffer.from(record.images[name].rgb, "base64"));
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** record.py's one-channel pattern, the 8-bit values its 16-bit greyscale PNG was made from. */
function greyPattern(width: number, height: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out.push((x * 19 + y * 7 + (x >= width / 2 ? 90 : 0)) % 256);
  return out;
}

describe(`decoding agrees with Pillow ${record.pillow}`, () => {
  it.each([
    ["rgb-q90.jpg", "RGB"],
    ["rgb-q75-420.jpg", "RGB"],
    ["gray.jpg", "L"],
    ["cmyk.jpg", "CMYK"],
    ["rgb16.png", "RGB"],
    ["rgb.ppm", "RGB"],
    ["rgb10.ppm", "RGB"],
  ])("%s (Pillow mode %s) to the last pixel", async (name, mode) => {
    expect(record.images[name].mode).toBe(mode);
    const image = await readRgb(path.join(dir, name));
    expect([image.width, image.height]).toEqual(record.images[name].size);
    expect(maxDifference(image.data, pillowPixels(name))).toBe(0);
  });

  it("16-bit greyscale: Thaw scales to 8 bits, where Pillow clips everything above 255 to white", async () => {
    const pillow = pillowPixels("gray16.png");
    expect(record.images["gray16.png"].mode).toBe("I");
    const [width, height] = record.images["gray16.png"].size;
    const source = greyPattern(width, height);
    // Pillow's "I" -> "RGB" conversion clips: only the pixels stored as v * 257 + v % 7 <= 255 survive.
    source.forEach((v, i) => expect(pillow[i * 3]).toBe(Math.min(255, v * 257 + (v % 7))));
    const image = await readRgb(path.join(dir, "gray16.png"));
    const ours = Array.from({ length: width * height }, (_, i) => image.data[i * 3]);
    expect(maxDifference(ours, source)).toBeLessThanOrEqual(1);
    expect(maxDifference(image.data, pillow)).toBeGreaterThan(200);
  });
});
