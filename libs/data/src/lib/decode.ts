import { readFile } from "node:fs/promises";
import sharp, { type Sharp } from "sharp";
import { decodeBmp, isBmp } from "./bmp.ts";
import { ImageDecodeError } from "./errors.ts";
import { decodeNetpbm, isNetpbm } from "./ppm.ts";
import { createLimiter } from "./limit.ts";
import { checkOneOf, checkTargetSize, INTERPOLATIONS, type Interpolation, type TargetSize } from "./options.ts";
import { fullBox, keepAspectBox, resizeInto, type Box, type RgbImage } from "./resize.ts";

export interface DecodeOptions {
  /** [height, width]; omitted = the image's own size. */
  targetSize?: TargetSize;
  /** Default 'nearest', Keras' default; both match Pillow pixel for pixel. */
  interpolation?: Interpolation;
  /** Centre-crop to the target's aspect ratio before resizing (Keras' keep_aspect_ratio). Default false. */
  keepAspect?: boolean;
  /** Turn the image as its EXIF orientation says. Default true; false reads the pixels as stored, as Keras' load_img does. */
  autoOrient?: boolean;
}

export interface ReadOptions {
  /** Default true. */
  autoOrient?: boolean;
}

/** HWC RGB float32 pixels in [0, 255]. */
export interface DecodedImage {
  data: Float32Array;
  width: number;
  height: number;
}

/**
 * Reads an image to 8-bit sRGB: EXIF orientation applied (unless autoOrient is false), grayscale/CMYK/palette/16-bit
 * converted (CMYK as Pillow converts it), alpha dropped (as Pillow's convert('RGB') does), first frame of animations.
 * A truncated file is an error rather than a half-grey image.
 */
export async function readRgb(source: string | Uint8Array, options: ReadOptions = {}): Promise<RgbImage> {
  const autoOrient = options.autoOrient ?? true;
  const label = typeof source === "string" ? source : "the uploaded image";
  let bytes: Uint8Array;
  try {
    bytes = typeof source === "string" ? await readFile(source) : source;
  } catch (error) {
    throw new ImageDecodeError(label, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  if (bytes.length === 0) throw new ImageDecodeError(label, "empty file");
  const ownDecoder = isBmp(bytes) ? decodeBmp : isNetpbm(bytes) ? decodeNetpbm : null;
  if (ownDecoder) {
    try {
      return ownDecoder(bytes);
    } catch (error) {
      throw new ImageDecodeError(label, (error as Error).message);
    }
  }
  let first: string;
  try {
    return await decodeWithSharp(bytes, autoOrient);
  } catch (error) {
    first = firstLine(error);
  }
  // libvips keeps one error buffer for all threads, so a decode failing next to others can lose
  // its message ("Unknown error") or get a neighbour's. Failures are rare: retry them one at a
  // time to report the file's own reason.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return await retryLane(() => decodeWithSharp(bytes, autoOrient));
    } catch (error) {
      const message = firstLine(error);
      if (message !== UNKNOWN) throw new ImageDecodeError(label, message);
    }
  }
  throw new ImageDecodeError(label, first === UNKNOWN ? `${UNKNOWN} (libvips gave no reason)` : first);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

const UNKNOWN = "Unknown error";
const retryLane = createLimiter(1);

async function decodeWithSharp(bytes: Uint8Array, autoOrient: boolean): Promise<RgbImage> {
  const image = sharp(bytes, { failOn: "truncated", autoOrient });
  if ((await image.metadata()).space === "cmyk") return cmykAsPillow(image);
  const { data, info } = await image.toColourspace("srgb").removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels instead of 3`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/**
 * CMYK as Pillow's convert("RGB") makes it (Convert.c, cmyk2rgb: each channel
 * nk - MULDIV255(c, nk) with nk = 255 - k), which is what a Keras model was trained on; libvips
 * would go through an ICC profile and give other colours (up to 91 levels apart on the test image).
 */
async function cmykAsPillow(image: Sharp): Promise<RgbImage> {
  const { data, info } = await image.pipelineColourspace("cmyk").toColourspace("cmyk").raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`decoded CMYK to ${info.channels} channels instead of 4`);
  const pixels = info.width * info.height;
  const rgb = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    const nk = 255 - data[p * 4 + 3];
    for (let c = 0; c < 3; c++) {
      const t = data[p * 4 + c] * nk + 128;
      rgb[p * 3 + c] = nk - (((t >> 8) + t) >> 8);
    }
  }
  return { data: rgb, width: info.width, height: info.height };
}

/** The source region to resize: the whole image, or Keras' centred aspect-ratio crop. */
export function sourceBox(image: RgbImage, targetSize: TargetSize, keepAspect: boolean): Box {
  return keepAspect ? keepAspectBox(image.width, image.height, targetSize[0], targetSize[1]) : fullBox(image);
}

/**
 * Decodes one image (a path, or the bytes of an upload, never written to disk) to float32 RGB
 * in [0, 255], resized as training resizes it. Throws ImageDecodeError for unreadable input.
 */
export async function decodeImage(source: string | Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
  const interpolation = checkOneOf(options.interpolation ?? "nearest", "interpolation", INTERPOLATIONS);
  const targetSize = options.targetSize && checkTargetSize(options.targetSize);
  const image = await readRgb(source, { autoOrient: options.autoOrient });
  const [height, width] = targetSize ?? [image.height, image.width];
  const data = new Float32Array(width * height * 3);
  resizeInto(image, width, height, interpolation, targetSize ? sourceBox(image, targetSize, options.keepAspect ?? false) : fullBox(image), data, 0);
  return { data, width, height };
}
