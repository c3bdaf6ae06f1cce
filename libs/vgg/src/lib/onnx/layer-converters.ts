// One translation per Keras layer class. The graph works in NCHW between convolutions (ONNX's
// layout) and the converters track where the running tensor is, so a transpose is added only
// where the layout has to change: before the first convolution, before Flatten (Keras
// flattens NHWC) and at a 4-D output (both engines return NHWC).
import type { Layer } from "../tf.ts";
import { OnnxExportError } from "../errors.ts";
import type { OnnxGraphBuilder } from "./onnx-graph.ts";

export type Layout = "nhwc" | "nchw" | "flat";

/** The running tensor of the graph being built. */
export interface FlowState {
  tensor: string;
  layout: Layout;
  /** Keras' per-image shape of the tensor (NHWC order whatever the layout), batch left out. */
  shape: Array<number | null>;
}

type Config = Record<string, unknown>;
type Converter = (b: OnnxGraphBuilder, layer: Layer, state: FlowState) => FlowState;

function fail(layer: Layer, problem: string): never {
  throw new OnnxExportError(`Layer "${layer.name}" (${layer.getClassName()}) cannot be exported to ONNX: ${problem}.`);
}

function pair(value: unknown, layer: Layer, key: string): [number, number] {
  const v = Array.isArray(value) ? value : [value, value];
  if (v.length !== 2 || !v.every((n) => Number.isInteger(n))) fail(layer, `${key} ${JSON.stringify(value)} is not one or two integers`);
  return [v[0] as number, v[1] as number];
}

function channelsLast(layer: Layer, config: Config): void {
  if (config.dataFormat !== undefined && config.dataFormat !== "channelsLast") {
    fail(layer, `dataFormat "${String(config.dataFormat)}" is not supported; build the model channelsLast as Keras does`);
  }
}

export function toNchw(b: OnnxGraphBuilder, s: FlowState, base: string): FlowState {
  if (s.layout !== "nhwc") return s;
  return { ...s, tensor: b.addNode("Transpose", [s.tensor], `${base}_nchw`, { perm: [0, 3, 1, 2] }), layout: "nchw" };
}

export function toNhwc(b: OnnxGraphBuilder, s: FlowState, base: string): FlowState {
  if (s.layout !== "nchw") return s;
  return { ...s, tensor: b.addNode("Transpose", [s.tensor], `${base}_nhwc`, { perm: [0, 2, 3, 1] }), layout: "nhwc" };
}

/** ONNX pads [top, left, bottom, right] for Keras' padding; TF's "same" puts the odd pixel at the end. */
function pads(layer: Layer, s: FlowState, padding: unknown, kernel: [number, number], strides: [number, number], dilation: [number, number]): number[] {
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding !== "same") fail(layer, `padding "${String(padding)}" is not supported (valid or same)`);
  const before: number[] = [];
  const after: number[] = [];
  for (const axis of [0, 1]) {
    const size = s.shape[axis];
    if (size === null || size === undefined) fail(layer, "padding 'same' needs a known input height and width");
    const out = Math.ceil(size / strides[axis]);
    const total = Math.max((out - 1) * strides[axis] + (kernel[axis] - 1) * dilation[axis] + 1 - size, 0);
    before.push(Math.floor(total / 2));
    after.push(total - Math.floor(total / 2));
  }
  return [...before, ...after];
}

/** Keras activation name -> the ONNX node that computes it (`linear` adds none). */
function applyActivation(b: OnnxGraphBuilder, layer: Layer, s: FlowState, activation: unknown, base: string): FlowState {
  switch (activation) {
    case undefined:
    case null:
    case "linear":
      return s;
    case "relu":
      return { ...s, tensor: b.addNode("Relu", [s.tensor], `${base}_relu`) };
    case "sigmoid":
      return { ...s, tensor: b.addNode("Sigmoid", [s.tensor], `${base}_sigmoid`) };
    case "tanh":
      return { ...s, tensor: b.addNode("Tanh", [s.tensor], `${base}_tanh`) };
    case "softmax": {
      // Keras normalises over the last axis, which is axis 1 while the tensor is NCHW.
      const axis = s.layout === "nchw" ? 1 : -1;
      return { ...s, tensor: b.addNode("Softmax", [s.tensor], `${base}_softmax`, { axis }) };
    }
    default:
      return fail(layer, `activation "${String(activation)}" is not supported (linear, relu, sigmoid, tanh, softmax)`);
  }
}

/** Keras' conv kernel [kh, kw, in, out] as ONNX's [out, in, kh, kw]. */
function hwioToOihw(hwio: Float32Array, [kh, kw, cin, cout]: number[]): Float32Array {
  const oihw = new Float32Array(hwio.length);
  for (let h = 0; h < kh; h++)
    for (let w = 0; w < kw; w++)
      for (let i = 0; i < cin; i++) {
        const from = ((h * kw + w) * cin + i) * cout;
        for (let o = 0; o < cout; o++) oihw[((o * cin + i) * kh + h) * kw + w] = hwio[from + o];
      }
  return oihw;
}

