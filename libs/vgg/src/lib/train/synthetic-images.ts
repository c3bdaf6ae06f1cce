// A task every working trainer must learn: class 0 has a bright left half, class 1 a
// bright right half, under per-pixel noise. Tests and benches make their images with it.
export interface SyntheticImages {
  /** NHWC RGB pixels in 0..255. */
  x: Float32Array;
  labels: number[];
  shape: [number, number, number, number];
}

export function leftRightImages(count: number, size: number, seed: number): SyntheticImages {
  let state = seed >>> 0 || 1;
  const random = () => {
    // xorshift32: deterministic noise without a dependency.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const x = new Float32Array(count * size * size * 3);
  const labels: number[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    labels.push(label);
    for (let row = 0; row < size; row++) {
      for (let col = 0; col < size; col++) {
        const bright = (col < size / 2) === (label === 0);
        for (let ch = 0; ch < 3; ch++) x[p++] = Math.round((bright ? 170 : 60) + random() * 80);
      }
    }
  }
  return { x, labels, shape: [count, size, size, 3] };
}
