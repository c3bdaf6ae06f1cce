// ONNX graphs that train a dense head: one training step (forward, categorical cross-entropy
// gradients written out layer by layer, the optimizer's update) and a forward pass for
// validation. Weights and optimizer state are graph inputs and the updated ones outputs, so
// they live in the caller's memory, not in an engine's heap. The arithmetic is TF.js'
// (its momentum and Adam formulas), so both engines train the same model the same way.
import { OnnxGraphBuilder, type GraphIo } from "../onnx/onnx-graph.ts";
import type { DenseHead, HeadOp } from "./dense-head.ts";

export type HeadOptimizer =
  | { name: "sgd"; learningRate: number; momentum: number; nesterov: boolean }
  | { name: "adam"; learningRate: number; beta1: number; beta2: number; epsilon: number };

export const HEAD_INPUT = "features";
export const HEAD_LABELS = "labels";
export const HEAD_PROBS = "probabilities";
/** 1 / batch size: the loss is the batch mean. */
export const HEAD_SCALE = "scale";
/** Adam only: 1 - beta1^t and 1 - beta2^t of the step being taken (t from 1). */
export const ADAM_BC1 = "adam_bc1";
export const ADAM_BC2 = "adam_bc2";

/** One trained tensor: its graph input, its updated output, and the optimizer state it carries. */
export interface HeadParam {
  layer: string;
  /** 0 kernel, 1 bias (TF.js' weight order). */
  index: 0 | 1;
  shape: number[];
  input: string;
  output: string;
  /** Optimizer state tensors as [input, output] names, each the parameter's shape. */
  state: Array<[string, string]>;
}

export interface HeadGraphs {
  train: Uint8Array;
  forward: Uint8Array;
  params: HeadParam[];
  /** Dropout layers in chain order: the train graph takes one mask `[batch, units]` per entry. */
  masks: Array<{ input: string; units: number; rate: number; seed: number }>;
}

function stateNames(optimizer: HeadOptimizer): string[] {
  if (optimizer.name === "adam") return ["m", "v"];
  return optimizer.momentum > 0 ? ["accumulation"] : [];
}

function describeParams(head: DenseHead, optimizer: HeadOptimizer): HeadParam[] {
  return head.ops.flatMap((op) =>
    op.kind !== "dense"
      ? []
      : ([0, 1] as const).map((index) => {
          const base = `${op.layer}_${index === 0 ? "kernel" : "bias"}`;
          return {
            layer: op.layer,
            index,
            shape: index === 0 ? [op.inputs, op.units] : [op.units],
            input: base,
            output: `${base}_new`,
            state: stateNames(optimizer).map((s): [string, string] => [`${base}_${s}`, `${base}_${s}_new`]),
          };
        }),
  );
}

class HeadGraphBuilder {
  readonly b: OnnxGraphBuilder;
  private constants = new Map<number, string>();
  private axes0: string | undefined;

  constructor(reserved: string[]) {
    this.b = new OnnxGraphBuilder(reserved);
  }

  scalar(value: number): string {
    let name = this.constants.get(value);
    if (!name) {
      name = this.b.addInitializer("c", [], new Float32Array([value]));
      this.constants.set(value, name);
    }
    return name;
  }

  node(op: string, inputs: string[], out: string, attrs: Record<string, number | number[] | { float: number }> = {}): string {
    return this.b.addNode(op, inputs, out, attrs);
  }

  named(op: string, inputs: string[], out: string, attrs: Record<string, number | number[] | { float: number }> = {}): string {
    return this.b.addNamedNode(op, inputs, out, attrs);
  }

  sumOverBatch(x: string): string {
    this.axes0 ??= this.b.addInt64Initializer("axes0", [0]);
    return this.node("ReduceSum", [x, this.axes0], `${x}_sum`, { keepdims: 0 });
  }
}

interface Forward {
  probs: string;
  /** Per dense layer: the tensor it took (after dropout) and its pre-activation output. */
  dense: Map<string, { input: string; preActivation: string }>;
}

