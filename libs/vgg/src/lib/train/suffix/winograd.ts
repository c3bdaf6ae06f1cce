// Blocked 3x3 'same' convolutions by Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray,
// 2016), forward, input gradient and kernel gradient. Over 4x4 input tiles at stride 2, each
// giving a 2x2 output tile: y = A^T [(G k G^T) . (B^T x B)] A, so the convolution is 16
// products of (pixels/4 x in) by (in x out), 2.25x fewer multiply-adds than the direct form,
// between transforms made of slices and adds. Its transpose gives the kernel gradient:
// dk = G^T [sum over tiles of (B^T x B) . (A dy A^T)] G. The products run on ONNX Runtime's
// blocked 1x1 convolutions (see nchwc.ts); the forward lays its tiles out as the kernel
// gradient reads them, so one transform of the input serves both. Measured on a Zen 5
// (2 threads, batch 16), transforms included: forward 28x28x512 in 150 -> 125 ms; kernel
// gradient 28x28x512 in 181 -> 149 ms, 28x28 256 -> 512 in 93 -> 80 ms, 14x14x512 in 67 -> 46 ms.
import { batchPadding, blockedOf, gcd, type BlockedTensor, type ConvDims } from "./nchwc.ts";
import type { GraphWriter } from "./graph-writer.ts";

const DOMAIN = "com.microsoft.nchwc";

/** G of F(2, 3): the 3-tap kernel to its 4 transformed values. */
const G = [
  [1, 0, 0],
  [0.5, 0.5, 0.5],
  [0.5, -0.5, 0.5],
  [0, 0, 1],
];

/**
 * Whether a convolution takes the Winograd form: 3x3, even maps of 8x8 or more. On smaller
 * maps a kernel offset's gradient sums over a handful of pixels, so ReLU often makes it
 * exactly zero; the transforms leave rounding noise (1e-8) there, which Adam's normalised
 * step turns into a step of lr. The direct form is as fast at those sizes.
 */
export function winogradFits(d: ConvDims, [h, w]: number[]): boolean {
  return d.kh === 3 && d.kw === 3 && h % 2 === 0 && w % 2 === 0 && h >= 8 && w >= 8;
}

/** B^T of F(2, 3) along axis `axis`, split into (pairs of rows, parity) at `axis`, `axis + 1`: 4 tensors. */
function inputTransform(g: GraphWriter, x: string, axis: number, tiles: number, base: string): string[] {
  // rows 2i, 2i+1, 2i+2, 2i+3 of tile i: (pair i, 0), (i, 1), (i+1, 0), (i+1, 1)
  const row = (pair: number, parity: number) => g.node("Slice", [x, g.int64([pair, parity]), g.int64([pair + tiles, parity + 1]), g.int64([axis, axis + 1])], `${base}_d${pair}${parity}`);
  const [d0, d1, d2, d3] = [row(0, 0), row(0, 1), row(1, 0), row(1, 1)];
  return [g.node("Sub", [d0, d2], `${base}_0`), g.node("Add", [d1, d2], `${base}_1`), g.node("Sub", [d2, d1], `${base}_2`), g.node("Sub", [d1, d3], `${base}_3`)];
}

/**
 * B^T x B of every 4x4 tile at stride 2 of `padded`, [lead0, lead1, h+2, w+2, B] (one lead
 * dimension -1): 16 tensors [lead0, lead1, h/2, w/2, B] in (p, q) order.
 */
function tileTransforms(g: GraphWriter, padded: string, lead: [number, number], [h, w]: number[], block: number, base: string): string[] {
  const [th, tw] = [h / 2, w / 2];
  const rows = inputTransform(g, g.reshape(padded, [...lead, th + 1, 2, w + 2, block], `${base}_rows`), 2, th, `${base}_r`);
  return rows.flatMap((r, p) => inputTransform(g, g.reshape(r, [...lead, th, tw + 1, 2, block], `${base}_r${p}_cols`), 3, tw, `${base}_v${p}`));
}

/** A^T of F(2, 3) over four [.., 2 x 2 ..] products in (p) order: the outputs of row 0 and row 1. */
function outputTransform(g: GraphWriter, m: string[], base: string): [string, string] {
  const sum = g.node("Add", [g.node("Add", [m[0], m[1]], `${base}_01`), m[2]], `${base}_0`);
  const difference = g.node("Sub", [g.node("Sub", [m[1], m[2]], `${base}_12`), m[3]], `${base}_1`);
  return [sum, difference];
}

/**
 * The 16 transformed kernels G k G^T of a Keras kernel [3, 3, in, out] as blocked 1x1 filters
 * [out, in, 1, 1]; `transposed`: of the kernel flipped in space with in and out swapped (the
 * input gradient's), whose G k G^T is the same with G's rows reversed, so no flip is made.
 */
