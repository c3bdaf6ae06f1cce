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

/**
 * A 3x3-style 'same' convolution of NCHW `x` with a kernel given in Keras' [kh, kw, in, out]
 * layout, on the blocked kernels; `relu` fuses the activation. Returns NCHW.
 */
export function blockedConv(g: GraphWriter, x: string, kernel: string, bias: string | undefined, shape: { kh: number; kw: number; inChannels: number; outChannels: number }, relu: boolean, base: string): string {
  const block = g.nchwcBlock!;
  const { kh, kw, inChannels: i, outChannels: o } = shape;
  // [kh, kw, I/B, Bi, O/B, Bo] -> [O/B, I/B, kh, kw, Bi, Bo]
  const split = g.reshape(kernel, [kh, kw, i / block, block, o / block, block], `${base}_ksplit`);
  const filter = g.reshape(g.transpose(split, [4, 2, 0, 1, 3, 5], `${base}_kblocked`), [o, i, kh, kw], `${base}_filter`);
  const pads = [(kh - 1) / 2, (kw - 1) / 2, (kh - 1) / 2, (kw - 1) / 2];
  const xb = g.b.addDomainNode(DOMAIN, "ReorderInput", [x], `${base}_xb`);
  const yb = g.b.addDomainNode(DOMAIN, "Conv", bias ? [xb, filter, bias] : [xb, filter], `${base}_yb`, { kernel_shape: [kh, kw], pads, ...(relu ? { activation: "Relu" } : {}) });
  return g.b.addDomainNode(DOMAIN, "ReorderOutput", [yb], `${base}_y`, { channels: o });
}

/**
 * The input gradient of that convolution: dZ (NCHW, `outChannels`) convolved with the kernel
 * flipped in space and with in and out swapped, on the blocked kernels. Returns NCHW.
 */
export function blockedConvInputGradient(g: GraphWriter, dz: string, kernel: string, shape: { kh: number; kw: number; inChannels: number; outChannels: number }, base: string): string {
  const block = g.nchwcBlock!;
  const { kh, kw, inChannels: i, outChannels: o } = shape;
  const flipped = g.node("Slice", [kernel, g.int64([-1, -1]), g.int64([-1_000_000, -1_000_000]), g.int64([0, 1]), g.int64([-1, -1])], `${base}_kflipped`);
  // filter[c_out = in][c_in = out][a][b] = K[kh-1-a][kw-1-b][in][out]: [kh, kw, I/B, Bi, O/B, Bo] -> [I/B, O/B, kh, kw, Bo, Bi]
  const split = g.reshape(flipped, [kh, kw, i / block, block, o / block, block], `${base}_dxsplit`);
  const filter = g.reshape(g.transpose(split, [2, 4, 0, 1, 5, 3], `${base}_dxblocked`), [i, o, kh, kw], `${base}_dxfilter`);
  const pads = [(kh - 1) / 2, (kw - 1) / 2, (kh - 1) / 2, (kw - 1) / 2];
  const dzb = g.b.addDomainNode(DOMAIN, "ReorderInput", [dz], `${base}_dzb`);
  const dxb = g.b.addDomainNode(DOMAIN, "Conv", [dzb, filter], `${base}_dxb`, { kernel_shape: [kh, kw], pads });
  return g.b.addDomainNode(DOMAIN, "ReorderOutput", [dxb], `${base}_dx`, { channels: i });
}
