// Float RGB pixels (HWC, 0..255) as a BMP file: every browser shows it, and it needs no encoder.

/** 24-bit, bottom-up rows padded to 4 bytes. */
export function encodeBmp(rgb: Float32Array, width: number, height: number): Uint8Array {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const out = new Uint8Array(54 + rowBytes * height);
  const view = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  view.setUint32(2, out.length, true);
  view.setUint32(10, 54, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, width, true);
  view.setInt32(22, height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, 24, true);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      out[row + x * 3] = Math.round(rgb[i + 2]);
      out[row + x * 3 + 1] = Math.round(rgb[i + 1]);
      out[row + x * 3 + 2] = Math.round(rgb[i]);
    }
  }
  return out;
}
