// The kernel gradient of a blocked 3x3 'same' convolution, Winograd's form and the direct one,
// against the sum written out in loops: dk[a][b][i][o] = sum over n, y, x of
// xpad[n][y + a][x + b][i] * dz[n][o][y][x].
import { describe, expect, it } from "vitest";
import * as ort from "onnxruntime-node";
import { GraphWriter } from "./graph-writer.ts";
import { blockedConvKernelGradient, nchwcBlockSize, type ConvDims } from "./nchwc.ts";
import { winogradFits, winogradKernelGradient } from "./winograd.ts";

function reference(x: Float32Array, dz: Float32Array, [n, h, w, c]: number[], out: number): Float64Array {
  const dk = new Float64Array(9 * c * out);
  for (let a = 0; a < 3; a++)
    for (let b = 0; b < 3; b++)
      for (let i = 0; i < c; i++)
        for (let o = 0; o < out; o++) {
          let sum = 0;
          for (let m = 0; m < n; m++)
            for (let y = 0; y < h; y++)
              for (let z = 0; z < w; z++) {
                const [sy, sz] = [y + a - 1, z + b - 1];
                if (sy < 0 || sy >= h || sz < 0 || sz >= w) continue;
                sum += x[((m * h + sy) * w + sz) * c + i] * dz[((m * out + o) * h + y) * w + z];
              }
          dk[((a * 3 + b) * c + i) * out + o] = sum;
        }
  return dk;
}

async function kernelGradient(form: "winograd" | "direct", block: number, x: Float32Array, dz: Float32Array, [n, h, w, c]: number[], out: number): Promise<Float32Array> {
  const g = new GraphWriter(["x", "dz", "dk"], block);
  const xBlocked = g.b.addDomainNode("com.microsoft.nchwc", "ReorderInput", ["x"], "x_blocked", { channels_last: 1 });
  const d: ConvDims = { kh: 3, kw: 3, inChannels: c, outChannels: out };
  const dk = form === "winograd" ? winogradKernelGradient(g, xBlocked, "dz", d, [h, w], "conv") : blockedConvKernelGradient(g, xBlocked, "dz", d, [h, w], "conv");
  g.named("Identity", [dk], "dk");
  const bytes = g.b.encode([{ name: "x", shape: [null, h, w, c] }, { name: "dz", shape: [null, out, h, w] }], [{ name: "dk", shape: [3, 3, c, out] }], {}, "kernel_gradient");
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"] });
  const result = await session.run({ x: new ort.Tensor("float32", x, [n, h, w, c]), dz: new ort.Tensor("float32", dz, [n, out, h, w]) });
  await session.release();
  return result.dk.data as Float32Array;
}

describe("Winograd kernel gradient", () => {
  it("takes 3x3 kernels over even maps of 8x8 or more only", () => {
    const d = { kh: 3, kw: 3, inChannels: 16, outChannels: 16 };
    expect(winogradFits(d, [28, 28])).toBe(true);
    expect(winogradFits(d, [8, 10])).toBe(true);
    expect(winogradFits(d, [7, 8])).toBe(false);
    expect(winogradFits(d, [4, 4])).toBe(false);
    expect(winogradFits({ ...d, kh: 5, kw: 5 }, [28, 28])).toBe(false);
  });

  // [n, h, w, in channel blocks, out]: batches whose tiles do not fill channel blocks (zero
  // images appended), a 2x2 map (one tile), non-square maps
  for (const [n, h, w, blocks, out] of [
    [3, 6, 4, 1, 5],
    [2, 2, 2, 2, 16],
    [5, 8, 6, 1, 3],
  ]) {
    it(`equals the sum written out, as the direct form does (batch ${n}, ${h}x${w})`, async () => {
      const block = await nchwcBlockSize(ort);
      if (block === undefined) {
        expect(process.arch).not.toBe("x64"); // only ARM builds lack ONNX Runtime's blocked kernels
        return;
      }
      const c = blocks * block;
      const x = Float32Array.from({ length: n * h * w * c }, (_, i) => Math.sin(i * 1.3) * 2);
      const dz = Float32Array.from({ length: n * out * h * w }, (_, i) => Math.cos(i * 0.7));
      const expected = reference(x, dz, [n, h, w, c], out);
      const scale = Math.max(...Array.from(expected, Math.abs));
      for (const form of ["winograd", "direct"] as const) {
        const ours = await kernelGradient(form, block, x, dz, [n, h, w, c], out);
        const worst = Math.max(...Array.from(ours, (v, i) => Math.abs(v - expected[i])));
        expect(worst / scale, form).toBeLessThan(1e-5);
      }
    });
  }
});
