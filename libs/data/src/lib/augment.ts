import { InvalidOptionError } from "./errors.ts";
import type { Rng } from "./random.ts";

/** Random training-time changes; each is off when its value is false/0. */
export interface AugmentOptions {
  /** Mirror left-right with probability 1/2. */
  flip?: boolean;
  /**
   * Keras' zoom_range: each axis scaled on its own by a uniform factor in [1 - zoom, 1 + zoom]
   * about the centre, in (factor < 1) or out (factor > 1, borders filled with the nearest pixel).
   */
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
  /** Keras' zx (horizontal) and zy (vertical): an output pixel at distance d from the centre samples the input at zoom * d. */
  zoomX: number;
  zoomY: number;
  angleRad: number;
  brightness: number;
}

export function drawAugment(rng: Rng, options: ResolvedAugment): AugmentDraw {
  return {
    flip: options.flip && rng.next() < 0.5,
    // get_random_transform: `zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)` with
    // zoom_range = [1 - z, 1 + z] (keras/src/legacy/preprocessing/image.py).
    zoomX: rng.uniform(1 - options.zoom, 1 + options.zoom),
    zoomY: rng.uniform(1 - options.zoom, 1 + options.zoom),
    angleRad: (rng.uniform(-options.rotation, options.rotation) * Math.PI) / 180,
    brightness: rng.uniform(1 - options.brightness, 1 + options.brightness),
  };
}

/**
 * Keras' apply_transform order on the resized image, in place: the affine part (rotation, then
 * zoom: `transform_matrix = rotation . zoom`, sampled bilinearly with fill_mode "nearest"), then
 * the flip, then brightness.
 */
export function applyAugment(pixels: Float32Array, width: number, height: number, draw: AugmentDraw): void {
  if (draw.angleRad !== 0 || draw.zoomX !== 1 || draw.zoomY !== 1) affine(pixels, width, height, draw.angleRad, draw.zoomX, draw.zoomY);
  if (draw.flip) flipHorizontal(pixels, width, height);
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

/**
 * apply_affine_transform as Keras 3 runs it on a channels-last image: the matrix
 * R(angle) . diag(zx, zy) is built in (x, y) order and swapped to numpy's (row, col), so the output
 * pixel (x, y) samples the input at centre + (cos zx dx - sin zy dy, sin zx dx + cos zy dy), about
 * the centre ((w - 1) / 2, (h - 1) / 2) (Keras takes the centre from (h, w) before the swap, the
 * same point for square images); outside coordinates clamp to the edge (scipy's mode "nearest")
 * and sampling is bilinear (interpolation order 1).
 */
function affine(pixels: Float32Array, width: number, height: number, angle: number, zoomX: number, zoomY: number): void {
  const src = pixels.slice();
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const cy = (height - 1) / 2;
  const cx = (width - 1) / 2;
  let o = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = (x - cx) * zoomX;
      const dy = (y - cy) * zoomY;
      const sx = Math.min(width - 1, Math.max(0, cos * dx - sin * dy + cx));
      const sy = Math.min(height - 1, Math.max(0, sin * dx + cos * dy + cy));
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
