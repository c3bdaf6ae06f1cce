// Test support: a dataset any model that learns at all separates (each class its own tint and
// shape), in the train/ test/ layout, so the dashboard's runs get a test evaluation too.
// Written as .ppm files, which need no encoder.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const TINTS: Record<string, [number, number, number]> = { circle: [190, 70, 70], square: [70, 70, 190] };

export function writeSeparableSet(dir: string, train = 32, test = 8, size = 32): void {
  let state = 12345;
  const rand = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (const [cls, tint] of Object.entries(TINTS)) {
    for (let i = 0; i < train + test; i++) {
      const folder = path.join(dir, i < train ? "train" : "test", cls);
      mkdirSync(folder, { recursive: true });
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
      writeFileSync(path.join(folder, `${cls}.${i}.ppm`), Buffer.concat([Buffer.from(`P6\n${size} ${size}\n255\n`), pixels]));
    }
  }
}
