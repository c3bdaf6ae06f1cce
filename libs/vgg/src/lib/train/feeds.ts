// Batches of raw pixels -> the tensors the model takes: Keras' caffe preprocessing here, in
// one place, so that no path into training can skip it (on plain arrays: on wasm the
// tensor version took ~2 s per batch of 32 at 224x224).
import { tf, type LayersModel } from "../tf.ts";
import type { InferenceEngine } from "../engine/inference-engine.ts";
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

/**
 * Batches -> outputs of the frozen prefix and labels. The prefix runs forward only, on an
 * inference engine (ONNX Runtime on CPU unless TF.js runs natively), so its activations
 * never enter the gradient tape.
 */
export function prefixFeeds(source: BatchSource, engine: InferenceEngine, featureShape: number[], classes: number): FeedSource {
  const perImage = featureShape.reduce((a, b) => a * b, 1);
  return async function* () {
    for await (const batch of source()) {
      checkBatch(batch, classes);
      const [n, h, w, c] = batch.shape;
      const pixels = preprocessedPixels(batch);
      const features = new Float32Array(n * perImage);
      for (let start = 0; start < n; start += PREFIX_BATCH) {
        const count = Math.min(PREFIX_BATCH, n - start);
        const { data } = await engine.run(pixels.subarray(start * h * w * c, (start + count) * h * w * c), count);
        features.set(data, start * perImage);
      }
      yield { x: tf.tensor(features, [n, ...featureShape]), y: tf.tensor2d(batch.y, [n, batch.numClasses]) };
    }
  };
}
