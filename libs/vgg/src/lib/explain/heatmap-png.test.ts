import { describe, expect, it } from "vitest";
import sharp from "sharp";
import { ExplainInputError } from "../errors.ts";
import { jet, renderHeatmapPng } from "./heatmap-png.ts";

describe("renderHeatmapPng", () => {
  it("blends jet colours over the image: hot = dark red, cold = dark blue", async () => {
    const [width, height] = [4, 2];
    const image = { data: new Uint8Array(width * height * 3).fill(100), width, height };
    // Left half fully hot, right half cold.
    const heatmap = Float32Array.from({ length: width * height }, (_, p) => (p % width < 2 ? 1 : 0));
    const png = await renderHeatmapPng(image, { heatmap, width, height }, { alpha: 0.5 });
    expect(png.subarray(1, 4).toString("ascii")).toBe("PNG");
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([4, 2, 3]);
    // 0.5 * 100 + 0.5 * 255 * jet: jet(1) = (0.5, 0, 0), jet(0) = (0, 0, 0.5).
    expect(Array.from(data.subarray(0, 3))).toEqual([114, 50, 50]);
    expect(Array.from(data.subarray(3 * 3, 3 * 3 + 3))).toEqual([50, 50, 114]);
  });

  it("has the usual jet stops and rejects maps of another size or a bad alpha", async () => {
    expect(jet(0.5)).toEqual([0.5, 1, 0.5]);
    expect(jet(0.375)).toEqual([0, 1, 1]);
    const image = { data: new Uint8Array(2 * 2 * 3), width: 2, height: 2 };
    await expect(renderHeatmapPng(image, { heatmap: new Float32Array(9), width: 3, height: 3 })).rejects.toThrow(ExplainInputError);
    await expect(renderHeatmapPng(image, { heatmap: new Float32Array(9), width: 3, height: 3 })).rejects.toThrow(/heat map is 3x3 but the image is 2x2/);
    await expect(renderHeatmapPng(image, { heatmap: new Float32Array(4), width: 2, height: 2 }, { alpha: 2 })).rejects.toThrow(/alpha must be in \[0, 1\]/);
  });
});
