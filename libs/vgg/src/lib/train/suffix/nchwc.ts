// ONNX Runtime's blocked ("NCHWc") convolutions for the trained convolutions of a suffix.
// ORT rewrites a Conv to its NCHWc kernel only when the weights are constants, and a trained
// suffix feeds them as inputs, so its plain Conv ran on im2col + GEMM. Written by hand here:
// the activations reordered into channel blocks (ReorderInput / ReorderOutput) and the Keras
// kernel reordered in the graph into the blocked filter layout MLAS reads,
// [O/B][I/B][kh][kw][B(in)][B(out)]. Measured on a Zen 5 (2 threads, batch 16, 3x3, 512 out),
// reorders included: 14x14x512 in 73 -> 53 ms, 28x28x512 in 222 -> 152 ms, 28x28x256 in
// 140 -> 85 ms. The block size is MLAS' (16 with AVX-512, 8 with AVX2), asked of ORT itself.
import type * as Ort from "onnxruntime-node";
import { OnnxGraphBuilder } from "../../onnx/onnx-graph.ts";
import type { GraphWriter } from "./graph-writer.ts";

const DOMAIN = "com.microsoft.nchwc";

let probed: Promise<number | undefined> | undefined;

/**
 * The NCHWc block size of ONNX Runtime's CPU kernels on this machine, read from the channel
 * count ReorderInput pads 4 channels to; undefined where the build has no NCHWc kernels.
 */
export function nchwcBlockSize(ort: typeof Ort): Promise<number | undefined> {
  probed ??= (async () => {
    const b = new OnnxGraphBuilder(["x", "y"]);
    b.addNamedNode("Identity", [b.addDomainNode(DOMAIN, "ReorderInput", ["x"], "blocked")], "y");
    const bytes = b.encode([{ name: "x", shape: [1, 4, 1, 1] }], [{ name: "y", shape: [1, null, 1, 1] }], {}, "nchwc_probe");
    try {
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"] });
      const out = await session.run({ x: new ort.Tensor("float32", new Float32Array(4), [1, 4, 1, 1]) });
      await session.release();
      const block = out.y.dims[1];
      return block >= 4 ? block : undefined;
    } catch {
      return undefined;
    }
  })();
  return probed;
}

/** Whether a convolution from `inChannels` to `outChannels` can take the blocked path. */
export function blockedConvFits(g: GraphWriter, inChannels: number, outChannels: number): boolean {
  const block = g.nchwcBlock;
  return block !== undefined && inChannels % block === 0 && outChannels % block === 0;
}

export interface ConvDims {
  kh: number;
  kw: number;
  inChannels: number;
  outChannels: number;
}

/**
 * NCHW `x` through ReorderInput, a blocked 'same' convolution with `filter` (already in the
 * blocked layout, shaped [out, in, kh, kw]) and ReorderOutput back to NCHW with `out` channels.
 */
function reorderedConv(g: GraphWriter, x: string, filter: string, bias: string | undefined, kh: number, kw: number, out: number, relu: boolean, base: string): string {
  const pads = [(kh - 1) / 2, (kw - 1) / 2, (kh - 1) / 2, (kw - 1) / 2];
  const xb = g.b.addDomainNode(DOMAIN, "ReorderInput", [x], `${base}_in`);
  const yb = g.b.addDomainNode(DOMAIN, "Conv", bias ? [xb, filter, bias] : [xb, filter], `${base}_blocked`, { kernel_shape: [kh, kw], pads, ...(relu ? { activation: "Relu" } : {}) });
  return g.b.addDomainNode(DOMAIN, "ReorderOutput", [yb], base, { channels: out });
}

/** A Keras [kh, kw, in, out] kernel split into blocks, [kh, kw, in/B, B, out/B, B], then permuted and shaped [o, i, kh, kw]. */
function blockedFilter(g: GraphWriter, kernel: string, d: ConvDims, perm: number[], shape: [number, number], base: string): string {
  const block = g.nchwcBlock!;
  const split = g.reshape(kernel, [d.kh, d.kw, d.inChannels / block, block, d.outChannels / block, block], `${base}_split`);
  return g.reshape(g.transpose(split, perm, `${base}_perm`), [...shape, d.kh, d.kw], base);
}

/** A 'same' convolution of NCHW `x` with a Keras kernel on the blocked kernels; `relu` fuses the activation. Returns NCHW. */
export function blockedConv(g: GraphWriter, x: string, kernel: string, bias: string | undefined, d: ConvDims, relu: boolean, base: string): string {
  // filter[out][in][a][b] = K[a][b][in][out]: -> [O/B, I/B, kh, kw, B(in), B(out)]
  const filter = blockedFilter(g, kernel, d, [4, 2, 0, 1, 3, 5], [d.outChannels, d.inChannels], `${base}_filter`);
  return reorderedConv(g, x, filter, bias, d.kh, d.kw, d.outChannels, relu, `${base}_y`);
}

/**
 * The input gradient of that convolution: dZ (NCHW, `outChannels`) convolved with the kernel
 * flipped in space and with in and out swapped, on the blocked kernels. Returns NCHW.
 */
export function blockedConvInputGradient(g: GraphWriter, dz: string, kernel: string, d: ConvDims, base: string): string {
  const flipped = g.node("Slice", [kernel, g.int64([-1, -1]), g.int64([-1_000_000, -1_000_000]), g.int64([0, 1]), g.int64([-1, -1])], `${base}_kflipped`);
  // filter[in][out][a][b] = K[kh-1-a][kw-1-b][in][out]: -> [I/B, O/B, kh, kw, B(out), B(in)]
  const filter = blockedFilter(g, flipped, d, [2, 4, 0, 1, 5, 3], [d.inChannels, d.outChannels], `${base}_dxfilter`);
  return reorderedConv(g, dz, filter, undefined, d.kh, d.kw, d.inChannels, false, `${base}_dx`);
}