function transformedKernels(g: GraphWriter, kernel: string, d: ConvDims, transposed: boolean, base: string): string[] {
  const block = g.nchwcBlock!;
  const gg: number[] = [];
  for (let p = 0; p < 4; p++) for (let q = 0; q < 4; q++) for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) gg.push(transposed ? G[p][2 - a] * G[q][2 - b] : G[p][a] * G[q][b]);
  const u = g.node("MatMul", [g.b.addInitializer(`${base}_gg`, [16, 9], new Float32Array(gg)), g.reshape(kernel, [9, d.inChannels * d.outChannels], `${base}_k9`)], `${base}_u`);
  const split = g.reshape(u, [16, d.inChannels / block, block, d.outChannels / block, block], `${base}_u_split`);
  let filters: string;
  let [filterOut, filterIn] = [d.outChannels, d.inChannels];
  if (!transposed) {
    // [16, out/B, in/B, B(in), B(out)]
    filters = g.transpose(split, [0, 3, 1, 2, 4], `${base}_u_blocked`);
  } else {
    // [16, in/B, out/B, B(out), B(in)]: blocks moved with the innermost axis kept, then each
    // B x B tile transposed by ReorderInput, as nchwc.ts' input-gradient filter
    const tiles = g.reshape(g.transpose(split, [0, 1, 3, 2, 4], `${base}_u_perm`), [-1, block, 1, block], `${base}_u_tiles`);
    filters = g.b.addDomainNode(DOMAIN, "ReorderInput", [tiles], `${base}_u_blocked`);
    [filterOut, filterIn] = [d.inChannels, d.outChannels];
  }
  const each = g.multi("Split", [g.reshape(filters, [16, filterOut * filterIn], `${base}_u16`)], Array.from({ length: 16 }, (_, i) => `${base}_u${i}_flat`), { axis: 0 });
  return each.map((f, i) => g.reshape(f, [filterOut, filterIn, 1, 1], `${base}_u${i}`));
}

/**
 * A^T m A over the 16 products `m` ((p, q) order) back to the blocked output [N, out, h, w]:
 * each product is [N, out/B, th, tw, B] in memory, or [out/B, N', th, tw, B] when
 * `channelsOuter` (the forward's layout).
 */
function untile(g: GraphWriter, m: string[], outChannels: number, [h, w]: number[], channelsOuter: boolean, base: string): string {
  const block = g.nchwcBlock!;
  const [th, tw] = [h / 2, w / 2];
  // columns of each tile row first (q), then rows (p): y[a][b]
  const byRow = [0, 1, 2, 3].map((p) => outputTransform(g, m.slice(4 * p, 4 * p + 4), `${base}_z${p}`));
  const [y0, y1] = [0, 1].map((b) => outputTransform(g, byRow.map((z) => z[b]), `${base}_y${b}`));
  // [y[0][0], y[0][1], y[1][0], y[1][1]] as [a, b, (lead), th, tw, B] -> [N, out/B, th, a, tw, b, B]
  const lead = channelsOuter ? [outChannels / block, -1] : [-1, outChannels / block];
  const stacked = g.reshape(g.node("Concat", [y0[0], y1[0], y0[1], y1[1]], `${base}_ys`, { axis: 0 }), [2, 2, ...lead, th, tw, block], `${base}_ys_split`);
  const perm = channelsOuter ? [3, 2, 4, 0, 5, 1, 6] : [2, 3, 4, 0, 5, 1, 6];
  return g.reshape(g.transpose(stacked, perm, `${base}_y_tiles`), [-1, outChannels, h, w], `${base}_y_blocked`);
}

/** A 'same' 3x3 convolution of blocked `xb` ([N, in/B, h, w, B]) with the 16 transformed kernels, blocked [N, out/B, h, w, B]. */
function winogradBlocked(g: GraphWriter, xb: string, kernels: string[], inChannels: number, outChannels: number, [h, w]: number[], base: string): string {
  const block = g.nchwcBlock!;
  const [th, tw] = [h / 2, w / 2];
  const padded = g.node("Pad", [g.reshape(xb, [-1, inChannels / block, h, w, block], `${base}_xb`), g.int64([0, 0, 1, 1, 0, 0, 0, 1, 1, 0])], `${base}_xpad`);
  const images = tileTransforms(g, padded, [-1, inChannels / block], [h, w], block, `${base}_t`).map((v, i) => g.reshape(v, [-1, inChannels, th, tw], `${base}_v${i}`));
  const m = images.map((v, i) => g.b.addDomainNode(DOMAIN, "Conv", [v, kernels[i]], `${base}_m${i}`, { kernel_shape: [1, 1] }));
  return untile(g, m, outChannels, [h, w], false, base);
}

