// Training kernels for the wasm backend. TF.js 4.22's wasm backend has no
// Conv2DBackpropFilter (tfjs issue 8474), so fine-tuning any convolution fails there; its
// Conv2DBackpropInput is a plain loop (~1.5 GFLOP/s against ~15 for its XNNPACK Conv2D) and
// its BatchMatMul with a transposed operand crawls (~0.25 GFLOP/s: a dense layer's weight
// gradient at fc1 took 26 s per batch of 32). All three are rewritten here as the backend's
// own Conv2D (a 1x1 convolution is a GEMM) plus layout kernels.
import { backend_util, broadcast_util, getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from "../tf.ts";
import { BackendError } from "../errors.ts";

const WASM = "wasm";

/** The slice of the wasm backend these kernels use: freeing intermediate results. */
interface DisposingBackend {
  disposeData(dataId: object): boolean;
}

type Pads = [[number, number], [number, number], [number, number], [number, number]];

/** Runs another kernel registered for wasm directly, outside the engine (no tape, no tracking). */
function run(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap, backend: DisposingBackend): TensorInfo {
  const kernel = getKernel(name, WASM);
  if (kernel === undefined) {
    throw new BackendError(`The wasm backend has no '${name}' kernel, which the training kernels build on; use @tensorflow/tfjs-backend-wasm 4.22.`);
  }
  return kernel.kernelFunc({ inputs, attrs, backend }) as TensorInfo;
}

function conv2d(x: TensorInfo, filter: TensorInfo, pad: Pads, dilations: [number, number], backend: DisposingBackend): TensorInfo {
  return run("Conv2D", { x, filter }, { strides: [1, 1], pad, dataFormat: "NHWC", dilations }, backend);
}

function requireNhwc(kernel: string, dataFormat: unknown): void {
  if (dataFormat !== "NHWC") {
    throw new BackendError(`${kernel} on wasm supports only NHWC (channelsLast) data, got ${String(dataFormat)}; build the model with dataFormat 'channelsLast'.`);
  }
}

function convInfo(xShape: number[], filterShape: number[], attrs: NamedAttrMap): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as "same" | "valid" | number,
    attrs.dimRoundingMode as "floor" | "round" | "ceil" | undefined,
  );
}

/**
 * dW[kh,kw,ci,co] = sum over n,oh,ow of xpad[n, oh*s+kh, ow*s+kw, ci] * dy[n,oh,ow,co]:
 * a convolution of x (channels as batch, images as channels) with dy as the filter, the
 * forward stride becoming the dilation.
 */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs = {} }) => {
  const b = backend as DisposingBackend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  requireNhwc("Conv2DBackpropFilter", attrs.dataFormat);
  const [kh, kw, ci, co] = attrs.filterShape as number[];
  const info = convInfo(x.shape, [kh, kw, ci, co], attrs);
  const { top, bottom, left, right } = info.padInfo;
  const xT = run("Transpose", { x }, { perm: [3, 1, 2, 0] }, b);
  const dyT = run("Transpose", { x: dy }, { perm: [1, 2, 0, 3] }, b);
  let grad = conv2d(xT, dyT, [[0, 0], [top, bottom], [left, right], [0, 0]], [info.strideHeight, info.strideWidth], b);
  b.disposeData(xT.dataId);
  b.disposeData(dyT.dataId);
  if (grad.shape[1] !== kh || grad.shape[2] !== kw) {
    // 'valid' padding can leave input rows no output reads; they add nothing to dW.
    const cropped = run("Slice", { x: grad }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] }, b);
    b.disposeData(grad.dataId);
    grad = cropped;
  }
  const out = run("Transpose", { x: grad }, { perm: [1, 2, 0, 3] }, b);
  b.disposeData(grad.dataId);
  return out;
};

/**
 * For stride 1, dx is dy convolved with the filter rotated by 180 degrees and its channel
 * axes swapped; other strides keep the backend's own kernel.
 */
function conv2DBackpropInput(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs = {} } = args;
    const b = backend as DisposingBackend;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    requireNhwc("Conv2DBackpropInput", attrs.dataFormat);
    const inputShape = attrs.inputShape as number[];
    const [kh, kw] = filter.shape;
    const info = convInfo(inputShape, filter.shape, attrs);
    const { top, bottom, left, right } = info.padInfo;
    const pads: Pads = [[0, 0], [kh - 1 - top, kh - 1 - bottom], [kw - 1 - left, kw - 1 - right], [0, 0]];
    const stride1 = info.strideHeight === 1 && info.strideWidth === 1;
    if (!stride1 || pads.some(([p, q]) => p < 0 || q < 0)) return fallback(args);
    const flipped = run("Reverse", { x: filter }, { dims: [0, 1] }, b);
    const rotated = run("Transpose", { x: flipped }, { perm: [0, 1, 3, 2] }, b);
    b.disposeData(flipped.dataId);
    const out = conv2d(dy, rotated, pads, [1, 1], b);
    b.disposeData(rotated.dataId);
    return out;
  };
}

