// The two ONNX graphs that train a suffix: one training step (forward, the categorical
// cross-entropy's gradients layer by layer, each parameter updated as soon as its gradient
// exists) and a forward pass for validation. Weights and optimizer state are graph inputs and
// their updated values outputs, so they live in the caller's memory, never in an engine heap.
import type { GraphIo } from "../../onnx/onnx-graph.ts";
import { GraphWriter } from "./graph-writer.ts";
import { backwardOp, forwardOp, type Flow, type GradientOf, type ParamNames, type Saved } from "./layer-graphs.ts";
import { ADAM_BC1, ADAM_BC2, stateNames, writeUpdate, type GraphOptimizer, type TrainedParam } from "./optimizer-graph.ts";
import { outputShape, type Suffix, type SuffixOp } from "./suffix-layers.ts";

export const SUFFIX_INPUT = "features";
export const SUFFIX_LABELS = "labels";
export const SUFFIX_PROBS = "probabilities";
/** 1 / batch size: the loss is the batch mean. */
export const SUFFIX_SCALE = "scale";

export interface SuffixGraphs {
  train: Uint8Array;
  forward: Uint8Array;
  params: TrainedParam[];
  /** Dropout layers in chain order: the train graph takes one mask `[batch, units]` per entry. */
  masks: Array<{ input: string; units: number; rate: number; seed: number }>;
}

function paramShapes(op: SuffixOp): [number[], number[]] | undefined {
  if (op.kind === "conv") return [[...op.kernel, op.inChannels, op.outChannels], [op.outChannels]];
  if (op.kind === "dense") return [[op.inputs, op.units], [op.units]];
  return undefined;
}

function describeParams(suffix: Suffix, optimizer: GraphOptimizer): TrainedParam[] {
  return suffix.ops.flatMap((op) => {
    const shapes = paramShapes(op);
    if (!shapes || !("layer" in op)) return [];
    return ([0, 1] as const).map((index) => {
      const base = `${op.layer}_${index === 0 ? "kernel" : "bias"}`;
      return {
        layer: op.layer,
        index,
        shape: shapes[index],
        input: base,
        output: `${base}_new`,
        state: stateNames(optimizer).map((s): [string, string] => [`${base}_${s}`, `${base}_${s}_new`]),
      };
    });
  });
}

/** Graph names of each weighted layer's [kernel, bias] inputs. */
export function paramNamesOf(params: TrainedParam[]): ParamNames {
  return (layer) => {
    const [kernel, bias] = params.filter((p) => p.layer === layer);
    return [kernel.input, bias.input];
  };
}

function io(name: string, shape: Array<number | null>): GraphIo {
  return { name, shape };
}

/**
 * Runs the ops forward from `input`; returns the final flow and what each op saved. With
 * `backward`, it keeps what a backward pass needs, and applies dropout with `masks` if given.
 */
export function forwardChain(g: GraphWriter, ops: SuffixOp[], input: Flow, params: ParamNames, backward: { masks?: string[] } | undefined, probsName?: string): { out: Flow; saved: Saved[] } {
  let flow = input;
  let maskIndex = 0;
  const masks = backward?.masks;
  const saved: Saved[] = [];
  for (const op of ops) {
    const step = forwardOp(g, op, flow, params, backward && { masks: masks && (() => masks[maskIndex++]) }, probsName);
    saved.push(step.saved);
    flow = step.out;
  }
  return { out: flow, saved };
}

function isWeighted(op: SuffixOp): boolean {
  return op.kind === "conv" || op.kind === "dense";
}

/** Graph names of step `k`'s own inputs: features_k and labels_k (no suffix for the first step). */
export function stepName(name: string, k: number): string {
  return k === 0 ? name : `${name}_${k}`;
}

/**
 * Builds the training and forward graphs of `suffix` for `optimizer`. The training graph takes
 * `steps` batches of the same size and makes that many steps in a row, the weights flowing
 * from one step to the next inside ONNX Runtime: onnxruntime-node copies every output into a
 * new buffer (411 MB for fc1's kernel and as much for its momentum), so several steps per run
 * pay that copy once. `nchwcBlock` lets convolutions whose channels it divides run on ONNX
 * Runtime's blocked kernels (nchwc.ts).
 */
