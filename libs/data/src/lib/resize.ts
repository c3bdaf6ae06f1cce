/**
 * Resizing that matches Pillow, which Keras' load_img uses: 'nearest' is Pillow's
 * ImagingScaleAffine (source = floor(box0 + (dst + 0.5) * scale), accumulated as Pillow does),
 * 'bilinear' is Pillow's two-pass convolution with a triangle filter widened by the
 * downscale factor (so it antialiases) and 22-bit fixed-point weights. Done in TypeScript on
 * raw RGB because libvips' kernels sample differently, and so results never depend on a
 * native library's version.
 */
import type { Interpolation } from "./options.ts";

/** 8-bit RGB pixels, row-major HWC. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Pillow's resize box: the source region [left, right) x [top, bottom) that fills the output. */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export function fullBox(image: { width: number; height: number }): Box {
  return { left: 0, top: 0, right: image.width, bottom: image.height };
}

/** Keras' keep_aspect_ratio crop: the largest centred region with the target's aspect ratio. */
export function keepAspectBox(width: number, height: number, targetHeight: number, targetWidth: number): Box {
  const cropHeight = Math.min(height, Math.floor((width * targetHeight) / targetWidth));
  const cropWidth = Math.min(width, Math.floor((height * targetWidth) / targetHeight));
  const top = Math.floor((height - cropHeight) / 2);
  const left = Math.floor((width - cropWidth) / 2);
  return { left, top, right: left + cropWidth, bottom: top + cropHeight };
}

/** Pixels written by the resizers: 8-bit for images, float32 straight into a batch. */
type PixelSink = Uint8Array | Float32Array;

/** Resizes `box` of `src` to outWidth x outHeight, as a new 8-bit image. */
export function resizeRgb(src: RgbImage, outWidth: number, outHeight: number, interpolation: Interpolation, box: Box = fullBox(src)): RgbImage {
  const data = new Uint8Array(outWidth * outHeight * 3);
  resizeInto(src, outWidth, outHeight, interpolation, box, data, 0);
  return { data, width: outWidth, height: outHeight };
}

/** Resizes `box` of `src` into `out` at `offset` (HWC), e.g. straight into a float32 batch. */
export function resizeInto(src: RgbImage, outWidth: number, outHeight: number, interpolation: Interpolation, box: Box, out: PixelSink, offset: number): void {
  const full = box.left === 0 && box.top === 0 && box.right === src.width && box.bottom === src.height;
  if (full && outWidth === src.width && outHeight === src.height) out.set(src.data, offset);
  else if (interpolation === "nearest") resizeNearest(src, outWidth, outHeight, box, out, offset);
  else resizeBilinear(src, outWidth, outHeight, box, out, offset);
}

/** Source index per output index, as Pillow's ImagingScaleAffine tabulates it. */
export function nearestIndices(inSize: number, start: number, end: number, outSize: number): Int32Array {
  const scale = (end - start) / outSize;
  const indices = new Int32Array(outSize);
  let pos = start + scale * 0.5;
  for (let i = 0; i < outSize; i++) {
    indices[i] = Math.min(inSize - 1, Math.max(0, Math.floor(pos)));
    pos += scale;
  }
  return indices;
}

function resizeNearest(src: RgbImage, outWidth: number, outHeight: number, box: Box, out: PixelSink, offset: number): void {
  const xs = nearestIndices(src.width, box.left, box.right, outWidth);
  const ys = nearestIndices(src.height, box.top, box.bottom, outHeight);
  for (let x = 0; x < outWidth; x++) xs[x] *= 3;
  const s = src.data;
  let o = offset;
  for (let y = 0; y < outHeight; y++) {
    const row = ys[y] * src.width * 3;
    for (let x = 0; x < outWidth; x++) {
      const i = row + xs[x];
      out[o] = s[i];
      out[o + 1] = s[i + 1];
      out[o + 2] = s[i + 2];
      o += 3;
    }
  }
}

const PRECISION_BITS = 22;