function forward(g: HeadGraphBuilder, ops: HeadOp[], params: HeadParam[], masks: string[] | undefined): Forward {
  let x = HEAD_INPUT;
  let maskIndex = 0;
  const dense = new Map<string, { input: string; preActivation: string }>();
  for (const op of ops) {
    if (op.kind === "flatten") x = g.node("Flatten", [x], "flat", { axis: 1 });
    else if (op.kind === "globalAveragePooling") x = g.node("ReduceMean", [x], "pooled", { axes: [1, 2], keepdims: 0 });
    else if (op.kind === "dropout") {
      // Inverted dropout as TF.js does it; the mask (0 or 1/(1-rate)) comes from the caller, seeded.
      if (masks) x = g.node("Mul", [x, masks[maskIndex++]], "dropped");
    } else {
      const [kernel, bias] = params.filter((p) => p.layer === op.layer);
      const z = g.node("Gemm", [x, kernel.input, bias.input], `${op.layer}_z`);
      dense.set(op.layer, { input: x, preActivation: z });
      // readDenseHead allows a softmax only on the last layer, whose output is the probabilities
      if (op.activation === "softmax") x = g.named("Softmax", [z], HEAD_PROBS, { axis: -1 });
      else x = op.activation === "relu" ? g.node("Relu", [z], `${op.layer}_relu`) : z;
    }
  }
  return { probs: x, dense };
}

/**
 * The optimizer's update of one parameter (TF.js' formulas). `gradient` makes the gradient;
 * given a `C` input and alpha/beta it folds a decay into the same pass (a Gemm does, for
 * kernels: one pass over fc1's 411 MB instead of three).
 */
type Gradient = (fold?: { c: string; alpha: number; beta: number; output: string }) => string;

function update(g: HeadGraphBuilder, p: HeadParam, gradient: Gradient, o: HeadOptimizer): void {
  if (o.name === "sgd" && o.momentum === 0) {
    // value - lr * g
    gradient({ c: p.input, alpha: -o.learningRate, beta: 1, output: p.output });
  } else if (o.name === "sgd") {
    const [acc, accNew] = p.state[0];
    // accumulation = momentum * accumulation + g
    const grad = o.nesterov ? gradient() : undefined;
    if (grad) g.named("Add", [g.node("Mul", [acc, g.scalar(o.momentum)], `${acc}_decayed`), grad], accNew);
    else gradient({ c: acc, alpha: 1, beta: o.momentum, output: accNew });
    // TF.js: value -= lr * accumulation, or lr * (g + momentum * accumulation) with nesterov
    const direction = grad ? g.node("Add", [grad, g.node("Mul", [accNew, g.scalar(o.momentum)], `${accNew}_m`)], `${p.input}_nesterov`) : accNew;
    g.named("Sub", [p.input, g.node("Mul", [direction, g.scalar(o.learningRate)], `${p.input}_step`)], p.output);
  } else {
    const [[m, mNew], [v, vNew]] = p.state;
    const grad = gradient();
    g.named("Add", [g.node("Mul", [m, g.scalar(o.beta1)], `${m}_decayed`), g.node("Mul", [grad, g.scalar(1 - o.beta1)], `${m}_g`)], mNew);
    const squared = g.node("Mul", [grad, grad], `${v}_g2`);
    g.named("Add", [g.node("Mul", [v, g.scalar(o.beta2)], `${v}_decayed`), g.node("Mul", [squared, g.scalar(1 - o.beta2)], `${v}_g`)], vNew);
    // value -= (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon) * lr
    const denominator = g.node("Add", [g.node("Sqrt", [g.node("Div", [vNew, ADAM_BC2], `${v}_hat`)], `${v}_sqrt`), g.scalar(o.epsilon)], `${v}_denominator`);
    const direction = g.node("Div", [g.node("Div", [mNew, ADAM_BC1], `${m}_hat`), denominator], `${p.input}_direction`);
    g.named("Sub", [p.input, g.node("Mul", [direction, g.scalar(o.learningRate)], `${p.input}_step`)], p.output);
  }
}

/**
 * Gradients from the loss down, layer by layer, each parameter updated as soon as its
 * gradient exists: the mean cross-entropy of a softmax gives (p - y) / batch at the logits.
 */
