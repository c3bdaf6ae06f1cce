// Forward and backward ONNX subgraphs of the layers a suffix is made of, in standard operators
// that onnxruntime-node's CPU kernels run. Convolutions and poolings work in NCHW (ONNX's
// layout); Flatten flattens NHWC as Keras does. Weights stay in Keras' layout ([kh, kw, in,
// out] kernels) so the trainer and the model exchange them without reordering. Backward:
//   Conv2D   input gradient = a convolution of dZ with the kernel transposed and flipped;
//            kernel gradient = one GEMM per kernel offset over the shifted, padded input
//            (measured faster here than ConvTranspose and than a convolution over the batch),
//            or on the blocked kernels 1x1 convolutions over the batch's pixels (nchwc.ts).
//            On the blocked kernels and even maps of 8x8 or more, all three take Winograd's
//            form (winograd.ts), the kernel gradient reading the tiles the forward transformed.
//   MaxPool  MaxUnpool routes each gradient to the index MaxPool picked: the first maximum of
//            its window in row-major order, as TensorFlow's MaxPoolGrad does on ties.
//   Dense    GEMMs; relu masks from the pre-activation (z > 0), as TF.js' step gradient.
import type { GraphWriter } from "./graph-writer.ts";
import { blockedConv, blockedConvFits, blockedConvInputGradient, blockedConvKernelGradient, type BlockedTensor, type ConvDims } from "./nchwc.ts";
import { winogradConv, winogradConvInputGradient, winogradFits, winogradKernelGradient, type WinogradInput } from "./winograd.ts";
import { outputShape, type SuffixOp } from "./suffix-layers.ts";

export type Layout = "nhwc" | "nchw" | "flat";

/** The running tensor: its name, layout and per-image shape (NHWC order whatever the layout). */
export interface Flow {
  tensor: string;
  layout: Layout;
  shape: number[];
  /** The same values in ONNX Runtime's blocked layout, when a blocked convolution made them (nchwc.ts). */
  blocked?: string;
}

/** What an op kept from the forward pass for its backward pass. */
export interface Saved {
  op: SuffixOp;
  /** The op's input as it arrived; backward returns the input gradient in this layout. */
  input: Flow;
  /** conv/dense: the pre-activation (or a fused relu's output); maxPool: the indices; dropout: the mask. */
  aux?: string;
  /** maxPool: the input in NCHW, whose shape MaxUnpool restores. */
  nchw?: string;
  /** conv in Winograd's form: the input as its forward transformed it, for the kernel gradient. */
  winograd?: WinogradInput;
}

/** Graph names of a weighted layer's kernel and bias (Keras' order: 0 kernel, 1 bias). */
export type ParamNames = (layer: string) => [string, string];

function toNchw(g: GraphWriter, f: Flow): Flow {
  if (f.layout !== "nhwc") return f;
  return { ...f, tensor: g.transpose(f.tensor, [0, 3, 1, 2], `${f.tensor}_nchw`), layout: "nchw" };
}

function toNhwc(g: GraphWriter, f: Flow): Flow {
  if (f.layout !== "nchw") return f;
  return { ...f, tensor: g.transpose(f.tensor, [0, 2, 3, 1], `${f.tensor}_nhwc`), layout: "nhwc" };
}

function convDims(op: Extract<SuffixOp, { kind: "conv" }>): ConvDims {
  return { kh: op.kernel[0], kw: op.kernel[1], inChannels: op.inChannels, outChannels: op.outChannels };
}

function activate(g: GraphWriter, z: string, activation: string, probsName: string | undefined, base: string): string {
  if (activation === "relu") return g.node("Relu", [z], `${base}_relu`);
  if (activation === "softmax") return probsName ? g.named("Softmax", [z], probsName, { axis: -1 }) : g.node("Softmax", [z], `${base}_probs`, { axis: -1 });
  return z;
}

