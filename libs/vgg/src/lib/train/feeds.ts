// Batches of raw pixels -> the feeds the trained layers take: Keras' caffe preprocessing here,
// in one place, so that no path into training can skip it (on plain arrays: on wasm the
// tensor version took ~2 s per batch of 32 at 224x224).
import type { LayersModel } from "../tf.ts";
import type { InferenceEngine } from "../engine/inference-engine.ts";
import { preprocessPixels } from "../preprocess.ts";
import { checkBatch, type Batch, type BatchSource } from "./batches.ts";
import type { FeedSource } from "./training-engine.ts";

/** The model's class count: the last dimension of its output. */
export function outputClasses(model: LayersModel): number {
  const shape = model.outputs[0].shape;
  return shape[shape.length - 1] ?? 0;
}

/** Preprocessed NHWC float32 pixels of a batch, as a plain array (for inference engines). */
export function preprocessedPixels(batch: Batch): Float32Array {
  return preprocessPixels(batch.x, batch.shape[3]);
}

/** Feeds of preprocessed images, for plans where every layer after the input trains. */
export function imageFeeds(source: BatchSource, classes: number): FeedSource {
  return async function* () {
    for await (const batch of source()) {
      checkBatch(batch, classes);
      yield { x: preprocessedPixels(batch), shape: [...batch.shape], y: batch.y, classes: batch.numClasses };
    }
  };
}

/** Images per forward pass of the frozen prefix: bounds the activations alive at once. */
const PREFIX_BATCH = 8;

/**
 * Batches -> outputs of the frozen prefix and labels. The prefix runs forward only, on an
 * inference engine (ONNX Runtime on CPU unless TF.js runs natively), every batch: the path
 * of augmented runs, whose prefix sees new pixels each epoch.
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
      yield { x: features, shape: [n, ...featureShape], y: batch.y, classes: batch.numClasses };
    }
  };
}