function backward(t: HeadGraphBuilder, head: DenseHead, params: HeadParam[], masks: string[], fwd: Forward, optimizer: HeadOptimizer): void {
  let gradient = t.node("Mul", [t.node("Sub", [fwd.probs, HEAD_LABELS], "error"), HEAD_SCALE], "dlogits");
  let maskIndex = masks.length;
  for (let i = head.ops.length - 1; i >= 0; i--) {
    const op = head.ops[i];
    // below the first trained layer no gradient flows on
    const trainedBelow = head.ops.slice(0, i).some((o) => o.kind === "dense");
    if (op.kind === "dropout") {
      const mask = masks[--maskIndex];
      if (trainedBelow) gradient = t.node("Mul", [gradient, mask], "dropout_grad");
      continue;
    }
    if (op.kind !== "dense") continue;
    const { input, preActivation } = fwd.dense.get(op.layer)!;
    if (op.activation === "relu") {
      gradient = t.node("Mul", [gradient, t.node("Cast", [t.node("Greater", [preActivation, t.scalar(0)], `${op.layer}_active`)], `${op.layer}_step`, { to: 1 })], `${op.layer}_dz`);
    }
    const [kernel, bias] = params.filter((p) => p.layer === op.layer);
    const dz = gradient;
    update(t, kernel, (fold) => (fold ? t.named("Gemm", [input, dz, fold.c], fold.output, { transA: 1, alpha: { float: fold.alpha }, beta: { float: fold.beta } }) : t.node("Gemm", [input, dz], `${op.layer}_dkernel`, { transA: 1 })), optimizer);
    update(t, bias, (fold) => {
      const sum = t.sumOverBatch(dz);
      if (!fold) return sum;
      return t.named("Add", [t.node("Mul", [fold.c, t.scalar(fold.beta)], `${fold.c}_scaled`), t.node("Mul", [sum, t.scalar(fold.alpha)], `${sum}_scaled`)], fold.output);
    }, optimizer);
    if (trainedBelow) gradient = t.node("Gemm", [gradient, kernel.input], `${op.layer}_dinput`, { transB: 1 });
  }
}

/** Width of the flat activations entering op `index`. */
function widthBefore(head: DenseHead, index: number): number {
  const dense = head.ops.slice(0, index).filter((op) => op.kind === "dense");
  if (dense.length > 0) return dense[dense.length - 1].units;
  if (head.ops[0].kind === "globalAveragePooling") return head.featureShape[head.featureShape.length - 1];
  return head.featureShape.reduce((a, b) => a * b, 1);
}

function io(name: string, shape: Array<number | null>): GraphIo {
  return { name, shape };
}

/** Builds the training-step and forward graphs of `head` for `optimizer`. */
export function buildHeadGraphs(head: DenseHead, optimizer: HeadOptimizer): HeadGraphs {
  const params = describeParams(head, optimizer);
  const masks = head.ops.flatMap((op, i) => (op.kind === "dropout" ? [{ input: `dropout_mask_${i}`, units: widthBefore(head, i), rate: op.rate, seed: op.seed }] : []));
  const paramInputs = params.flatMap((p) => [io(p.input, p.shape), ...p.state.map(([s]) => io(s, p.shape))]);
  const paramOutputs = params.flatMap((p) => [io(p.output, p.shape), ...p.state.map(([, s]) => io(s, p.shape))]);
  const features = io(HEAD_INPUT, [null, ...head.featureShape]);
  const probs = io(HEAD_PROBS, [null, head.classes]);
  const adamInputs = optimizer.name === "adam" ? [io(ADAM_BC1, []), io(ADAM_BC2, [])] : [];
  const trainInputs = [features, io(HEAD_LABELS, [null, head.classes]), io(HEAD_SCALE, []), ...masks.map((m) => io(m.input, [null, m.units])), ...paramInputs, ...adamInputs];

  const t = new HeadGraphBuilder([...trainInputs, probs, ...paramOutputs].map((x) => x.name));
  const fwd = forward(t, head.ops, params, masks.map((m) => m.input));
  backward(t, head, params, masks.map((m) => m.input), fwd, optimizer);
  const train = t.b.encode(trainInputs, [probs, ...paramOutputs], {}, "dense_head_train_step");

  const f = new HeadGraphBuilder([features.name, probs.name, ...params.map((p) => p.input)]);
  forward(f, head.ops, params, undefined);
  const forwardBytes = f.b.encode([features, ...params.map((p) => io(p.input, p.shape))], [probs], {}, "dense_head_forward");
  return { train, forward: forwardBytes, params, masks };
}