/**
 * The forward pass of one op. `training` keeps what backward needs (pooling indices; dropout
 * masks from `masks`, without which dropout is the identity, as at inference); `probsName`
 * names the softmax output.
 */
export function forwardOp(g: GraphWriter, op: SuffixOp, input: Flow, params: ParamNames, training: { masks?: () => string } | undefined, probsName?: string): { out: Flow; saved: Saved } {
  const shape = outputShape(op, input.shape);
  switch (op.kind) {
    case "conv": {
      const [kernel, bias] = params(op.layer);
      if (blockedConvFits(g.nchwcBlock, op.inChannels, op.outChannels) && input.layout !== "flat") {
        // relu fused: its output is positive exactly where the pre-activation is, so it serves as the mask
        const x = { tensor: input.tensor, layout: input.layout, blocked: input.blocked };
        const d = convDims(op);
        const relu = op.activation === "relu";
        const y: { out: Required<BlockedTensor>; inputBlocked: string; input?: WinogradInput } = winogradFits(d, input.shape) ? winogradConv(g, x, kernel, bias, d, input.shape, relu, op.layer) : blockedConv(g, x, kernel, bias, d, relu, op.layer);
        return { out: { ...y.out, shape }, saved: { op, input: { ...input, blocked: y.inputBlocked }, aux: y.out.tensor, winograd: y.input } };
      }
      const x = toNchw(g, input);
      const oihw = g.transpose(kernel, [3, 2, 0, 1], `${op.layer}_oihw`);
      const [ph, pw] = [(op.kernel[0] - 1) / 2, (op.kernel[1] - 1) / 2];
      const z = g.node("Conv", [x.tensor, oihw, bias], `${op.layer}_z`, { kernel_shape: op.kernel, pads: [ph, pw, ph, pw] });
      return { out: { tensor: activate(g, z, op.activation, undefined, op.layer), layout: "nchw", shape }, saved: { op, input, aux: z } };
    }
    case "maxPool": {
      const x = toNchw(g, input);
      const attrs = { kernel_shape: op.pool, strides: op.pool };
      if (!training) return { out: { tensor: g.node("MaxPool", [x.tensor], op.layer, attrs), layout: "nchw", shape }, saved: { op, input } };
      const [y, indices] = g.multi("MaxPool", [x.tensor], [op.layer, `${op.layer}_indices`], attrs);
      return { out: { tensor: y, layout: "nchw", shape }, saved: { op, input, aux: indices, nchw: x.tensor } };
    }
    case "flatten": {
      const x = toNhwc(g, input);
      return { out: { tensor: g.node("Flatten", [x.tensor], "flat", { axis: 1 }), layout: "flat", shape }, saved: { op, input } };
    }
    case "globalAveragePooling": {
      const axes = input.layout === "nchw" ? [2, 3] : [1, 2];
      return { out: { tensor: g.node("ReduceMean", [input.tensor], "pooled", { axes, keepdims: 0 }), layout: "flat", shape }, saved: { op, input } };
    }
    case "dropout": {
      // Inverted dropout as TF.js does it; the mask (0 or 1/(1-rate)) comes from the caller, seeded.
      if (!training?.masks) return { out: input, saved: { op, input } };
      const mask = training.masks();
      return { out: { ...input, tensor: g.node("Mul", [input.tensor, mask], "dropped"), blocked: undefined }, saved: { op, input, aux: mask } };
    }
    case "dense": {
      const [kernel, bias] = params(op.layer);
      const z = g.node("Gemm", [input.tensor, kernel, bias], `${op.layer}_z`);
      return { out: { tensor: activate(g, z, op.activation, probsName, op.layer), layout: "flat", shape }, saved: { op, input, aux: z } };
    }
  }
}

/**
 * A parameter's gradient, made on demand. Given a decay to fold in, the result is
 * alpha * gradient + beta * c, named `output`: a dense kernel's GEMM scales its product by
 * alpha in the same pass (fc1's is 411 MB), other gradients are scaled after.
 */
