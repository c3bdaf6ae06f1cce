// Winograd's forms of a blocked 3x3 'same' convolution against the sums written out in loops:
// the forward y[n][o][y][x] = relu(bias[o] + sum over a, b, i of xpad[n][y + a][x + b][i] * k[a][b][i][o]),
// the input gradient dx[n][i][y][x] = sum over a, b, o of dzpad[n][o][y + 1 - a][x + 1 - b] * k[a][b][i][o],
// and the kernel gradient dk[a][b][i][o] = sum over n, y, x of xpad[n][y + a][x + b][i] * dz[n][o][y][x]
// (the last also in nchwc.ts' direct form).
import { describe, expect, it } from "vitest";
import * as ort from "onnxruntime-node";
import { GraphWriter } from "./graph-writer.ts";
import { blockedConvKernelGradient, nchwcBlockSize, type ConvDims } from "./nchwc.ts";
import { winogradConv, winogradConvInputGradient, winogradFits, winogradInput, winogradKernelGradient } from "./winograd.ts";

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

/** "winograd": from the tiles as the forward keeps them; "remade": from the padded input alone, as for large maps. */
async function kernelGradient(form: "winograd" | "remade" | "direct", block: number, x: Float32Array, dz: Float32Array, [n, h, w, c]: number[], out: number): Promise<Float32Array> {
  const g = new GraphWriter(["x", "dz", "dk"], block);
  const xBlocked = g.b.addDomainNode("com.microsoft.nchwc", "ReorderInput", ["x"], "x_blocked", { channels_last: 1 });
  const d: ConvDims = { kh: 3, kw: 3, inChannels: c, outChannels: out };
  const input = winogradInput(g, xBlocked, c, [h, w], "conv");
  const dk = form === "direct" ? blockedConvKernelGradient(g, xBlocked, "dz", d, [h, w], "conv") : winogradKernelGradient(g, form === "remade" ? { ...input, tiles: undefined } : input, "dz", d, [h, w], "conv");
  g.named("Identity", [dk], "dk");
  const bytes = g.b.encode([{ name: "x", shape: [null, h, w, c] }, { name: "dz", shape: [null, out, h, w] }], [{ name: "dk", shape: [3, 3, c, out] }], {}, "kernel_gradient");
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"] });
  const result = await session.run({ x: new ort.Tensor("float32", x, [n, h, w, c]), dz: new ort.Tensor("float32", dz, [n, out, h, w]) });
  await session.release();
  return result.dk.data as Float32Array;
}

function forwardReference(x: Float32Array, k: Float32Array, bias: Float32Array, [n, h, w, c]: number[], out: number): Float64Array {
  const y = new Float64Array(n * out * h * w);
  for (let m = 0; m < n; m++)
    for (let o = 0; o < out; o++)
      for (let r = 0; r < h; r++)
        for (let s = 0; s < w; s++) {
          let sum = bias[o];
          for (let a = 0; a < 3; a++)
            for (let b = 0; b < 3; b++) {
              const [sy, sx] = [r + a - 1, s + b - 1];
              if (sy < 0 || sy >= h || sx < 0 || sx >= w) continue;
              for (let i = 0; i < c; i++) sum += x[((m * h + sy) * w + sx) * c + i] * k[((a * 3 + b) * c + i) * out + o];
            }
          y[((m * out + o) * h + r) * w + s] = Math.max(0, sum);
        }
  return y;
}

function inputGradientReference(dz: Float32Array, k: Float32Array, [n, h, w, c]: number[], out: number): Float64Array {
  const dx = new Float64Array(n * c * h * w);
  for (let m = 0; m < n; m++)
    for (let i = 0; i < c; i++)
      for (let r = 0; r < h; r++)
        for (let s = 0; s < w; s++) {
          let sum = 0;
          for (let a = 0; a < 3; a++)
            for (let b = 0; b < 3; b++) {
              const [sy, sx] = [r + 1 - a, s + 1 - b];
              if (sy < 0 || sy >= h || sx < 0 || sx >= w) continue;
              for (let o = 0; o < out; o++) sum += dz[((m * out + o) * h + sy) * w + sx] * k[((a * 3 + b) * c + i) * out + o];
            }
          dx[((m * c + i) * h + r) * w + s] = sum;
        }
  return dx;
}