function reshape(x: TensorInfo, shape: number[], backend: DisposingBackend): TensorInfo {
  return run("Reshape", { x }, { shape }, backend);
}

function transpose2d(x: TensorInfo, backend: DisposingBackend): TensorInfo {
  return run("Transpose", { x }, { perm: [1, 0] }, backend);
}

/** C = A B for row-major A [m, k] and B [k, n], as a 1x1 convolution over m "pixels". */
function gemm(a: TensorInfo, b: TensorInfo, backend: DisposingBackend): TensorInfo {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const x = reshape(a, [1, 1, m, k], backend);
  const filter = reshape(b, [1, 1, k, n], backend);
  const out = conv2d(x, filter, [[0, 0], [0, 0], [0, 0], [0, 0]], [1, 1], backend);
  backend.disposeData(x.dataId);
  backend.disposeData(filter.dataId);
  const matrix = reshape(out, [m, n], backend);
  backend.disposeData(out.dataId);
  return matrix;
}

/**
 * A product with a transposed operand and no batch: computes either op(A) op(B) or, when it
 * copies less, (B' A')' where a stored transposed operand is already the layout needed.
 */
function batchMatMul(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs = {} } = args;
    const b = backend as DisposingBackend;
    const { a, b: bm } = inputs as { a: TensorInfo; b: TensorInfo };
    const transposeA = attrs.transposeA === true;
    const transposeB = attrs.transposeB === true;
    const single = (t: TensorInfo) => t.shape.slice(0, -2).every((d) => d === 1);
    if ((!transposeA && !transposeB) || !single(a) || !single(bm) || a.dtype !== "float32" || bm.dtype !== "float32") return fallback(args);
    const rows = (t: TensorInfo) => t.shape[t.shape.length - 2];
    const cols = (t: TensorInfo) => t.shape[t.shape.length - 1];
    const a2 = reshape(a, [rows(a), cols(a)], b);
    const b2 = reshape(bm, [rows(bm), cols(bm)], b);
    const m = transposeA ? cols(a) : rows(a);
    const n = transposeB ? rows(bm) : cols(bm);
    const size = (t: TensorInfo) => t.shape.reduce((p, d) => p * d, 1);
    const directCost = (transposeA ? size(a) : 0) + (transposeB ? size(bm) : 0);
    const swappedCost = (transposeA ? 0 : size(a)) + (transposeB ? 0 : size(bm)) + m * n;
    let c: TensorInfo;
    if (directCost <= swappedCost) {
      const left = transposeA ? transpose2d(a2, b) : a2;
      const right = transposeB ? transpose2d(b2, b) : b2;
      c = gemm(left, right, b);
      if (left !== a2) b.disposeData(left.dataId);
      if (right !== b2) b.disposeData(right.dataId);
    } else {
      // C' = op(B)' op(A)': a transposed operand is stored as exactly that.
      const left = transposeB ? b2 : transpose2d(b2, b);
      const right = transposeA ? a2 : transpose2d(a2, b);
      const cT = gemm(left, right, b);
      c = transpose2d(cT, b);
      b.disposeData(cT.dataId);
      if (left !== b2) b.disposeData(left.dataId);
      if (right !== a2) b.disposeData(right.dataId);
    }
    b.disposeData(a2.dataId);
    b.disposeData(b2.dataId);
    const outer = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), bm.shape.slice(0, -2));
    const out = reshape(c, [...outer, m, n], b);
    b.disposeData(c.dataId);
    return out;
  };
}

let registered = false;

/**
 * Registers the training kernels for 'wasm'. Idempotent; call after importing
 * @tensorflow/tfjs-backend-wasm (whose kernels these compose).
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  const input = getKernel("Conv2DBackpropInput", WASM);
  const matMul = getKernel("BatchMatMul", WASM);
  if (input === undefined || matMul === undefined) {
    throw new BackendError("The wasm backend's kernels are not registered; import @tensorflow/tfjs-backend-wasm before registering the training kernels.");
  }
  const configs: KernelConfig[] = [
    { kernelName: "Conv2DBackpropFilter", backendName: WASM, kernelFunc: conv2DBackpropFilter },
    // The originals' setup and dispose functions stay: they still serve the cases not rewritten.
    { ...input, kernelFunc: conv2DBackpropInput(input.kernelFunc) },
    { ...matMul, kernelFunc: batchMatMul(matMul.kernelFunc) },
  ];
  for (const config of configs) {
    if (getKernel(config.kernelName, WASM) !== undefined) unregisterKernel(config.kernelName, WASM);
    registerKernel(config);
  }
  registered = true;
}
