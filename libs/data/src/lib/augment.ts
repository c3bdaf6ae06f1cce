import { InvalidOptionError } from "./errors.ts";
import type { Rng } from "./random.ts";
import type { Box } from "./resize.ts";

/** Random training-time changes; each is off when its value is false/0. */
export interface AugmentOptions {
  /** Mirror left-right with probability 1/2. */
  flip?: boolean;
  /** Crop a random region whose sides are (1 - zoom)..1 of the image's, then resize it to the target (zoom in). */
  zoom?: number;
  /** Rotate by a uniform angle in [-rotation, rotation] degrees, borders filled with the nearest pixel (Keras' fill_mode). */
  rotation?: number;
  /** Multiply pixel values by a uniform factor in [1 - brightness, 1 + brightness]. */
  brightness?: number;
}

export type ResolvedAugment = Required<AugmentOptions>;

/** What `augment: true` means. */
export const DEFAULT_AUGMENT: ResolvedAugment = { flip: true, zoom: 0.2, rotation: 10, brightness: 0.2 };

export function resolveAugment(option: boolean | AugmentOptions | undefined): ResolvedAugment | null {
  if (!option) return null;
  const resolved = option === true ? DEFAULT_AUGMENT : { flip: false, zoom: 0, rotation: 0, brightness: 0, ...option };
  const ranges: [keyof AugmentOptions, number, number][] = [["zoom", 0, 0.9], ["rotation", 0, 180], ["brightness", 0, 1]];
  for (const [key, lo, hi] of ranges) {
    const value = resolved[key] as number;
    if (typeof value !== "number" || !(value >= lo && value <= hi)) {
      throw new InvalidOptionError(`augment.${key}`, `is ${String(value)}`, `pass a number from ${lo} to ${hi}`);
    }
  }
  return resolved;
}

/** One image's random draw, taken before decoding so it depends only on (seed, epoch, image). */
export interface AugmentDraw {
  flip: boolean;
  /** Side fraction of the crop and its position in the free space, each in [0, 1]. */
  crop: { scale: number; x: number; y: number };
  angleRad: number;
  brightness: number;
}

export function drawAugment(rng: Rng, options: ResolvedAugment): AugmentDraw {
  return {
    flip: options.flip && rng.next() < 0.5,
    crop: { scale: rng.uniform(1 - options.zoom, 1), x: rng.next(), y: rng.next() },
    angleRad: (rng.uniform(-options.rotation, options.rotation) * Math.PI) / 180,
    brightness: rng.uniform(1 - options.brightness, 1 + options.brightness),
  };
}

/** The random crop inside `box` (fractional coordinates are fine for both resizers). */
export function cropBox(box: Box, draw: AugmentDraw): Box {
  const width = (box.right - box.left) * draw.crop.scale;
  const height = (box.bottom - box.top) * draw.crop.scale;
  const left = box.left + (box.right - box.left - width) * draw.crop.x;
  const top = box.top + (box.bottom - box.top - height) * draw.crop.y;
  return { left, top, right: left + width, bottom: top + height };
}

/** Flip, rotation and brightness on a resized HWC float image in place. */
export function applyAugment(pixels: Float32Array, width: number, height: number, draw: AugmentDraw): void {
  if (draw.flip) flipHorizontal(pixels, width, height);
  if (draw.angleRad !== 0) rotate(pixels, width, height, draw.angleRad);
  if (draw.brightness !== 1) {
    for (let i = 0; i < pixels.length; i++) pixels[i] = Math.min(255, pixels[i] * draw.brightness);
  }
}

function flipHorizontal(pixels: Float32Array, width: number, height: number): void {
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let x = 0; x < width >> 1; x++) {
      const a = row + x * 3;
      const b = row + (width - 1 - x) * 3;
      for (let c = 0; c < 3; c++) {
        const t = pixels[a + c];
        pixels[a + c] = pixels[b + c];
        pixels[b + c] = t;
      }
    }
  }
}

/** Rotates about the centre, sampling bilinearly; coordinates outside are clamped to the edge. */
function rotate(pixels: Float32Array, width: number, height: number, angle: number): void {
  const src = pixels.slice();
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const cx = width / 2;
  const cy = height / 2;
  let o = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const sx = Math.min(width - 1, Math.max(0, cos * dx + sin * dy + cx - 0.5));
      const sy = Math.min(height - 1, Math.max(0, -sin * dx + cos * dy + cy - 0.5));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(width - 1, x0 + 1);
      const y1 = Math.min(height - 1, y0 + 1);
      const fx = sx - x0;
      const fy = sy - y0;
      const i00 = (y0 * width + x0) * 3;
      const i01 = (y0 * width + x1) * 3;
      const i10 = (y1 * width + x0) * 3;
      const i11 = (y1 * width + x1) * 3;
      for (let c = 0; c < 3; c++) {
        const top = src[i00 + c] + (src[i01 + c] - src[i00 + c]) * fx;
        const bottom = src[i10 + c] + (src[i11 + c] - src[i10 + c]) * fx;
        pixels[o++] = top + (bottom - top) * fy;
      }
    }
  }
}
