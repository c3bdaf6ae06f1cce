/**
 * Procedural pictures for synthetic datasets. A class is a shape with a colour family and a
 * stripe frequency; each picture varies position, size, rotation, stretch, hue, background,
 * a distractor shape and pixel noise, so a classifier has to learn shapes and textures (the
 * low-level structure ImageNet features already know) rather than one pixel's colour.
 */
import type { Rng } from "./random.ts";
import type { RgbImage } from "./resize.ts";

export const SHAPES = ["circle", "square", "triangle", "star", "ring", "cross", "diamond", "hexagon"] as const;
type Shape = (typeof SHAPES)[number];

const STRIPE_FREQUENCIES = [2, 3.5, 5];

/** Signed distance in shape units (outline near 1): negative inside. Approximate for star and polygons. */
function shapeDistance(shape: Shape, u: number, v: number): number {
  switch (shape) {
    case "circle":
      return Math.hypot(u, v) - 1;
    case "square":
      return Math.max(Math.abs(u), Math.abs(v)) - 0.8;
    case "diamond":
      return (Math.abs(u) + Math.abs(v) - 1) * Math.SQRT1_2;
    case "ring":
      return Math.abs(Math.hypot(u, v) - 0.72) - 0.26;
    case "cross":
      return Math.min(Math.max(Math.abs(u) - 0.3, Math.abs(v) - 0.95), Math.max(Math.abs(u) - 0.95, Math.abs(v) - 0.3));
    case "star":
      return Math.hypot(u, v) - (0.62 + 0.38 * Math.cos(5 * Math.atan2(v, u)));
    case "hexagon": {
      const a = Math.abs(u);
      const b = Math.abs(v);
      return Math.max(b, a * 0.866 + b * 0.5) - 0.85;
    }
    case "triangle": {
      // Equilateral triangle of circumradius ~1, pointing up.
      const k = Math.sqrt(3);
      let px = Math.abs(u) - 0.866;
      let py = -v + 0.5;
      if (px + k * py > 0) [px, py] = [(px - k * py) / 2, (-k * px - py) / 2];
      px -= Math.min(0, Math.max(-1.732, px));
      return -Math.hypot(px, py) * Math.sign(py);
    }
  }
}

function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const hue = (((h % 360) + 360) % 360) / 60;
  const c = v * s;
  const x = c * (1 - Math.abs((hue % 2) - 1));
  const m = v - c;
  const [r, g, b] = hue < 1 ? [c, x, 0] : hue < 2 ? [x, c, 0] : hue < 3 ? [0, c, x] : hue < 4 ? [0, x, c] : hue < 5 ? [x, 0, c] : [c, 0, x];
  return [(r + m) * 255, (g + m) * 255, (b + m) * 255];
}

interface Placed {
  shape: Shape;
  cx: number;
  cy: number;
  /** Pixels per shape unit. */
  scale: number;
  cos: number;
  sin: number;
  stretch: number;
  colour: [number, number, number];
  stripes: { frequency: number; cos: number; sin: number; phase: number } | null;
}

function place(rng: Rng, shape: Shape, width: number, height: number, size: [number, number], colour: [number, number, number]): Placed {
  const angle = rng.uniform(0, 2 * Math.PI);
  const side = Math.min(width, height);
  return {
    shape,
    cx: rng.uniform(0.3, 0.7) * width,
    cy: rng.uniform(0.3, 0.7) * height,
    scale: rng.uniform(size[0], size[1]) * side,
    cos: Math.cos(angle),
    sin: Math.sin(angle),
    stretch: rng.uniform(0.75, 1.3),
    colour,
    stripes: null,
  };
}

/** Shades `shape` over the picture: one-pixel antialiased coverage, stripes inside; only its bounding box is visited. */
function paint(pixels: Float32Array, width: number, height: number, p: Placed): void {
  const reach = p.scale * Math.max(1, p.stretch) * 1.5 + 2;
  const x0 = Math.max(0, Math.floor(p.cx - reach));
  const x1 = Math.min(width, Math.ceil(p.cx + reach));
  const y0 = Math.max(0, Math.floor(p.cy - reach));
  const y1 = Math.min(height, Math.ceil(p.cy + reach));
  const [r, g, b] = p.colour;
  for (let y = y0; y < y1; y++) {
    const dy = y + 0.5 - p.cy;
    for (let x = x0; x < x1; x++) {
      const dx = x + 0.5 - p.cx;
      const u = (p.cos * dx + p.sin * dy) / p.scale / p.stretch;
      const v = (-p.sin * dx + p.cos * dy) / p.scale;
      const cover = Math.min(1, Math.max(0, 0.5 - shapeDistance(p.shape, u, v) * p.scale));
      if (cover === 0) continue;
      const shade = p.stripes ? 0.7 + 0.15 * (1 + Math.sin(2 * Math.PI * p.stripes.frequency * (u * p.stripes.cos + v * p.stripes.sin) + p.stripes.phase)) : 1;
      const i = (y * width + x) * 3;
      pixels[i] += (r * shade - pixels[i]) * cover;
      pixels[i + 1] += (g * shade - pixels[i + 1]) * cover;
      pixels[i + 2] += (b * shade - pixels[i + 2]) * cover;
    }
  }
}

