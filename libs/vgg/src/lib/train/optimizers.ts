// Keras' SGD and Adam as TF.js optimizers. A spec, not an optimizer: every fit creates a
// fresh one (optimizer state never leaks between runs) and the spec is what a run records.
import { Optimizer, SGDOptimizer, tf, type NamedTensorMap, type Scalar, type Tensor, type Variable } from "../tf.ts";
import { TrainingOptionError } from "../errors.ts";

export interface OptimizerSpec {
  readonly name: "sgd" | "adam";
  readonly learningRate: number;
  /** SGD only; 0 is plain SGD. */
  readonly momentum: number;
  readonly nesterov: boolean;
  create(): Optimizer;
}

/**
 * SGD with momentum, updating each variable with at most two temporaries alive. TF.js'
 * MomentumOptimizer keeps four per variable until its tidy ends: at VGG16's fc1 (411 MB)
 * that is 1.6 GB more, which overflows the wasm backend's 4 GB heap at batch 32. Its
 * dispose also forgets the learning-rate scalar. Same arithmetic, same order.
 */
class LeanMomentum extends SGDOptimizer {
  private readonly m: Scalar;
  private readonly accumulations = new Map<string, Variable>();

  constructor(
    learningRate: number,
    momentum: number,
    private readonly nesterov: boolean,
  ) {
    super(learningRate);
    this.m = tf.keep(tf.scalar(momentum));
  }

  override applyGradients(variableGradients: NamedTensorMap | Array<{ name: string; tensor: Tensor }>): void {
    const pairs: Array<[string, Tensor]> = Array.isArray(variableGradients) ? variableGradients.map((v) => [v.name, v.tensor]) : Object.entries(variableGradients);
    for (const [name, gradient] of pairs) {
      if (gradient == null) continue;
      const value = tf.engine().registeredVariables[name];
      let accumulation = this.accumulations.get(name);
      if (!accumulation) {
        accumulation = tf.tidy(() => tf.zerosLike(value).variable(false));
        this.accumulations.set(name, accumulation);
      }
      const acc = accumulation;
      const newAccumulation = tf.tidy(() => tf.add(tf.mul(this.m, acc), gradient));
      acc.assign(newAccumulation);
      newAccumulation.dispose();
      const newValue = tf.tidy(() =>
        this.nesterov ? tf.add(tf.mul(this.c, tf.add(gradient, tf.mul(acc, this.m))), value) : tf.add(tf.mul(this.c, acc), value),
      );
      value.assign(newValue);
      newValue.dispose();
    }
    this.incrementIterations();
  }

  override dispose(): void {
    super.dispose();
    this.m.dispose();
    tf.dispose([...this.accumulations.values()]);
    this.accumulations.clear();
  }
}

type Gradients = NamedTensorMap | Array<{ name: string; tensor: Tensor }>;

function gradientPairs(gradients: Gradients): Array<[string, Tensor]> {
  return Array.isArray(gradients) ? gradients.map((g) => [g.name, g.tensor]) : Object.entries(gradients);
}

/** variable := compute(), computed in its own tidy; the old value is freed once replaced. */
function replace(variable: Variable, compute: () => Tensor): void {
  const next = tf.tidy(compute);
  variable.assign(next);
  next.dispose();
}

/**
 * Applies the steps to `first` in turn, each in its own tidy, freeing every result (`first`
 * included, so it must be a temporary) once the next exists: at most two are alive.
 */
function pipe(first: Tensor, ...steps: Array<(previous: Tensor) => Tensor>): Tensor {
  let current = first;
  for (const step of steps) {
    const next = tf.tidy(() => step(current));
    current.dispose();
    current = next;
  }
  return current;
}

/**
 * Adam with the float32 arithmetic of TF.js 4.22's AdamOptimizer, updating one variable at a
 * time with few full-size temporaries alive. TF.js' keeps about a dozen per variable until
 * its tidy ends: at VGG16's fc1 (411 MB each) that overflows the wasm backend's 4 GB heap.
 *
 * The division of the two bias-corrected moments needs both and its result alive, next to
 * the variable, m, v and the gradient: three temporaries. Under minimize the gradients are
 * ours, so each is freed once both moments hold it, and the step peaks at two copies above
 * what was alive when it began. applyGradients leaves the caller's gradients alone.
 */
class LeanAdam extends Optimizer {
  /** Keras' name, which a saved training config records; TF.js' AdamOptimizer reads it back. */
  static get className(): string {
    return "Adam";
  }

  // beta^t, as float32 variables updated by multiplication like TF.js' accBeta1/accBeta2.
  private readonly accBeta1: Variable;
  private readonly accBeta2: Variable;
  private readonly moments = new Map<string, { m: Variable; v: Variable }>();