/**
 * Bytes of transformed tiles per image up to which the forward keeps them for the kernel
 * gradient (28x28x512: 6.4 MB; frozen 11 keeps 335 MB of tiles at batch 16), which otherwise
 * remakes them from the padded input (frozen 0's maps at 56x56x256 and more).
 */
const KEPT_TILE_BYTES_PER_IMAGE = 8 * 2 ** 20;

/**
 * A convolution's input as the forward transformed it, for its kernel gradient: channel blocks
 * outermost, padded in space and with zero images appended so the batch's tiles fill whole
 * channel blocks (the kernel gradient's products take the tiles as channels).
 */
export interface WinogradInput {
  /** [in/B, N', h+2, w+2, B], N' = N + the zero images. */
  padded: string;
  /** int64 [1]: how many zero images were appended. */
  extra: string;
  /** The batch multiple the zero images round N up to; 1 when none are ever needed. */
  images: number;
  /** B^T x B of every tile, 16 tensors [in/B, N', h/2, w/2, B] in (p, q) order; kept only while small (the kernel gradient remakes them otherwise). */
  tiles?: string[];
}

/**
 * `xBlocked` ([N, in/B, h, w, B]) padded and cut into transformed tiles, in the layout both the
 * forward's products and the kernel gradient's read, so one transform can serve both.
 */
export function winogradInput(g: GraphWriter, xBlocked: string, inChannels: number, [h, w]: number[], base: string): Required<WinogradInput> {
  const block = g.nchwcBlock!;
  const [th, tw] = [h / 2, w / 2];
  const inBlocks = inChannels / block;
  const images = block / gcd(th * tw, block);
  const extra = images === 1 ? g.int64([0]) : batchPadding(g, xBlocked, images, `${base}_wextra`);
  const xBlocks = g.transpose(g.reshape(xBlocked, [-1, inBlocks, h, w, block], `${base}_wxb`), [1, 0, 2, 3, 4], `${base}_wxblocks`);
  const pads = g.node("Concat", [g.int64([0, 0, 1, 1, 0, 0]), extra, g.int64([1, 1, 0])], `${base}_wpads`, { axis: 0 });
  const padded = g.node("Pad", [xBlocks, pads], `${base}_wxpad`);
  const tiles = tileTransforms(g, padded, [inBlocks, -1], [h, w], block, `${base}_wt`);
  return { padded, extra, images, tiles };
}

/**
 * Winograd's form of nchwc.ts' blockedConv: a 'same' 3x3 convolution of `x` with a Keras
 * kernel, `relu` applied. Each of the 16 products is a blocked 1x1 convolution of one image
 * whose width is the batch's tiles ([in/B, N', th, tw, B] is that image's blocked layout), so
 * the kernel gradient reads the same transformed tiles. Returns the output (NCHW and blocked),
 * the input's blocked form and its tiles.
 */
export function winogradConv(g: GraphWriter, x: BlockedTensor, kernel: string, bias: string | undefined, d: ConvDims, [h, w]: number[], relu: boolean, base: string): { out: Required<BlockedTensor>; inputBlocked: string; input: WinogradInput } {
  const inputBlocked = blockedOf(g, x, `${base}_y_in`);
  const keep = 16 * h * w * d.inChannels <= KEPT_TILE_BYTES_PER_IMAGE;
  const input = winogradInput(g, inputBlocked, d.inChannels, [h, w], base);
  const kernels = transformedKernels(g, kernel, d, false, `${base}_wk`);
  // `bias` goes to the (1, 1) product, which A^T adds to all four outputs of a tile once each
  const m = input.tiles.map((v, i) => {
    const image = g.reshape(v, [1, d.inChannels, 1, -1], `${base}_wv${i}`);
    return g.b.addDomainNode(DOMAIN, "Conv", i === 5 && bias ? [image, kernels[i], bias] : [image, kernels[i]], `${base}_wy_m${i}`, { kernel_shape: [1, 1] });
  });
  let z = untile(g, m, d.outChannels, [h, w], true, `${base}_wy`);
  // the appended zero images' outputs dropped
  if (input.images > 1) z = g.node("Slice", [z, g.int64([0]), g.node("Slice", [g.node("Shape", [inputBlocked], `${base}_wy_shape`), g.int64([0]), g.int64([1])], `${base}_wy_n`), g.int64([0])], `${base}_wy_blocked`);
  const yb = relu ? g.node("Relu", [z], `${base}_y_blocked`) : z;
  return { out: { tensor: g.b.addDomainNode(DOMAIN, "ReorderOutput", [yb], `${base}_y`, { channels: d.outChannels }), layout: "nchw", blocked: yb }, inputBlocked, input: keep ? input : { ...input, tiles: undefined } };
}

