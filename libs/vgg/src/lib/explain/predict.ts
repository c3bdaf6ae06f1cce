// Class probabilities for images, preprocessed here (caffe) so that prediction can never
// differ from training; through an inference engine when one is given, else TF.js.
import { tf, type LayersModel, type Tensor } from "../tf.ts";
import { ExplainInputError } from "../errors.ts";
import { preprocessInput } from "../preprocess.ts";
import { type InferenceEngine } from "../engine/inference-engine.ts";
import { imagesToTensor, type ImageBatch, type ImageInput } from "./image-input.ts";

export interface Prediction {
  className: string;
  index: number;
  probability: number;
}

export interface PredictOptions {
  /** How many classes to return per image, most probable first. Default 5 (or all, if fewer). */
  topK?: number;
  /** Names by output index (a checkpoint's meta.classNames); default the index as text. */
  classNames?: readonly string[];
  /** Runs the forward pass (e.g. createEngine(model)); default TF.js on the current backend. */
  engine?: InferenceEngine;
}

function outputUnits(model: LayersModel): number {
  const shape = model.outputs[0].shape;
  return shape[shape.length - 1] ?? 0;
}

function topK(probabilities: Float32Array, k: number, names: readonly string[] | undefined): Prediction[] {
  return Array.from(probabilities, (probability, index) => ({ className: names?.[index] ?? String(index), index, probability }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, k);
}

export async function predict(model: LayersModel, images: ImageInput[] | ImageBatch, options: PredictOptions = {}): Promise<Prediction[][]> {
  const units = outputUnits(model);
  const k = options.topK ?? Math.min(5, units);
  if (!Number.isInteger(k) || k < 1) {
    throw new ExplainInputError(`topK must be a positive integer, got ${k}.`);
  }
  if (options.classNames && options.classNames.length !== units) {
    throw new ExplainInputError(`The model has ${units} outputs but ${options.classNames.length} class names were given; pass the checkpoint's classNames.`);
  }
  const batch = Array.isArray(images) ? images.length : images.shape[0];
  const x = tf.tidy(() => preprocessInput(imagesToTensor(model, images)));
  let probabilities: Float32Array;
  try {
    if (options.engine) {
      probabilities = (await options.engine.run((await x.data()) as Float32Array, batch)).data;
    } else {
      const y = model.predict(x) as Tensor;
      try {
        probabilities = (await y.data()) as Float32Array;
      } finally {
        y.dispose();
      }
    }
  } finally {
    x.dispose();
  }
  return Array.from({ length: batch }, (_, i) => topK(probabilities.subarray(i * units, (i + 1) * units), Math.min(k, units), options.classNames));
}
