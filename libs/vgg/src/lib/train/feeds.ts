// Batches of raw pixels -> the tensors the model takes: Keras' caffe preprocessing here, in
// one place, so that no path into training can skip it (on plain arrays: on wasm the
// tensor version took ~2 s per batch of 32 at 224x224).
import { tf, type LayersModel, type Tensor } from "../tf.ts";
import { preprocessPixels } from "../preprocess.ts";
import { checkBatch, type Batch, type BatchSource } from "./batches.ts";
import { type FeedSource } from "./train-loop.ts";

/** The model's class count: the last dimension of its output. */
export function outputClasses(model: LayersModel): number {
  const shape = model.outputs[0].shape;
  return shape[shape.length - 1] ?? 0;
}

/** Preprocessed NHWC float32 pixels of a batch, as a plain array (for inference engines). */
export function preprocessedPixels(batch: Batch): Float32Array {
  return preprocessPixels(batch.x, batch.shape[3]);
}

export function imageFeeds(source: BatchSource, classes: number): FeedSource {
  return async function* () {
    for await (const batch of source()) {
      checkBatch(batch, classes);
      yield {
        x: tf.tensor4d(preprocessedPixels(batch), batch.shape),
        y: tf.tensor2d(batch.y, [batch.shape[0], batch.numClasses]),
      };
    }
  };
}

/** Images per forward pass of the frozen prefix: bounds the activations alive at once. */
const PREFIX_BATCH = 8;

/** Batches -> outputs of the frozen prefix (computed outside the gradient tape) and labels. */
export function prefixFeeds(source: BatchSource, prefix: LayersModel, classes: number): FeedSource {
  return async function* () {
    for await (const batch of source()) {
      checkBatch(batch, classes);
      yield {
        x: tf.tidy(() => prefix.predict(tf.tensor4d(preprocessedPixels(batch), batch.shape), { batchSize: PREFIX_BATCH }) as Tensor),
        y: tf.tensor2d(batch.y, [batch.shape[0], batch.numClasses]),
      };
    }
  };
}
