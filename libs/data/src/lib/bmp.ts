/**
 * A small BMP reader: sharp's prebuilt libvips has no BMP loader, yet flow_from_directory
 * accepts .bmp. Covers what cameras and paint programs write: 1/4/8-bit palettes, 16-bit
 * (5-5-5 or bit fields), 24-bit and 32-bit, bottom-up or top-down. RLE compression is refused.
 */
import type { RgbImage } from "./resize.ts";

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

export function decodeBmp(bytes: Uint8Array): RgbImage {
  if (bytes.length < 26) throw new Error("BMP header is truncated");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pixelOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  const core = headerSize === 12;
  if (!core && headerSize < 40) throw new Error(`BMP header size ${headerSize} is not supported`);
  if (bytes.length < 14 + headerSize) throw new Error("BMP header is truncated");
  const width = core ? view.getUint16(18, true) : view.getInt32(18, true);
  const rawHeight = core ? view.getInt16(20, true) : view.getInt32(22, true);
  const bpp = core ? view.getUint16(24, true) : view.getUint16(28, true);
  const compression = core ? BI_RGB : view.getUint32(30, true);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  if (width <= 0 || height === 0 || width * height > 0x3fff * 0x3fff) throw new Error(`BMP size ${width}x${height} is invalid`);
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    throw new Error(`BMP compression ${compression} (RLE or embedded JPEG/PNG) is not supported`);
  }

  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (pixelOffset + stride * height > bytes.length) throw new Error("BMP pixel data is truncated");
  const readPixel = pixelReader(bytes, view, { headerSize, core, bpp, compression });
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const rowStart = pixelOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) readPixel(rowStart, x, out, (y * width + x) * 3);
  }
  return { data: out, width, height };
}

type PixelReader = (rowStart: number, x: number, out: Uint8Array, o: number) => void;

function pixelReader(bytes: Uint8Array, view: DataView, h: { headerSize: number; core: boolean; bpp: number; compression: number }): PixelReader {
  if (h.bpp === 1 || h.bpp === 4 || h.bpp === 8) {
    const entrySize = h.core ? 3 : 4;
    const paletteStart = 14 + h.headerSize;
    const used = h.core ? 0 : view.getUint32(46, true);
    const entries = used || 1 << h.bpp;
    if (paletteStart + entries * entrySize > bytes.length) throw new Error("BMP palette is truncated");
    const perByte = 8 / h.bpp;
    const mask = (1 << h.bpp) - 1;
    return (rowStart, x, out, o) => {
      const byte = bytes[rowStart + Math.floor(x / perByte)];
      const index = (byte >> ((perByte - 1 - (x % perByte)) * h.bpp)) & mask;
      const p = paletteStart + Math.min(index, entries - 1) * entrySize;
      out[o] = bytes[p + 2];
      out[o + 1] = bytes[p + 1];
      out[o + 2] = bytes[p];
    };
  }
  if (h.bpp === 24) {
    return (rowStart, x, out, o) => {
      const p = rowStart + x * 3;
      out[o] = bytes[p + 2];
      out[o + 1] = bytes[p + 1];
      out[o + 2] = bytes[p];
    };
  }
  if (h.bpp === 16 || h.bpp === 32) {
    const masks = h.compression === BI_RGB ? (h.bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0x00ff00, 0x0000ff]) : readMasks(view);
    const channels = masks.map(channelOf);
    const bytesPer = h.bpp / 8;
    return (rowStart, x, out, o) => {
      const p = rowStart + x * bytesPer;
      const v = bytesPer === 2 ? view.getUint16(p, true) : view.getUint32(p, true);
      for (let c = 0; c < 3; c++) {
        const ch = channels[c];
        out[o + c] = ch.max === 0 ? 0 : Math.floor((((v & ch.mask) >>> ch.shift) * 255) / ch.max);
      }
    };
  }
  throw new Error(`BMP with ${h.bpp} bits per pixel is not supported`);
}

/** BITMAPINFOHEADER puts the masks right after its 40 bytes; V2+ headers hold them at the same offset. */
function readMasks(view: DataView): number[] {
  if (14 + 40 + 12 > view.byteLength) throw new Error("BMP bit masks are truncated");
  return [view.getUint32(54, true), view.getUint32(58, true), view.getUint32(62, true)];
}

function channelOf(mask: number): { mask: number; shift: number; max: number } {
  if (mask === 0) return { mask, shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { mask, shift, max: mask >>> shift };
}