/**
 * The layer's current weight values (read-only: the cpu backend hands out its own storage, and
 * the initializer copies it). tfjs-layers returns the variables themselves: read, never disposed.
 */
function weightValues(layer: Layer): Array<{ shape: number[]; values: Float32Array }> {
  return layer.getWeights().map((w) => ({ shape: w.shape, values: w.dataSync() as Float32Array }));
}

const conv2d: Converter = (b, layer, state) => {
  const config = layer.getConfig() as Config;
  channelsLast(layer, config);
  const kernel = pair(config.kernelSize, layer, "kernelSize");
  const strides = pair(config.strides ?? 1, layer, "strides");
  const dilations = pair(config.dilationRate ?? 1, layer, "dilationRate");
  const [w, bias] = weightValues(layer);
  const [kh, kw, cin, cout] = w.shape;
  const inputs = [b.addInitializer(`${layer.name}_kernel`, [cout, cin, kh, kw], hwioToOihw(w.values, w.shape))];
  if (bias) inputs.push(b.addInitializer(`${layer.name}_bias`, bias.shape, bias.values));
  const s = toNchw(b, state, layer.name);
  const attrs = { kernel_shape: kernel, strides, dilations, pads: pads(layer, state, config.padding, kernel, strides, dilations), group: 1 };
  const out: FlowState = { ...s, tensor: b.addNode("Conv", [s.tensor, ...inputs], layer.name, attrs) };
  return applyActivation(b, layer, out, config.activation, layer.name);
};

function pool2d(opType: "MaxPool" | "AveragePool"): Converter {
  return (b, layer, state) => {
    const config = layer.getConfig() as Config;
    channelsLast(layer, config);
    const kernel = pair(config.poolSize, layer, "poolSize");
    const strides = pair(config.strides ?? config.poolSize, layer, "strides");
    // AveragePool's default count_include_pad=0 matches TF, which averages only real pixels.
    const attrs = { kernel_shape: kernel, strides, pads: pads(layer, state, config.padding, kernel, strides, [1, 1]) };
    const s = toNchw(b, state, layer.name);
    return { ...s, tensor: b.addNode(opType, [s.tensor], layer.name, attrs) };
  };
}

function globalPool2d(opType: "GlobalAveragePool" | "GlobalMaxPool"): Converter {
  return (b, layer, state) => {
    const config = layer.getConfig() as Config;
    channelsLast(layer, config);
    if (config.keepDims === true) fail(layer, "keepDims is not supported");
    const s = toNchw(b, state, layer.name);
    const pooled = b.addNode(opType, [s.tensor], `${layer.name}_nc11`);
    return { ...s, tensor: b.addNode("Flatten", [pooled], layer.name, { axis: 1 }), layout: "flat" };
  };
}

const flatten: Converter = (b, layer, state) => {
  const s = toNhwc(b, state, layer.name); // Keras' order: (h, w, c) with c fastest
  return { ...s, tensor: b.addNode("Flatten", [s.tensor], layer.name, { axis: 1 }), layout: "flat" };
};

const dense: Converter = (b, layer, state) => {
  if (state.layout !== "flat") fail(layer, "Dense on a 4-D tensor is not supported; put Flatten or a global pooling before it");
  const config = layer.getConfig() as Config;
  const [w, bias] = weightValues(layer);
  const inputs = [state.tensor, b.addInitializer(`${layer.name}_kernel`, w.shape, w.values)];
  if (bias) inputs.push(b.addInitializer(`${layer.name}_bias`, bias.shape, bias.values));
  // Keras' kernel is (in, out): Gemm with transB=0 takes it as it is.
  const out: FlowState = { ...state, tensor: b.addNode("Gemm", inputs, layer.name, { transB: 0 }) };
  return applyActivation(b, layer, out, config.activation, layer.name);
};

const identity: Converter = (_b, _layer, state) => state;

const activation: Converter = (b, layer, state) =>
  applyActivation(b, layer, state, (layer.getConfig() as Config).activation, layer.name);

const CONVERTERS: Record<string, Converter> = {
  InputLayer: identity,
  Dropout: identity, // inference: Dropout passes its input through
  Conv2D: conv2d,
  MaxPooling2D: pool2d("MaxPool"),
  AveragePooling2D: pool2d("AveragePool"),
  GlobalAveragePooling2D: globalPool2d("GlobalAveragePool"),
  GlobalMaxPooling2D: globalPool2d("GlobalMaxPool"),
  Flatten: flatten,
  Dense: dense,
  Activation: activation,
};

export const SUPPORTED_LAYER_CLASSES: readonly string[] = Object.keys(CONVERTERS);

/** Adds the nodes computing `layer` on the running tensor and returns the new running tensor. */
export function convertLayer(b: OnnxGraphBuilder, layer: Layer, state: FlowState): FlowState {
  const converter = CONVERTERS[layer.getClassName()];
  if (!converter) fail(layer, `its class is not supported (supported: ${SUPPORTED_LAYER_CLASSES.join(", ")})`);
  const next = converter(b, layer, state);
  return { ...next, shape: (layer.outputShape as Array<number | null>).slice(1) };
}
