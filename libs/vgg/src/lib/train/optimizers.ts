// Keras' SGD and Adam as TF.js optimizers. A spec, not an optimizer: every fit creates a
// fresh one (optimizer state never leaks between runs) and the spec is what a run records.
import { MomentumOptimizer, tf, type Optimizer } from "../tf.ts";
import { TrainingOptionError } from "../errors.ts";

export interface OptimizerSpec {
  readonly name: "sgd" | "adam";
  readonly learningRate: number;
  /** SGD only; 0 is plain SGD. */
  readonly momentum: number;
  readonly nesterov: boolean;
  create(): Optimizer;
}

/** TF.js 4.22's MomentumOptimizer.dispose forgets its learning-rate scalar: one tensor leaked per run. */
class Momentum extends MomentumOptimizer {
  override dispose(): void {
    super.dispose();
    this.c.dispose();
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
    create: () => (momentum === 0 ? tf.train.sgd(learningRate) : new Momentum(learningRate, momentum, nesterov)),
  };
}

/** Keras' Adam(learning_rate) with its defaults beta_1 0.9, beta_2 0.999, epsilon 1e-7. */
export function adam(learningRate = 0.001): OptimizerSpec {
  checkLearningRate(learningRate);
  return { name: "adam", learningRate, momentum: 0, nesterov: false, create: () => tf.train.adam(learningRate, 0.9, 0.999, 1e-7) };
}