async function run(g: GraphWriter, inputs: Record<string, [Float32Array, number[]]>, output: string, rank = 4): Promise<Float32Array> {
  const bytes = g.b.encode(
    Object.entries(inputs).map(([name, [, shape]]) => ({ name, shape })),
    [{ name: output, shape: Array<null>(rank).fill(null) }],
    {},
    "winograd",
  );
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"] });
  const result = await session.run(Object.fromEntries(Object.entries(inputs).map(([name, [data, shape]]) => [name, new ort.Tensor("float32", data, shape)])));
  await session.release();
  return result[output].data as Float32Array;
}

function worstRelative(ours: Float32Array, expected: Float64Array): number {
  const scale = Math.max(...Array.from(expected, Math.abs));
  expect(scale).toBeGreaterThan(0);
  return Math.max(...Array.from(ours, (v, i) => Math.abs(v - expected[i]))) / scale;
}

describe("Winograd convolution", () => {
  // [n, h, w, in, out] in channel blocks
  for (const [n, h, w, inBlocks, outBlocks] of [
    [2, 8, 10, 1, 2],
    [1, 12, 8, 2, 1],
  ]) {
    it(`forward (bias, relu) and input gradient equal the sums written out (batch ${n}, ${h}x${w})`, async () => {
      const block = await nchwcBlockSize(ort);
      if (block === undefined) {
        expect(process.arch).not.toBe("x64"); // only ARM builds lack ONNX Runtime's blocked kernels
        return;
      }
      const [c, out] = [inBlocks * block, outBlocks * block];
      const d: ConvDims = { kh: 3, kw: 3, inChannels: c, outChannels: out };
      const x = Float32Array.from({ length: n * h * w * c }, (_, i) => Math.sin(i * 1.3) * 2);
      const k = Float32Array.from({ length: 9 * c * out }, (_, i) => Math.cos(i * 0.37) * 0.3);
      const bias = Float32Array.from({ length: out }, (_, i) => (i % 3) - 1);
      const dz = Float32Array.from({ length: n * out * h * w }, (_, i) => Math.cos(i * 0.7));

      const forward = new GraphWriter(["x", "k", "bias", "y"], block);
      forward.named("Identity", [winogradConv(forward, { tensor: "x", layout: "nhwc" }, "k", "bias", d, [h, w], true, "conv").out.tensor], "y");
      const y = await run(forward, { x: [x, [n, h, w, c]], k: [k, [3, 3, c, out]], bias: [bias, [out]] }, "y");
      expect(worstRelative(y, forwardReference(x, k, bias, [n, h, w, c], out))).toBeLessThan(1e-5);
      expect(y.some((v) => v === 0) && y.some((v) => v > 0)).toBe(true); // relu cut some outputs, not all

      const backward = new GraphWriter(["dz", "k", "dx"], block);
      backward.named("Identity", [winogradConvInputGradient(backward, "dz", "k", d, [h, w], "conv")], "dx");
      const dx = await run(backward, { dz: [dz, [n, out, h, w]], k: [k, [3, 3, c, out]] }, "dx");
      expect(worstRelative(dx, inputGradientReference(dz, k, [n, h, w, c], out))).toBeLessThan(1e-5);
    });
  }
});

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
      for (const form of ["winograd", "remade", "direct"] as const) {
        const ours = await kernelGradient(form, block, x, dz, [n, h, w, c], out);
        const worst = Math.max(...Array.from(ours, (v, i) => Math.abs(v - expected[i])));
        expect(worst / scale, form).toBeLessThan(1e-5);
      }
    });
  }
});