export function buildSuffixGraphs(suffix: Suffix, optimizer: GraphOptimizer, steps = 1, nchwcBlock?: number): SuffixGraphs {
  const params = describeParams(suffix, optimizer);
  const masks: SuffixGraphs["masks"] = [];
  let shape = suffix.inputShape;
  suffix.ops.forEach((op, i) => {
    if (op.kind === "dropout") masks.push({ input: `dropout_mask_${i}`, units: shape[0], rate: op.rate, seed: op.seed });
    shape = outputShape(op, shape);
  });
  const paramInputs = params.flatMap((p) => [io(p.input, p.shape), ...p.state.map(([s]) => io(s, p.shape))]);
  const paramOutputs = params.flatMap((p) => [io(p.output, p.shape), ...p.state.map(([, s]) => io(s, p.shape))]);
  const features = io(SUFFIX_INPUT, [null, ...suffix.inputShape]);
  const probs = io(SUFFIX_PROBS, [null, suffix.classes]);
  const stepIo = Array.from({ length: steps }, (_, k) => ({
    inputs: [
      io(stepName(SUFFIX_INPUT, k), [null, ...suffix.inputShape]),
      io(stepName(SUFFIX_LABELS, k), [null, suffix.classes]),
      ...masks.map((m) => io(stepName(m.input, k), [null, m.units])),
      ...(optimizer.name === "adam" ? [io(stepName(ADAM_BC1, k), []), io(stepName(ADAM_BC2, k), [])] : []),
    ],
    probs: io(stepName(SUFFIX_PROBS, k), [null, suffix.classes]),
  }));
  const trainInputs = [...stepIo.flatMap((s) => s.inputs), io(SUFFIX_SCALE, []), ...paramInputs];
  const trainOutputs = [...stepIo.map((s) => s.probs), ...paramOutputs];

  const t = new GraphWriter([...trainInputs, ...trainOutputs].map((x) => x.name), nchwcBlock);
  let current = params;
  for (let k = 0; k < steps; k++) {
    const last = k === steps - 1;
    // this step's view of each parameter: read what the step before wrote, write the graph output at the end
    const next = current.map((p, i) => ({
      ...p,
      output: last ? params[i].output : t.b.uniqueName(`${params[i].input}_step${k}`),
      state: p.state.map(([s], j): [string, string] => [s, last ? params[i].state[j][1] : t.b.uniqueName(`${params[i].state[j][0]}_step${k}`)]),
    }));
    writeStep(t, suffix, next, masks.map((m) => stepName(m.input, k)), optimizer, k);
    current = next.map((p) => ({ ...p, input: p.output, state: p.state.map(([, s]): [string, string] => [s, s]) }));
  }
  const train = t.b.encode(trainInputs, trainOutputs, {}, "suffix_train_steps");

  const names = paramNamesOf(params);
  const start: Flow = { tensor: SUFFIX_INPUT, layout: suffix.inputShape.length === 3 ? "nhwc" : "flat", shape: suffix.inputShape };
  const f = new GraphWriter([features.name, probs.name, ...params.map((p) => p.input)], nchwcBlock);
  forwardChain(f, suffix.ops, start, names, undefined, SUFFIX_PROBS);
  const forward = f.b.encode([features, ...params.map((p) => io(p.input, p.shape))], [probs], {}, "suffix_forward");
  return { train, forward, params, masks };
}

/** One training step: forward, dlogits = (p - y) / batch, backward with each update written as its gradient appears. */
function writeStep(t: GraphWriter, suffix: Suffix, params: TrainedParam[], masks: string[], optimizer: GraphOptimizer, k: number): void {
  const names = paramNamesOf(params);
  const start: Flow = { tensor: stepName(SUFFIX_INPUT, k), layout: suffix.inputShape.length === 3 ? "nhwc" : "flat", shape: suffix.inputShape };
  const probs = stepName(SUFFIX_PROBS, k);
  const { saved } = forwardChain(t, suffix.ops, start, names, { masks }, probs);
  let gradient: string | undefined = t.node("Mul", [t.node("Sub", [probs, stepName(SUFFIX_LABELS, k)], "error"), SUFFIX_SCALE], "dlogits");
  const bc = { bc1: stepName(ADAM_BC1, k), bc2: stepName(ADAM_BC2, k) };
  const onGradient = (layer: string, index: 0 | 1, of: GradientOf) => writeUpdate(t, params.find((p) => p.layer === layer && p.index === index)!, of, optimizer, bc);
  for (let i = saved.length - 1; i >= 0 && gradient !== undefined; i--) {
    const needInput = suffix.ops.slice(0, i).some(isWeighted);
    gradient = backwardOp(t, saved[i], gradient, names, needInput, onGradient);
  }
}
