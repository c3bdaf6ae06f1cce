import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bilinearCoefficients, keepAspectBox, nearestIndices, resizeRgb, type Box, type RgbImage } from "./resize.ts";
import { pattern } from "./testing/fixtures.ts";

/** One-channel values replicated to RGB, so expectations can be written as plain numbers. */
function grey(values: number[][]): RgbImage {
  const height = values.length;
  const width = values[0].length;
  const data = new Uint8Array(width * height * 3);
  values.flat().forEach((v, i) => data.fill(v, i * 3, i * 3 + 3));
  return { data, width, height };
}

function channel(image: RgbImage, c = 0): number[][] {
  return Array.from({ length: image.height }, (_, y) => Array.from({ length: image.width }, (_, x) => image.data[(y * image.width + x) * 3 + c]));
}

describe("nearest (Pillow's NEAREST, Keras' default)", () => {
  it("samples src = floor((dst + 0.5) * scale), worked by hand", () => {
    // 5 -> 3: scale 5/3, centres 0.83, 2.5, 4.17 -> 0, 2, 4
    expect([...nearestIndices(5, 0, 5, 3)]).toEqual([0, 2, 4]);
    // 500 -> 224 (Dogs-vs-Cats width to VGG): scale 2.2321..., centres 1.116, 3.348, 5.58 ... 498.88
    const wide = nearestIndices(500, 0, 500, 224);
    expect([wide[0], wide[1], wide[2], wide[223]]).toEqual([1, 3, 5, 498]);
    // Truncation rather than rounding: TF.js' default (no half-pixel centres) would give 0, 1, 3.
    expect([...nearestIndices(5, 0, 5, 3)]).not.toEqual([0, 1, 3]);
    // Within a box (Keras' keep_aspect_ratio crop): 2 + floor((x + 0.5) * 2) -> 3, 5, 7
    expect([...nearestIndices(10, 2, 8, 3)]).toEqual([3, 5, 7]);
  });

  it("agrees with the formula for every size pair up to 64 wherever the sample centre is not an integer", () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (let n = 1; n <= 64; n++) {
      for (let m = 1; m <= 64; m++) {
        const got = nearestIndices(n, 0, n, m);
        for (let x = 0; x < m; x++) {
          // centre = (2x + 1) n / 2m, in exact integer arithmetic
          const numerator = (2 * x + 1) * n;
          if (numerator % (2 * m) === 0) continue;
          checked++;
          if (got[x] !== Math.floor(numerator / (2 * m))) mismatches.push(`${n} -> ${m} at ${x}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(60000);
    expect(mismatches).toEqual([]);
  });

  it("matches Pillow where the centre is an exact integer (Pillow's accumulated position lands either side)", () => {
    // Recorded from Pillow 9.4 Image.resize(..., NEAREST); the formula would say 3 at x = 4 of
    // 4 -> 6, and 3 at x = 4 of 6 -> 9: Pillow adds the scale step by step and lands just below.
    expect([...nearestIndices(4, 0, 4, 6)]).toEqual([0, 1, 1, 2, 2, 3]);
    expect([...nearestIndices(6, 0, 6, 9)]).toEqual([0, 1, 1, 2, 2, 3, 4, 5, 5]);
    expect([...nearestIndices(2, 0, 2, 7)]).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect([...nearestIndices(3, 0, 3, 9)]).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });

  it("resizes whole images by those indices", () => {
    const src = grey([
      [0, 10, 20, 30, 40],
      [50, 60, 70, 80, 90],
      [100, 110, 120, 130, 140],
      [150, 160, 170, 180, 190],
    ]);
    // rows 4 -> 2: centres 1, 3; columns 5 -> 3: 0, 2, 4
    expect(channel(resizeRgb(src, 3, 2, "nearest"))).toEqual([
      [50, 70, 90],
      [150, 170, 190],
    ]);
  });
});

describe("bilinear (Pillow's BILINEAR, antialiased when shrinking)", () => {
  it("builds the triangle-filter weights of a 2x reduction, worked by hand", () => {
    // 4 -> 2, scale 2, support 2. Output 0: centre 1, taps 0..2 at distances .25,.25,.75 -> 3/7, 3/7, 1/7.
    const c = bilinearCoefficients(4, 0, 4, 2);
    expect([...c.bounds]).toEqual([0, 3, 1, 3]);
    const unit = 2 ** 22;
    expect(Array.from(c.weights.subarray(0, 3))).toEqual([Math.round((3 / 7) * unit), Math.round((3 / 7) * unit), Math.round((1 / 7) * unit)]);
    // Output 1: centre 3, taps 1..3 -> 1/7, 3/7, 3/7.
    expect(Array.from(c.weights.subarray(c.ksize, c.ksize + 3))).toEqual([Math.round((1 / 7) * unit), Math.round((3 / 7) * unit), Math.round((3 / 7) * unit)]);
  });

  it("resizes a row as Pillow's fixed-point passes do", () => {
    // (0*3 + 100*3 + 200) / 7 = 71.4 -> 71; (100 + 200*3 + 255*3) / 7 = 209.3 -> 209
    expect(channel(resizeRgb(grey([[0, 100, 200, 255]]), 2, 1, "bilinear"))).toEqual([[71, 209]]);
    // Upscaling 2 -> 4 interpolates between the two samples: centres 0.25, 0.75, 1.25, 1.75
    // (clamped at the edges) -> 0, 25, 75, 100.
    expect(channel(resizeRgb(grey([[0, 100]]), 4, 1, "bilinear"))).toEqual([[0, 25, 75, 100]]);
  });

  it("resizes both axes (horizontal pass, then vertical)", () => {
    const src = grey([
      [0, 0, 200, 200],
      [0, 0, 200, 200],
      [100, 100, 100, 100],
      [100, 100, 100, 100],
    ]);
    // Columns: (0*3+0*3+200)/7 = 28.57 -> 29, (0+200*3+200*3)/7 = 171.4 -> 171; rows 100 stay 100.
    // Rows then: (29*3 + 29*3 + 100)/7 = 39.1 -> 39, (171*6 + 100)/7 = 160.9 -> 161,
    // (29 + 100*6)/7 = 89.9 -> 90, (171 + 100*6)/7 = 110.1 -> 110.
    expect(channel(resizeRgb(src, 2, 2, "bilinear"))).toEqual([
      [39, 161],
      [90, 110],
    ]);
  });

  it("copies an image whose size is already right, for both filters", () => {
    const src = grey([[1, 2], [3, 4]]);
    expect(channel(resizeRgb(src, 2, 2, "bilinear"))).toEqual([[1, 2], [3, 4]]);
    expect(channel(resizeRgb(src, 2, 2, "nearest"))).toEqual([[1, 2], [3, 4]]);
  });
});

describe("whole RGB images against Pillow", () => {
  // SHA-256 of Pillow 9.4's Image.frombytes("RGB", size, pattern(w, h, 1)).resize(out, filter, box).tobytes().
  const cases: [number, number, number, number, Box | null, string, string][] = [
    [37, 23, 16, 11, null, "8b1c44ad81227dad39d970ee2dbffafe14b73ce79630d8e4b56233fba32529be", "3ace9da4dfb3ba609801d002b09bbba56ad51762c3dc325041fd2f4c4c3fd0ae"],
    [37, 23, 50, 30, null, "26e21f0d160bbd56750050195762d42c5053ef4ec2bed2018502ed2774f7ba90", "c24faaff7a9d9fb61d580cf32f941bbff2009dafe948aece13ef885ae5597cf0"],
    [500, 375, 224, 224, null, "f5d7511a4416e97870cb4101c458fdcd54d343a710df6c5e4b1e395f0ed94435", "dea50bb9eec53925af1e24dc203c5697368802b24b7ab3156dc08fe9883c9e37"],
    [500, 375, 224, 224, { left: 62, top: 0, right: 437, bottom: 375 }, "2ca5037ee64ae7fc5c263045bbc5a2fb91bebda6146790d1b0253d1ba5caab5f", "9d13f12e5d6650c7bf5f7c04c4567292af71ad350895c8dca1e96cdac412315e"],
    [31, 47, 13, 9, { left: 3, top: 5, right: 28, bottom: 40 }, "a66be12883ea915adf25b4f94a0ee50344a0f03fcc4997942358339cafad36a6", "919334dd6ba111320518e3ca70aae17bf2389969ec66ac3556c1ee4c2ca047bb"],
  ];
  it.each(cases)("%ix%i -> %ix%i box %o: byte for byte", (w, h, outW, outH, box, nearest, bilinear) => {
    const src = { data: pattern(w, h, 1), width: w, height: h };
    const sha = (image: RgbImage) => createHash("sha256").update(image.data).digest("hex");
    expect(sha(resizeRgb(src, outW, outH, "nearest", box ?? undefined))).toBe(nearest);
    expect(sha(resizeRgb(src, outW, outH, "bilinear", box ?? undefined))).toBe(bilinear);
  });
});

describe("keepAspectBox (Keras' keep_aspect_ratio)", () => {
  it("crops the largest centred region with the target's aspect ratio", () => {
    expect(keepAspectBox(500, 375, 224, 224)).toEqual({ left: 62, top: 0, right: 437, bottom: 375 });
    expect(keepAspectBox(300, 600, 100, 200)).toEqual({ left: 0, top: 225, right: 300, bottom: 375 });
  });
});