/** Two-colour linear gradient plus three low-frequency waves (separable, so tabulated per row and column). */
function paintBackground(pixels: Float32Array, width: number, height: number, rng: Rng): void {
  const from = hsvToRgb(rng.uniform(0, 360), rng.uniform(0.05, 0.6), rng.uniform(0.15, 0.9));
  const to = hsvToRgb(rng.uniform(0, 360), rng.uniform(0.05, 0.6), rng.uniform(0.15, 0.9));
  const angle = rng.uniform(0, 2 * Math.PI);
  const gx = Math.cos(angle) / width;
  const gy = Math.sin(angle) / height;
  const waveX = new Float64Array(width * 2 * 3);
  const waveY = new Float64Array(height * 2 * 3);
  for (let w = 0; w < 3; w++) {
    const fx = rng.uniform(-6, 6) / width;
    const fy = rng.uniform(-6, 6) / height;
    const phase = rng.uniform(0, 2 * Math.PI);
    const amp = rng.uniform(4, 14);
    // sin(a + b) = sin a cos b + cos a sin b, with a from the column and b from the row.
    for (let x = 0; x < width; x++) {
      waveX[(w * width + x) * 2] = amp * Math.sin(2 * Math.PI * fx * (x + 0.5));
      waveX[(w * width + x) * 2 + 1] = amp * Math.cos(2 * Math.PI * fx * (x + 0.5));
    }
    for (let y = 0; y < height; y++) {
      waveY[(w * height + y) * 2] = Math.cos(2 * Math.PI * fy * (y + 0.5) + phase);
      waveY[(w * height + y) * 2 + 1] = Math.sin(2 * Math.PI * fy * (y + 0.5) + phase);
    }
  }
  let o = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = Math.min(1, Math.max(0, 0.5 + (x + 0.5 - width / 2) * gx + (y + 0.5 - height / 2) * gy));
      let wave = 0;
      for (let w = 0; w < 3; w++) {
        const xi = (w * width + x) * 2;
        const yi = (w * height + y) * 2;
        wave += waveX[xi] * waveY[yi] + waveX[xi + 1] * waveY[yi + 1];
      }
      pixels[o] = from[0] + (to[0] - from[0]) * t + wave;
      pixels[o + 1] = from[1] + (to[1] - from[1]) * t + wave;
      pixels[o + 2] = from[2] + (to[2] - from[2]) * t + wave;
      o += 3;
    }
  }
}

/**
 * A class's look: style k draws SHAPES[k % 8] with hue k x 137.5 degrees (the golden angle, so
 * consecutive styles get distant hues) and stripe frequency number k % 3. A class named after a
 * shape gets that shape's style; other names take the unused styles in order.
 */
export function classStyles(classNames: readonly string[]): number[] {
  const named = classNames.map((name) => (SHAPES as readonly string[]).indexOf(name));
  const taken = new Set(named.filter((i) => i >= 0));
  let next = 0;
  return named.map((style) => {
    if (style >= 0) return style;
    while (taken.has(next)) next++;
    taken.add(next);
    return next;
  });
}

/** Draws one picture in class style `style` (see classStyles); every random choice comes from `rng`. */
export function drawPicture(style: number, width: number, height: number, rng: Rng): RgbImage {
  const classHue = (style * 137.508) % 360;
  const hue = rng.next() < 0.8 ? classHue + rng.uniform(-40, 40) : rng.uniform(0, 360);
  const main = place(rng, SHAPES[style % SHAPES.length], width, height, [0.2, 0.34], hsvToRgb(hue, rng.uniform(0.45, 1), rng.uniform(0.55, 1)));
  const stripeAngle = rng.uniform(0, Math.PI);
  main.stripes = { frequency: STRIPE_FREQUENCIES[style % STRIPE_FREQUENCIES.length] * rng.uniform(0.8, 1.2), cos: Math.cos(stripeAngle), sin: Math.sin(stripeAngle), phase: rng.uniform(0, 2 * Math.PI) };
  const distractor = rng.next() < 0.5 ? place(rng, SHAPES[rng.int(SHAPES.length)], width, height, [0.08, 0.16], hsvToRgb(rng.uniform(0, 360), rng.uniform(0.2, 1), rng.uniform(0.3, 1))) : null;

  const pixels = new Float32Array(width * height * 3);
  paintBackground(pixels, width, height, rng);
  if (distractor) paint(pixels, width, height, distractor);
  paint(pixels, width, height, main);
  const noise = rng.uniform(4, 12);
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    // Triangular noise from the two halves of one draw: half the generator calls of two draws.
    const bits = rng.uint32();
    const value = pixels[i] + ((bits & 0xffff) / 65536 + (bits >>> 16) / 65536 - 1) * noise;
    out[i] = value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
  }
  return { data: out, width, height };
}