  constructor(
    private readonly learningRate: number,
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly epsilon: number,
  ) {
    super();
    this.accBeta1 = tf.tidy(() => tf.scalar(beta1).variable(false));
    this.accBeta2 = tf.tidy(() => tf.scalar(beta2).variable(false));
  }

  override minimize(f: () => Scalar, returnCost = false, varList?: Variable[]): Scalar | null {
    const { value, grads } = this.computeGradients(f, varList);
    this.update(gradientPairs(grads), true);
    tf.dispose(grads);
    if (returnCost) return value;
    value.dispose();
    return null;
  }

  override applyGradients(variableGradients: Gradients): void {
    this.update(gradientPairs(variableGradients), false);
  }

  private update(pairs: Array<[string, Tensor]>, freeGradients: boolean): void {
    const oneMinusAccBeta1 = tf.tidy(() => tf.sub(1, this.accBeta1));
    const oneMinusAccBeta2 = tf.tidy(() => tf.sub(1, this.accBeta2));
    pairs.forEach(([name, gradient], i) => {
      if (gradient == null) return;
      const value = tf.engine().registeredVariables[name];
      const { m, v } = this.momentsOf(name, value);
      // m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2, each scaled in place of its old value first
      replace(m, () => tf.mul(m, this.beta1));
      replace(m, () => tf.add(m, tf.mul(gradient, 1 - this.beta1)));
      replace(v, () => tf.mul(v, this.beta2));
      replace(v, () => tf.add(v, pipe(tf.square(gradient), (g2) => tf.mul(g2, 1 - this.beta2))));
      // a gradient listed twice must survive its first use
      if (freeGradients && !pairs.slice(i + 1).some(([, later]) => later === gradient)) gradient.dispose();
      // value = -lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps) + value
      const denominator = pipe(
        tf.div(v, oneMinusAccBeta2),
        (t) => tf.sqrt(t),
        (t) => tf.add(t, this.epsilon),
      );
      const ratio = pipe(tf.div(m, oneMinusAccBeta1), (t) => tf.div(t, denominator));
      denominator.dispose();
      const newValue = pipe(
        ratio,
        (t) => tf.mul(t, -this.learningRate),
        (t) => tf.add(t, value),
      );
      value.assign(newValue);
      newValue.dispose();
    });
    tf.dispose([oneMinusAccBeta1, oneMinusAccBeta2]);
    replace(this.accBeta1, () => tf.mul(this.accBeta1, this.beta1));
    replace(this.accBeta2, () => tf.mul(this.accBeta2, this.beta2));
    this.incrementIterations();
  }

  private momentsOf(name: string, value: Variable): { m: Variable; v: Variable } {
    let moments = this.moments.get(name);
    if (!moments) {
      moments = tf.tidy(() => ({ m: tf.zerosLike(value).variable(false), v: tf.zerosLike(value).variable(false) }));
      this.moments.set(name, moments);
    }
    return moments;
  }

  override getConfig() {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  override dispose(): void {
    super.dispose();
    tf.dispose([this.accBeta1, this.accBeta2]);
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }
}

function checkLearningRate(learningRate: number): void {
  if (!(Number.isFinite(learningRate) && learningRate > 0)) {
    throw new TrainingOptionError(`learningRate must be a number > 0, got ${learningRate}; Keras' defaults are 0.01 for SGD and 0.001 for Adam.`);
  }
}

/**
 * Keras' SGD(learning_rate, momentum, nesterov). TF.js' momentum optimizer keeps
 * accum = m*accum + g and steps -lr*accum, which equals Keras' v = m*v - lr*g at a fixed rate.
 */
export function sgd(learningRate: number, momentum = 0, nesterov = false): OptimizerSpec {
  checkLearningRate(learningRate);
  if (!(momentum >= 0 && momentum < 1)) {
    throw new TrainingOptionError(`momentum must be in [0, 1), got ${momentum}; 0.9 is the usual choice for fine-tuning.`);
  }
  if (nesterov && momentum === 0) {
    throw new TrainingOptionError("nesterov needs a momentum > 0; pass e.g. sgd(1e-4, 0.9, true).");
  }
  return {
    name: "sgd",
    learningRate,
    momentum,
    nesterov,
    create: () => (momentum === 0 ? tf.train.sgd(learningRate) : new LeanMomentum(learningRate, momentum, nesterov)),
  };
}

/** Keras' Adam(learning_rate) with its defaults beta_1 0.9, beta_2 0.999, epsilon 1e-7. */
export function adam(learningRate = 0.001): OptimizerSpec {
  checkLearningRate(learningRate);
  return { name: "adam", learningRate, momentum: 0, nesterov: false, create: () => new LeanAdam(learningRate, 0.9, 0.999, 1e-7) };
}
