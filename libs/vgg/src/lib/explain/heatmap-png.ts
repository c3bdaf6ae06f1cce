// Draws a Grad-CAM heat map over its image with the jet colour map (as Keras' Grad-CAM
// example does) and encodes the result as PNG.
import sharp from "sharp";
import { ExplainInputError } from "../errors.ts";
import { type ImageInput } from "./image-input.ts";
import { type GradCamResult } from "./grad-cam.ts";

export interface HeatmapPngOptions {
  /** Weight of the heat colours over the image, in [0, 1]. Default 0.4. */
  alpha?: number;
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** Matplotlib-style jet: dark blue at 0, green mid-way, dark red at 1. */
export function jet(value: number): [number, number, number] {
  const v = clamp01(value);
  return [clamp01(1.5 - Math.abs(4 * v - 3)), clamp01(1.5 - Math.abs(4 * v - 2)), clamp01(1.5 - Math.abs(4 * v - 1))];
}

export async function renderHeatmapPng(image: ImageInput, heat: Pick<GradCamResult, "heatmap" | "width" | "height">, options: HeatmapPngOptions = {}): Promise<Buffer> {
  const alpha = options.alpha ?? 0.4;
  if (!(alpha >= 0 && alpha <= 1)) throw new ExplainInputError(`alpha must be in [0, 1], got ${alpha}.`);
  const { width, height } = image;
  if (heat.width !== width || heat.height !== height || heat.heatmap.length !== width * height || image.data.length !== width * height * 3) {
    throw new ExplainInputError(`The heat map is ${heat.width}x${heat.height} but the image is ${width}x${height} RGB; render the map made for this image.`);
  }
  const out = Buffer.alloc(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const colour = jet(heat.heatmap[p]);
    for (let c = 0; c < 3; c++) {
      out[p * 3 + c] = Math.round(Math.min(255, Math.max(0, (1 - alpha) * image.data[p * 3 + c] + alpha * 255 * colour[c])));
    }
  }
  return sharp(out, { raw: { width, height, channels: 3 } }).png().toBuffer();
}
