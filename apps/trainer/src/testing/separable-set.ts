// Test support: a dataset any model that learns at all separates (each class its own tint, its
// own shape), so a learning test failing means the pipeline is broken, not that the task was hard.
// Written as .ppm files, which need no encoder.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const TINTS: Record<string, [number, number, number]> = { circle: [190, 70, 70], square: [70, 70, 190] };

export function writeSeparableSet(dir: string, perClass = 40, size = 32): string[] {
  let state = 12345;
  const rand = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (const [cls, tint] of Object.entries(TINTS)) {
    mkdirSync(path.join(dir, cls), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const pixels = Buffer.alloc(size * size * 3);
      const cx = size * (0.25 + rand() / 2);
      const cy = size * (0.25 + rand() / 2);
      const r = size * (0.12 + rand() * 0.15);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const inside = cls === "circle" ? (x - cx) ** 2 + (y - cy) ** 2 < r * r : Math.abs(x - cx) < r && Math.abs(y - cy) < r;
          for (let c = 0; c < 3; c++) pixels[(y * size + x) * 3 + c] = inside ? 240 : Math.max(0, Math.min(255, tint[c] + (rand() - 0.5) * 80));
        }
      }
      writeFileSync(path.join(dir, cls, `${cls}.${i}.ppm`), Buffer.concat([Buffer.from(`P6\n${size} ${size}\n255\n`), pixels]));
    }
  }
  return Object.keys(TINTS);
}