interface Coefficients {
  ksize: number;
  /** Per output index: first source index and number of taps. */
  bounds: Int32Array;
  /** Fixed-point weights, ksize per output index. */
  weights: Int32Array;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for the bilinear (triangle) filter. */
export function bilinearCoefficients(inSize: number, start: number, end: number, outSize: number): Coefficients {
  const scale = (end - start) / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const inverse = 1 / filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = start + (xx + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const count = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let sum = 0;
    for (let x = 0; x < count; x++) {
      const w = Math.max(0, 1 - Math.abs((x + xmin - center + 0.5) * inverse));
      k[x] = w;
      sum += w;
    }
    for (let x = 0; x < count; x++) {
      const v = sum !== 0 ? k[x] / sum : k[x];
      weights[xx * ksize + x] = Math.trunc(v < 0 ? -0.5 + v * 2 ** PRECISION_BITS : 0.5 + v * 2 ** PRECISION_BITS);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = count;
  }
  return { ksize, bounds, weights };
}

function clip8(sum: number): number {
  const v = sum >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function resizeBilinear(src: RgbImage, outWidth: number, outHeight: number, box: Box, out: PixelSink, offset: number): void {
  const needHorizontal = outWidth !== src.width || box.left !== 0 || box.right !== outWidth;
  const needVertical = outHeight !== src.height || box.top !== 0 || box.bottom !== outHeight;
  const vert = bilinearCoefficients(src.height, box.top, box.bottom, outHeight);
  const horiz = bilinearCoefficients(src.width, box.left, box.right, outWidth);
  if (!needVertical) {
    horizontalPass(src, 0, outHeight, horiz, outWidth, out, offset);
    return;
  }
  let image = src;
  if (needHorizontal) {
    // Only the source rows the vertical pass reads are resampled horizontally.
    const first = vert.bounds[0];
    const rows = vert.bounds[outHeight * 2 - 2] + vert.bounds[outHeight * 2 - 1] - first;
    for (let i = 0; i < outHeight; i++) vert.bounds[i * 2] -= first;
    image = { data: new Uint8Array(outWidth * rows * 3), width: outWidth, height: rows };
    horizontalPass(src, first, rows, horiz, outWidth, image.data, 0);
  }
  verticalPass(image, vert, outHeight, out, offset);
}

function horizontalPass(src: RgbImage, firstRow: number, rows: number, c: Coefficients, outWidth: number, out: PixelSink, offset: number): void {
  const s = src.data;
  const { ksize, bounds, weights } = c;
  const half = 1 << (PRECISION_BITS - 1);
  const rowBytes = src.width * 3;
  let o = offset;
  for (let y = 0; y < rows; y++) {
    const rowStart = (y + firstRow) * rowBytes;
    for (let xx = 0; xx < outWidth; xx++) {
      const count = bounds[xx * 2 + 1];
      const kBase = xx * ksize;
      let i = rowStart + bounds[xx * 2] * 3;
      let r = half;
      let g = half;
      let b = half;
      for (let x = 0; x < count; x++) {
        const w = weights[kBase + x];
        r += s[i] * w;
        g += s[i + 1] * w;
        b += s[i + 2] * w;
        i += 3;
      }
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
      o += 3;
    }
  }
}

function verticalPass(src: RgbImage, c: Coefficients, outHeight: number, out: PixelSink, offset: number): void {
  const s = src.data;
  const { ksize, bounds, weights } = c;
  const rowBytes = src.width * 3;
  const half = 1 << (PRECISION_BITS - 1);
  // Row by row into an int32 accumulator (Pillow's sums are int32 too): sequential reads.
  const acc = new Int32Array(rowBytes);
  let o = offset;
  for (let yy = 0; yy < outHeight; yy++) {
    const first = bounds[yy * 2];
    const count = bounds[yy * 2 + 1];
    acc.fill(half);
    for (let y = 0; y < count; y++) {
      const w = weights[yy * ksize + y];
      const row = (first + y) * rowBytes;
      for (let x = 0; x < rowBytes; x++) acc[x] += s[row + x] * w;
    }
    for (let x = 0; x < rowBytes; x++) out[o++] = clip8(acc[x]);
  }
}
