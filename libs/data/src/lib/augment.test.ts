import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { applyAugment, drawAugment, resolveAugment } from "./augment.ts";
import { Rng } from "./random.ts";

// Keras' apply_affine_transform on a 6x6 image, recorded with scipy by testing/keras/record-zoom.py.
const keras = JSON.parse(readFileSync(path.join(import.meta.dirname, "testing", "keras", "zoom.json"), "utf8")) as {
  height: number;
  width: number;
  input: number[];
  cases: { thetaDeg: number; zx: number; zy: number; output: number[] }[];
};

describe("augmentation as Keras' ImageDataGenerator", () => {
  it.each(keras.cases.map((c) => [c.thetaDeg, c.zx, c.zy, c.output] as const))("rotation %s deg, zoom zx %s zy %s matches apply_affine_transform", (thetaDeg, zx, zy, output) => {
    const pixels = Float32Array.from(keras.input);
    applyAugment(pixels, keras.width, keras.height, { flip: false, zoomX: zx, zoomY: zy, angleRad: (thetaDeg * Math.PI) / 180, brightness: 1 });
    const worst = output.reduce((max, v, i) => Math.max(max, Math.abs(v - pixels[i])), 0);
    expect(worst).toBeLessThan(1e-3);
    // A real change, not a near-identity that would pass anything.
    expect(output.some((v, i) => Math.abs(v - keras.input[i]) > 5)).toBe(true);
  });

  it("draws zx and zy independently from [1 - zoom, 1 + zoom], in and out, as zoom_range does", () => {
    const options = resolveAugment({ zoom: 0.2 });
    if (!options) throw new Error("resolveAugment returned null");
    const rng = new Rng(3);
    const draws = Array.from({ length: 2000 }, () => drawAugment(rng, options));
    const xs = draws.map((d) => d.zoomX);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0.8);
    expect(Math.max(...xs)).toBeLessThanOrEqual(1.2);
    expect(xs.filter((z) => z > 1).length).toBeGreaterThan(800);
    expect(xs.filter((z) => z < 1).length).toBeGreaterThan(800);
    expect(draws.filter((d) => Math.abs(d.zoomX - d.zoomY) > 0.05).length).toBeGreaterThan(1000);
  });
});
