/**
 * A Netpbm reader (.ppm/.pgm/.pbm, P1-P6): Keras' white list has "ppm", and sharp's prebuilt
 * libvips cannot load it. Samples scale to 8 bits as Pillow's PpmImagePlugin does,
 * round(v * 255 / maxval); one difference is kept on purpose: Pillow opens 16-bit greyscale as
 * mode "I" and its convert("RGB") clips every value above 255 to white, Thaw scales it.
 */
import type { RgbImage } from "./resize.ts";

export function isNetpbm(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x50 && bytes[1] >= 0x31 && bytes[1] <= 0x36;
}

export function decodeNetpbm(bytes: Uint8Array): RgbImage {
  const kind = bytes[1] - 0x30;
  let pos = 2;
  const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);
  /** The next header or plain-format number, skipping whitespace and # comments. */
  const nextNumber = (what: string): number => {
    for (;;) {
      while (pos < bytes.length && isSpace(bytes[pos])) pos++;
      if (bytes[pos] !== 0x23) break;
      while (pos < bytes.length && bytes[pos] !== 0x0a && bytes[pos] !== 0x0d) pos++;
    }
    const start = pos;
    // Plain bitmaps (P1) may run digits together: each pixel is one digit.
    if (kind === 1 && what === "pixel") return bytes[pos++] - 0x30;
    while (pos < bytes.length && bytes[pos] >= 0x30 && bytes[pos] <= 0x39) pos++;
    if (pos === start) throw new Error(`Netpbm ${what} is missing or not a number (file truncated?)`);
    return Number(new TextDecoder().decode(bytes.subarray(start, pos)));
  };
  const width = nextNumber("width");
  const height = nextNumber("height");
  if (width <= 0 || height <= 0 || width * height > 0x3fff * 0x3fff) throw new Error(`Netpbm size ${width}x${height} is invalid`);
  const bitmap = kind === 1 || kind === 4;
  const maxval = bitmap ? 1 : nextNumber("maxval");
  if (maxval < 1 || maxval > 65535) throw new Error(`Netpbm maxval ${maxval} is outside 1..65535`);
  const channels = kind === 3 || kind === 6 ? 3 : 1;
  const samples = width * height * channels;
  const values = new Uint16Array(samples);
  if (kind <= 3) {
    for (let i = 0; i < samples; i++) values[i] = nextNumber("pixel");
  } else {
    pos++; // the single whitespace byte that ends a binary header
    if (kind === 4) {
      const rowBytes = Math.ceil(width / 8);
      if (pos + rowBytes * height > bytes.length) throw new Error("Netpbm pixel data is truncated");
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) values[y * width + x] = (bytes[pos + y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1;
      }
    } else {
      const wide = maxval > 255;
      if (pos + samples * (wide ? 2 : 1) > bytes.length) throw new Error("Netpbm pixel data is truncated");
      for (let i = 0; i < samples; i++) values[i] = wide ? (bytes[pos + 2 * i] << 8) | bytes[pos + 2 * i + 1] : bytes[pos + i];
    }
  }
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) {
      const v = values[p * channels + (channels === 3 ? c : 0)];
      // In a bitmap 1 is black.
      data[p * 3 + c] = bitmap ? (v ? 0 : 255) : Math.min(255, Math.round((v * 255) / maxval));
    }
  }
  return { data, width, height };
}