export type GradientOf = (fold?: { c: string; alpha: number; beta: number; output: string }) => string;

function folded(g: GraphWriter, make: () => string): GradientOf {
  return (fold) => {
    const gradient = make();
    if (!fold) return gradient;
    return g.named("Add", [g.node("Mul", [fold.c, g.scalar(fold.beta)], `${fold.c}_decayed`), g.node("Mul", [gradient, g.scalar(fold.alpha)], `${gradient}_scaled`)], fold.output);
  };
}

/** dZ from dY through the activation: relu passes where the pre-activation was positive. */
function throughActivation(g: GraphWriter, dy: string, z: string, activation: string, base: string): string {
  if (activation !== "relu") return dy;
  return g.node("Where", [g.node("Greater", [z, g.scalar(0)], `${base}_active`), dy, g.scalar(0)], `${base}_dz`);
}

/** The kernel gradient [kh, kw, in, out] of a 'same' stride-1 convolution, one GEMM per offset. */
function convKernelGradient(g: GraphWriter, op: Extract<SuffixOp, { kind: "conv" }>, input: Flow, dz: string): string {
  const [kh, kw] = op.kernel;
  const [ph, pw] = [(kh - 1) / 2, (kw - 1) / 2];
  const [h, w] = input.shape;
  const x = toNhwc(g, input).tensor;
  const padded = g.node("Pad", [x, g.int64([0, ph, pw, 0, 0, ph, pw, 0])], `${op.layer}_xpad`);
  const dz2d = g.reshape(g.transpose(dz, [0, 2, 3, 1], `${op.layer}_dz_nhwc`), [-1, op.outChannels], `${op.layer}_dz2d`);
  const parts: string[] = [];
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const shifted = g.node("Slice", [padded, g.int64([a, b]), g.int64([a + h, b + w]), g.int64([1, 2])], `${op.layer}_x${a}${b}`);
      const columns = g.reshape(shifted, [-1, op.inChannels], `${op.layer}_cols${a}${b}`);
      const product = g.node("Gemm", [columns, dz2d], `${op.layer}_dk${a}${b}`, { transA: 1 });
      parts.push(g.node("Unsqueeze", [product, g.int64([0])], `${op.layer}_dk${a}${b}_u`));
    }
  }
  return g.reshape(g.node("Concat", parts, `${op.layer}_dks`, { axis: 0 }), [kh, kw, op.inChannels, op.outChannels], `${op.layer}_dkernel`);
}

/** Receives each parameter's gradient as backward reaches it. */
export type OnGradient = (layer: string, index: 0 | 1, gradient: GradientOf) => void;

/**
 * Backward through one op: calls `onGradient` for its parameters and returns the gradient with
 * respect to its input (in the input's layout), or undefined when `needInput` is false.
 */
