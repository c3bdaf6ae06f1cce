// ONNX Runtime's blocked ("NCHWc") convolutions for the trained convolutions of a suffix.
// ORT rewrites a Conv to its NCHWc kernel only when the weights are constants, and a trained
// suffix feeds them as inputs, so its plain Conv ran on im2col + GEMM. Written by hand here:
// the activations reordered into channel blocks (ReorderInput / ReorderOutput) and the Keras
// kernel reordered in the graph into the blocked filter layout MLAS reads,
// [O/B][I/B][kh][kw][B(in)][B(out)]. Measured on a Zen 5 (2 threads, batch 16, 3x3, 512 out),
// reorders included: 14x14x512 in 73 -> 53 ms, 28x28x512 in 222 -> 152 ms, 28x28x256 in
// 140 -> 85 ms. The block size is MLAS' (16 with AVX-512, 8 with AVX2), asked of ORT itself.
// The kernel gradient is made of 1x1 blocked convolutions with the batch's pixels as their
// channels: 53 ms against 68 for nine GEMMs at 14x14x512, 103 against 139 at 28x28 256 -> 512.
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

/** Whether a convolution from `inChannels` to `outChannels` can run on blocked kernels of size `block`. */
export function blockedConvFits(block: number | undefined, inChannels: number, outChannels: number): boolean {
  return block !== undefined && inChannels % block === 0 && outChannels % block === 0;
}

export interface ConvDims {
  kh: number;
  kw: number;
  inChannels: number;
  outChannels: number;
}

/** A convolution's input or output: NHWC or NCHW, and in the blocked layout when a blocked kernel made or read it. */
export interface BlockedTensor {
  tensor: string;
  layout: "nhwc" | "nchw";
  /** The same values as the blocked kernels hold them: [N, C/B, h, w, B] in memory. */
  blocked?: string;
}

/** `x` in the blocked layout: as a blocked kernel left it, else through ReorderInput (which reads NHWC too). */
export function blockedOf(g: GraphWriter, x: BlockedTensor, base: string): string {
  return x.blocked ?? g.b.addDomainNode(DOMAIN, "ReorderInput", [x.tensor], base, x.layout === "nhwc" ? { channels_last: 1 } : {});
}

/**
 * A blocked 'same' convolution of `x` with `filter` (already in the blocked layout, shaped
 * [out, in, kh, kw]), back to NCHW with `out` channels through ReorderOutput.
 */
function reorderedConv(g: GraphWriter, xb: string, filter: string, bias: string | undefined, kh: number, kw: number, out: number, relu: boolean, base: string): Required<BlockedTensor> {
  const pads = [(kh - 1) / 2, (kw - 1) / 2, (kh - 1) / 2, (kw - 1) / 2];
  const yb = g.b.addDomainNode(DOMAIN, "Conv", bias ? [xb, filter, bias] : [xb, filter], `${base}_blocked`, { kernel_shape: [kh, kw], pads, ...(relu ? { activation: "Relu" } : {}) });
  return { tensor: g.b.addDomainNode(DOMAIN, "ReorderOutput", [yb], base, { channels: out }), layout: "nchw", blocked: yb };
}

/**
 * A 'same' convolution of `x` with a Keras kernel on the blocked kernels; `relu` fuses the
 * activation. Returns the output, and the input's blocked form, which the kernel gradient reads.
 */
export function blockedConv(g: GraphWriter, x: BlockedTensor, kernel: string, bias: string | undefined, d: ConvDims, relu: boolean, base: string): { out: Required<BlockedTensor>; inputBlocked: string } {
  const block = g.nchwcBlock!;
  // filter[out][in][a][b] = K[a][b][in][out], blocked [O/B, I/B, kh, kw, B(in), B(out)]: B(out) stays innermost
  const split = g.reshape(kernel, [d.kh, d.kw, d.inChannels / block, block, d.outChannels / block, block], `${base}_filter_split`);
  const filter = g.reshape(g.transpose(split, [4, 2, 0, 1, 3, 5], `${base}_filter_perm`), [d.outChannels, d.inChannels, d.kh, d.kw], `${base}_filter`);
  const inputBlocked = blockedOf(g, x, `${base}_y_in`);
  return { out: reorderedConv(g, inputBlocked, filter, bias, d.kh, d.kw, d.outChannels, relu, `${base}_y`), inputBlocked };
}

/**
 * The input gradient of that convolution: dZ (NCHW, `outChannels`) convolved with the kernel
 * flipped in space and with in and out swapped, on the blocked kernels. Returns NCHW.
 */