/** Winograd's form of nchwc.ts' blockedConvInputGradient: dZ (NCHW) to dX (NCHW). */
export function winogradConvInputGradient(g: GraphWriter, dz: string, kernel: string, d: ConvDims, [h, w]: number[], base: string): string {
  const dzb = blockedOf(g, { tensor: dz, layout: "nchw" }, `${base}_dx_in`);
  const dx = winogradBlocked(g, dzb, transformedKernels(g, kernel, d, true, `${base}_wdxk`), d.outChannels, d.inChannels, [h, w], `${base}_wdx`);
  return g.b.addDomainNode(DOMAIN, "ReorderOutput", [dx], `${base}_dx`, { channels: d.inChannels });
}

/**
 * A of F(2, 3) along the parity axis `axis` of `dy`, with the sign of the last row left out
 * (folded into the final G^T): dy0, dy0 + dy1, dy0 - dy1, dy1.
 */
function outputGradientTransform(g: GraphWriter, dy: string, axis: number, base: string): string[] {
  const [d0, d1] = [0, 1].map((p) => g.node("Slice", [dy, g.int64([p]), g.int64([p + 1]), g.int64([axis])], `${base}_p${p}`));
  return [d0, g.node("Add", [d0, d1], `${base}_sum`), g.node("Sub", [d0, d1], `${base}_diff`), d1];
}

/**
 * The kernel gradient [3, 3, in, out] of a blocked 'same' 3x3 convolution over even h and w,
 * from dZ (NCHW) and the input's tiles as the forward made them (remade here when it did not
 * keep them). Each of the 16 products is a blocked 1x1 convolution of A dZ A^T, taken as one
 * image whose channels are the batch's N'*h*w/4 tiles, with B^T x B as its filter (like
 * nchwc.ts' direct form).
 */
export function winogradKernelGradient(g: GraphWriter, input: WinogradInput, dz: string, d: ConvDims, [h, w]: number[], base: string): string {
  const block = g.nchwcBlock!;
  const [th, tw] = [h / 2, w / 2];
  const tiles = input.tiles ?? tileTransforms(g, input.padded, [d.inChannels / block, -1], [h, w], block, `${base}_wt`);
  // each [in/B, N', th, tw, B]: the blocked filter layout [in/B][tiles/B][B(tile)][B(in)] of a
  // 1x1 convolution from tiles to `in`
  const filters = tiles.map((v, i) => g.reshape(v, [d.inChannels, -1, 1, 1], `${base}_wfilter${i}`));
  // A dZ A^T: dZ NHWC with the parity of rows and columns split out, [N, th, 2, tw, 2, out]
  const dzPadded = input.images === 1 ? dz : g.node("Pad", [dz, g.node("Concat", [g.int64([0, 0, 0, 0]), input.extra, g.int64([0, 0, 0])], `${base}_wdzpads`, { axis: 0 })], `${base}_wdzpad`);
  const dzTiles = g.reshape(g.transpose(dzPadded, [0, 2, 3, 1], `${base}_wdz_nhwc`), [-1, th, 2, tw, 2, d.outChannels], `${base}_wdz_tiles`);
  const tileImages = outputGradientTransform(g, dzTiles, 2, `${base}_wdr`).flatMap((r, p) =>
    outputGradientTransform(g, r, 4, `${base}_wdc${p}`).map((m, q) => g.b.addDomainNode(DOMAIN, "ReorderInput", [g.reshape(m, [1, -1, 1, d.outChannels], `${base}_wdm${p}${q}`)], `${base}_wdm${p}${q}_blocked`)),
  );
  const products = tileImages.map((m, i) => g.b.addDomainNode(DOMAIN, "Conv", [m, filters[i]], `${base}_wdu${i}_blocked`, { kernel_shape: [1, 1] }));
  // [1, 16 * in, 1, out] in (p, q, in) order, then dk[a][b] = sum of G[p][a] G[q][b] s[p] s[q] dU[p][q]
  const du = g.b.addDomainNode(DOMAIN, "ReorderOutput", [g.node("Concat", products, `${base}_wdu_blocked`, { axis: 1 })], `${base}_wdu`, { channels: 16 * d.inChannels });
  const sign = [1, 1, 1, -1];
  const gt: number[] = [];
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) for (let p = 0; p < 4; p++) for (let q = 0; q < 4; q++) gt.push(G[p][a] * G[q][b] * sign[p] * sign[q]);
  const dk = g.node("MatMul", [g.b.addInitializer(`${base}_wgt`, [9, 16], new Float32Array(gt)), g.reshape(du, [16, d.inChannels * d.outChannels], `${base}_wdu16`)], `${base}_wdk9`);
  return g.reshape(dk, [3, 3, d.inChannels, d.outChannels], `${base}_wdkernel`);
}