export function backwardOp(g: GraphWriter, saved: Saved, dy: string, params: ParamNames, needInput: boolean, onGradient: OnGradient | undefined): string | undefined {
  const { op, input, aux, winograd } = saved;
  switch (op.kind) {
    case "conv": {
      const dz = throughActivation(g, dy, aux!, op.activation, op.layer);
      const [kernel] = params(op.layer);
      // input.blocked: the forward ran on the blocked kernels
      const kernelGradient = () => {
        if (winograd) return winogradKernelGradient(g, winograd, dz, convDims(op), input.shape, op.layer);
        if (!input.blocked) return convKernelGradient(g, op, input, dz);
        return blockedConvKernelGradient(g, input.blocked, dz, convDims(op), input.shape, op.layer);
      };
      onGradient?.(op.layer, 0, folded(g, kernelGradient));
      onGradient?.(op.layer, 1, folded(g, () => g.sum(dz, [0, 2, 3], `${op.layer}_dbias`)));
      if (!needInput) return undefined;
      if (input.blocked) {
        const d = convDims(op);
        const dx = winogradFits(d, input.shape) ? winogradConvInputGradient(g, dz, kernel, d, input.shape, op.layer) : blockedConvInputGradient(g, dz, kernel, d, op.layer);
        return input.layout === "nhwc" ? g.transpose(dx, [0, 2, 3, 1], `${op.layer}_dx_nhwc`) : dx;
      }
      const flipped = g.node("Slice", [g.transpose(kernel, [2, 3, 0, 1], `${op.layer}_iohw`), g.int64([-1, -1]), g.int64([-1_000_000, -1_000_000]), g.int64([2, 3]), g.int64([-1, -1])], `${op.layer}_flipped`);
      const [ph, pw] = [(op.kernel[0] - 1) / 2, (op.kernel[1] - 1) / 2];
      const dx = g.node("Conv", [dz, flipped], `${op.layer}_dx`, { kernel_shape: op.kernel, pads: [ph, pw, ph, pw] });
      // the input arrived NHWC only when it was the suffix's input, where no gradient is needed
      return input.layout === "nhwc" ? g.transpose(dx, [0, 2, 3, 1], `${op.layer}_dx_nhwc`) : dx;
    }
    case "maxPool": {
      if (!needInput) return undefined;
      const shape = g.node("Shape", [saved.nchw!], `${op.layer}_shape`);
      const dx = g.node("MaxUnpool", [dy, aux!, shape], `${op.layer}_dx`, { kernel_shape: op.pool, strides: op.pool });
      return input.layout === "nhwc" ? g.transpose(dx, [0, 2, 3, 1], `${op.layer}_dx_nhwc`) : dx;
    }
    case "flatten": {
      if (!needInput) return undefined;
      const nhwc = g.reshape(dy, [-1, ...input.shape], "dflat_nhwc");
      return input.layout === "nchw" ? g.transpose(nhwc, [0, 3, 1, 2], "dflat_nchw") : nhwc;
    }
    case "globalAveragePooling": {
      if (!needInput) return undefined;
      const [h, w] = input.shape;
      const spread = g.node("Unsqueeze", [g.node("Mul", [dy, g.scalar(1 / (h * w))], "dpooled"), g.int64(input.layout === "nchw" ? [2, 3] : [1, 2])], "dpooled_u");
      return g.node("Expand", [spread, g.node("Shape", [input.tensor], "pooled_shape")], "dpooled_x");
    }
    case "dropout":
      if (!needInput) return undefined;
      return aux ? g.node("Mul", [dy, aux], "dropout_grad") : dy;
    case "dense": {
      const dz = throughActivation(g, dy, aux!, op.activation === "softmax" ? "linear" : op.activation, op.layer);
      const [kernel] = params(op.layer);
      onGradient?.(op.layer, 0, (fold) => {
        if (!fold) return g.node("Gemm", [input.tensor, dz], `${op.layer}_dkernel`, { transA: 1 });
        // not a Gemm with C: ONNX Runtime copies C into the output on one thread first (fc1: 86-105
        // ms against 20 + 35 + 25 here). As beta * (c + (alpha / beta) * gradient), the sum can
        // overwrite the GEMM's product in place, one 411 MB buffer fewer for fc1.
        if (fold.beta === 0) return g.named("Gemm", [input.tensor, dz], fold.output, { transA: 1, alpha: { float: fold.alpha } });
        const ratio = fold.beta === 1 ? fold.alpha : fold.alpha / fold.beta;
        const product = g.node("Gemm", [input.tensor, dz], `${op.layer}_dkernel_scaled`, { transA: 1, alpha: { float: ratio } });
        if (fold.beta === 1) return g.named("Add", [fold.c, product], fold.output);
        return g.named("Mul", [g.node("Add", [fold.c, product], `${fold.output}_sum`), g.scalar(fold.beta)], fold.output);
      });
      onGradient?.(op.layer, 1, folded(g, () => g.sum(dz, [0], `${op.layer}_dbias`)));
      return needInput ? g.node("Gemm", [dz, kernel], `${op.layer}_dinput`, { transB: 1 }) : undefined;
    }
  }
}