export function blockedConvInputGradient(g: GraphWriter, dz: string, kernel: string, d: ConvDims, base: string): string {
  const block = g.nchwcBlock!;
  const flipped = g.node("Slice", [kernel, g.int64([-1, -1]), g.int64([-1_000_000, -1_000_000]), g.int64([0, 1]), g.int64([-1, -1])], `${base}_kflipped`);
  // filter[in][out][a][b] = K[kh-1-a][kw-1-b][in][out], blocked [I/B, O/B, kh, kw, B(out), B(in)]:
  // the blocks moved first with B(out) kept innermost, then each B x B tile transposed by
  // ReorderInput, which reads [tiles, B, 1, B] as NCHW with one channel block (3x faster than
  // one Transpose that moves the innermost axis)
  const split = g.reshape(flipped, [d.kh, d.kw, d.inChannels / block, block, d.outChannels / block, block], `${base}_dxfilter_split`);
  const tiles = g.reshape(g.transpose(split, [2, 4, 0, 1, 3, 5], `${base}_dxfilter_perm`), [-1, block, 1, block], `${base}_dxfilter_tiles`);
  const filter = g.reshape(g.b.addDomainNode(DOMAIN, "ReorderInput", [tiles], `${base}_dxfilter_swapped`), [d.inChannels, d.outChannels, d.kh, d.kw], `${base}_dxfilter`);
  return reorderedConv(g, blockedOf(g, { tensor: dz, layout: "nchw" }, `${base}_dx_in`), filter, undefined, d.kh, d.kw, d.inChannels, false, `${base}_dx`).tensor;
}

export function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * The kernel gradient [kh, kw, in, out] of a blocked 'same' convolution, as blocked 1x1
 * convolutions of dZ taken as one image whose channels are the batch's N*h*w pixels and whose
 * width is `outChannels`: the filter of offset (a, b) is the padded input x (`xBlocked`, as the
 * forward convolution read it) shifted by (a, b), so output channel i at column o is
 * sum over pixels of x[pixel + (a, b)][i] * dZ[pixel][o].
 */
export function blockedConvKernelGradient(g: GraphWriter, xBlocked: string, dz: string, d: ConvDims, [h, w]: number[], base: string): string {
  const block = g.nchwcBlock!;
  const [ph, pw] = [(d.kh - 1) / 2, (d.kw - 1) / 2];
  // pixels must fill whole channel blocks: zero images are appended when h*w does not divide
  // into them (they add nothing to the sums); `images` is the batch multiple that does
  const images = block / gcd(h * w, block);
  const extra = images === 1 ? g.int64([0]) : batchPadding(g, xBlocked, images, `${base}_extra`);
  // x padded in space (and batch), then channel blocks outermost: [I/B, N, h+2ph, w+2pw, B]
  const pads = g.node("Concat", [g.int64([0, 0, ph, pw, 0]), extra, g.int64([0, ph, pw, 0])], `${base}_pads`, { axis: 0 });
  const padded = g.node("Pad", [g.reshape(xBlocked, [-1, d.inChannels / block, h, w, block], `${base}_xb`), pads], `${base}_xpad`);
  const xBlocks = g.transpose(padded, [1, 0, 2, 3, 4], `${base}_xblocks`);
  // dZ as one image: channels = pixels, width = out channels
  const dzPadded = images === 1 ? dz : g.node("Pad", [dz, g.node("Concat", [g.int64([0, 0, 0, 0]), extra, g.int64([0, 0, 0])], `${base}_dzpads`, { axis: 0 })], `${base}_dzpad`);
  const columns = g.reshape(g.transpose(dzPadded, [0, 2, 3, 1], `${base}_dz_nhwc`), [1, -1, 1, d.outChannels], `${base}_dz_columns`);
  const dzBlocked = g.b.addDomainNode(DOMAIN, "ReorderInput", [columns], `${base}_dz_blocked`);
  // one convolution per shift, whose filter [I/B, N, h, w, B] already is the blocked layout
  // [I/B][pixels/B][B(pixel)][B(in)]; nine of them beat one over the stacked shifts (no 9x copy)
  const parts: string[] = [];
  for (let a = 0; a < d.kh; a++) {
    for (let b = 0; b < d.kw; b++) {
      const filter = g.reshape(g.node("Slice", [xBlocks, g.int64([a, b]), g.int64([a + h, b + w]), g.int64([2, 3])], `${base}_x${a}${b}`), [d.inChannels, -1, 1, 1], `${base}_dkfilter${a}${b}`);
      parts.push(g.b.addDomainNode(DOMAIN, "Conv", [dzBlocked, filter], `${base}_dk${a}${b}_blocked`, { kernel_shape: [1, 1] }));
    }
  }
  // blocked outputs [1, in, 1, out] of one image stack along the channels in (a, b, in) order
  const y = g.b.addDomainNode(DOMAIN, "ReorderOutput", [g.node("Concat", parts, `${base}_dk_blocked`, { axis: 1 })], `${base}_dk_nchw`, { channels: d.kh * d.kw * d.inChannels });
  return g.reshape(y, [d.kh, d.kw, d.inChannels, d.outChannels], `${base}_dkernel`);
}

/** How many zero images make the batch of `x` a multiple of `images`, as an int64 [1]. */
export function batchPadding(g: GraphWriter, x: string, images: number, base: string): string {
  const n = g.node("Slice", [g.node("Shape", [x], `${base}_shape`), g.int64([0]), g.int64([1])], `${base}_n`);
  const m = g.int64([images]);
  return g.node("Mod", [g.node("Sub", [m, g.node("Mod", [n, m], `${base}_rest`)], `${base}_missing`), m], base);
}
