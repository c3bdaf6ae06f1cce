// The two ONNX graphs that train a suffix: one training step (forward, the categorical
// cross-entropy's gradients layer by layer, each parameter updated as soon as its gradient
// exists) and a forward pass for validation. Weights and optimizer state are graph inputs and
// their updated values outputs, so they live in the caller's memory, never in an engine heap.
import type { GraphIo } from "../../onnx/onnx-graph.ts";
import { GraphWriter } from "./graph-writer.ts";
import { backwardOp, forwardOp, type Flow, type ParamNames, type Saved } from "./layer-graphs.ts";
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

/** Runs the ops forward from `input`; returns the final flow and what each op saved. */
export function forwardChain(g: GraphWriter, ops: SuffixOp[], input: Flow, params: ParamNames, masks: string[] | undefined, probsName?: string): { out: Flow; saved: Saved[] } {
  let flow = input;
  let maskIndex = 0;
  const saved: Saved[] = [];
  for (const op of ops) {
    const step = forwardOp(g, op, flow, params, masks && { masks: () => masks[maskIndex++] }, probsName);
    saved.push(step.saved);
    flow = step.out;
  }
  return { out: flow, saved };
}

function isWeighted(op: SuffixOp): boolean {
  return op.kind === "conv" || op.kind === "dense";
}

/** Builds the training-step and forward graphs of `suffix` for `optimizer`. */
export function buildSuffixGraphs(suffix: Suffix, optimizer: GraphOptimizer): SuffixGraphs {
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
  const adamInputs = optimizer.name === "adam" ? [io(ADAM_BC1, []), io(ADAM_BC2, [])] : [];
  const trainInputs = [features, io(SUFFIX_LABELS, [null, suffix.classes]), io(SUFFIX_SCALE, []), ...masks.map((m) => io(m.input, [null, m.units])), ...paramInputs, ...adamInputs];
  const names = paramNamesOf(params);
  const start: Flow = { tensor: SUFFIX_INPUT, layout: suffix.inputShape.length === 3 ? "nhwc" : "flat", shape: suffix.inputShape };

  const t = new GraphWriter([...trainInputs, probs, ...paramOutputs].map((x) => x.name));
  const { saved } = forwardChain(t, suffix.ops, start, names, masks.map((m) => m.input), SUFFIX_PROBS);
  // the mean cross-entropy of a softmax gives (p - y) / batch at the logits
  let gradient: string | undefined = t.node("Mul", [t.node("Sub", [SUFFIX_PROBS, SUFFIX_LABELS], "error"), SUFFIX_SCALE], "dlogits");
  const onGradient = (layer: string, index: 0 | 1, of: Parameters<typeof writeUpdate>[2]) => writeUpdate(t, params.find((p) => p.layer === layer && p.index === index)!, of, optimizer);
  for (let i = saved.length - 1; i >= 0 && gradient !== undefined; i--) {
    const needInput = suffix.ops.slice(0, i).some(isWeighted);
    gradient = backwardOp(t, saved[i], gradient, names, needInput, onGradient);
  }
  const train = t.b.encode(trainInputs, [probs, ...paramOutputs], {}, "suffix_train_step");

  const f = new GraphWriter([features.name, probs.name, ...params.map((p) => p.input)]);
  forwardChain(f, suffix.ops, start, names, undefined, SUFFIX_PROBS);
  const forward = f.b.encode([features, ...params.map((p) => io(p.input, p.shape))], [probs], {}, "suffix_forward");
  return { train, forward, params, masks };
}
