// Keras' SGD and Adam as TF.js optimizers. A spec, not an optimizer: every fit creates a
// fresh one (optimizer state never leaks between runs) and the spec is what a run records.
import { SGDOptimizer, tf, type NamedTensorMap, type Optimizer, type Scalar, type Tensor, type Variable } from "../tf.ts";
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
  return { name: "adam", learningRate, momentum: 0, nesterov: false, create: () => tf.train.adam(learningRate, 0.9, 0.999, 1e-7) };
}
