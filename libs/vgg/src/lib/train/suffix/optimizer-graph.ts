// Optimizer updates written into a training graph, with TF.js' own formulas (its momentum,
// Nesterov and Adam), so ONNX Runtime and TF.js train the same model the same way.
import type { GraphWriter } from "./graph-writer.ts";
import type { GradientOf } from "./layer-graphs.ts";

export type GraphOptimizer =
  | { name: "sgd"; learningRate: number; momentum: number; nesterov: boolean }
  | { name: "adam"; learningRate: number; beta1: number; beta2: number; epsilon: number };

/** Adam only: graph inputs holding 1 - beta1^t and 1 - beta2^t of the step being taken (t from 1). */
export const ADAM_BC1 = "adam_bc1";
export const ADAM_BC2 = "adam_bc2";

/** One trained tensor: its graph input and updated output, and the optimizer state it carries. */
export interface TrainedParam {
  layer: string;
  /** 0 kernel, 1 bias (TF.js' weight order). */
  index: 0 | 1;
  shape: number[];
  input: string;
  output: string;
  /** Optimizer state tensors as [input, output] names, each the parameter's shape. */
  state: Array<[string, string]>;
}

export function stateNames(optimizer: GraphOptimizer): string[] {
  if (optimizer.name === "adam") return ["m", "v"];
  return optimizer.momentum > 0 ? ["accumulation"] : [];
}

/** Writes the update of `p` from its gradient; the new value and state are named p.output and p.state[i][1]. */
export function writeUpdate(g: GraphWriter, p: TrainedParam, gradient: GradientOf, o: GraphOptimizer, bc = { bc1: ADAM_BC1, bc2: ADAM_BC2 }): void {
  if (o.name === "sgd" && o.momentum === 0) {
    // value - lr * g
    gradient({ c: p.input, alpha: -o.learningRate, beta: 1, output: p.output });
  } else if (o.name === "sgd") {
    // TF.js: accumulation = momentum * accumulation + g; value -= lr * accumulation (or, with
    // nesterov, lr * (g + momentum * accumulation)). The state here holds lr * accumulation,
    // the same arithmetic with one pass less over each weight (fc1's kernel is 411 MB).
    const [acc, accNew] = p.state[0];
    const lr = o.learningRate;
    if (!o.nesterov) {
      gradient({ c: acc, alpha: lr, beta: o.momentum, output: accNew });
      g.named("Sub", [p.input, accNew], p.output);
    } else {
      const step = g.node("Mul", [gradient(), g.scalar(lr)], `${p.input}_lr_g`);
      g.named("Add", [g.node("Mul", [acc, g.scalar(o.momentum)], `${acc}_decayed`), step], accNew);
      const direction = g.node("Add", [step, g.node("Mul", [accNew, g.scalar(o.momentum)], `${accNew}_m`)], `${p.input}_nesterov`);
      g.named("Sub", [p.input, direction], p.output);
    }
  } else {
    const [[m, mNew], [v, vNew]] = p.state;
    const grad = gradient();
    g.named("Add", [g.node("Mul", [m, g.scalar(o.beta1)], `${m}_decayed`), g.node("Mul", [grad, g.scalar(1 - o.beta1)], `${m}_g`)], mNew);
    const squared = g.node("Mul", [grad, grad], `${v}_g2`);
    g.named("Add", [g.node("Mul", [v, g.scalar(o.beta2)], `${v}_decayed`), g.node("Mul", [squared, g.scalar(1 - o.beta2)], `${v}_g`)], vNew);
    // value -= (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon) * lr
    const denominator = g.node("Add", [g.node("Sqrt", [g.node("Div", [vNew, bc.bc2], `${v}_hat`)], `${v}_sqrt`), g.scalar(o.epsilon)], `${v}_denominator`);
    const direction = g.node("Div", [g.node("Div", [mNew, bc.bc1], `${m}_hat`), denominator], `${p.input}_direction`);
    g.named("Sub", [p.input, g.node("Mul", [direction, g.scalar(o.learningRate)], `${p.input}_step`)], p.output);
  }
}
