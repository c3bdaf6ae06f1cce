// TF.js as the training engine: Keras' compile + trainOnBatch, on the whole model or, when
// a frozen prefix runs elsewhere, on a model of the trained layers alone (new instances with
// the same names, configs and weights) fed with the prefix's outputs. Gradients never reach
// frozen layers, so it is the same training without holding the prefix's activations.
import { tf, type Layer, type LayersModel, type SymbolicTensor, type Tensor } from "../tf.ts";
import type { OptimizerSpec } from "./optimizers.ts";
import type { TrainingPlan } from "./plan.ts";
import type { BatchResult, Feed, TrainingEngine } from "./training-engine.ts";

/** A fresh layer of the same class and config. */
function cloneLayer(layer: Layer): Layer {
  const [cls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()];
  return fromConfig(cls, layer.getConfig()) as unknown as Layer;
}

/** model.layers[prefixLayers:] as a model of its own whose input is the prefix's output. */
function trainedLayers(model: LayersModel, plan: TrainingPlan): LayersModel {
  const input = tf.input({ shape: plan.inputShape, name: `${model.layers[plan.prefixLayers - 1].name}_features` });
  let x: SymbolicTensor = input;
  for (const layer of model.layers.slice(plan.prefixLayers)) {
    const clone = cloneLayer(layer);
    x = clone.apply(x) as SymbolicTensor;
    clone.setWeights(layer.getWeights());
  }
  return tf.model({ inputs: input, outputs: x, name: `${model.name}_trained` });
}

function tensors(feed: Feed): [Tensor, Tensor] {
  return [tf.tensor(feed.x, feed.shape), tf.tensor2d(feed.y, [feed.shape[0], feed.classes])];
}

export function tfjsTrainingEngine(model: LayersModel, plan: TrainingPlan, spec: OptimizerSpec): TrainingEngine {
  const split = plan.prefixLayers > 1;
  const trained = split ? trainedLayers(model, plan) : model;
  const optimizer = spec.create();
  trained.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const one = async (feed: Feed): Promise<BatchResult> => {
    const [x, y] = tensors(feed);
    try {
      const [loss, accuracy] = (await trained.trainOnBatch(x, y)) as number[];
      return { loss, accuracy };
    } finally {
      tf.dispose([x, y]);
    }
  };
  return {
    name: "tfjs",
    reason: `${plan.reason}; TF.js on "${tf.getBackend()}"`,
    stepsPerRun: 1,
    async trainBatches(feeds) {
      const results: BatchResult[] = [];
      for (const feed of feeds) results.push(await one(feed));
      return results;
    },
    async evaluateBatch(feed) {
      const [x, y] = tensors(feed);
      const [loss, correct] = tf.tidy(() => {
        const probs = trained.predict(x) as Tensor;
        return [tf.mean(tf.metrics.categoricalCrossentropy(y, probs)), tf.mean(tf.cast(tf.equal(tf.argMax(probs, -1), tf.argMax(y, -1)), "float32"))];
      });
      const result = { loss: (await loss.data())[0], accuracy: (await correct.data())[0] };
      tf.dispose([x, y, loss, correct]);
      return result;
    },
    syncModel() {
      // the full model's layers take the trained weights (callbacks and checkpoints see the full model)
      if (split) for (const layer of trained.layers.slice(1)) model.getLayer(layer.name).setWeights(layer.getWeights());
    },
    dispose() {
      optimizer.dispose();
      if (split) trained.dispose();
    },
  };
}
