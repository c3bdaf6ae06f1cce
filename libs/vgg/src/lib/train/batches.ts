// What training consumes. libs/vgg must not import libs/data, so a batch is a plain object;
// libs/data's batches carry these fields (and more, which pass through untouched).
import { TrainingOptionError } from "../errors.ts";
import { mulberry32 } from "./seeded-random.ts";

export interface Batch {
  /** NHWC RGB pixels in 0..255, float32, NOT preprocessed (fit applies Keras' caffe preprocessing). */
  x: Float32Array;
  /** One-hot labels, [batch, numClasses] row-major. */
  y: Float32Array;
  shape: [number, number, number, number];
  numClasses: number;
}

/** A fresh iterator per epoch; the order it yields is the order trained. */
export type BatchSource = () => AsyncIterable<Batch>;

/** Throws unless the arrays have the sizes the shape and class count say. */
export function checkBatch(batch: Batch, expectedClasses?: number): void {
  const [n, h, w, c] = batch.shape;
  if (batch.x.length !== n * h * w * c) {
    throw new TrainingOptionError(`A batch of shape [${batch.shape.join(", ")}] needs ${n * h * w * c} pixel values but x has ${batch.x.length}; build x as NHWC row-major.`);
  }
  if (batch.y.length !== n * batch.numClasses) {
    throw new TrainingOptionError(`A batch of ${n} images with ${batch.numClasses} classes needs ${n * batch.numClasses} label values but y has ${batch.y.length}; pass one-hot labels.`);
  }
  if (expectedClasses !== undefined && batch.numClasses !== expectedClasses) {
    throw new TrainingOptionError(`The batches have ${batch.numClasses} classes but the model predicts ${expectedClasses}; transfer the model with classes: ${batch.numClasses}.`);
  }
}

export interface ArrayBatchesOptions {
  batchSize: number;
  /** When set, each epoch visits the images in a new permutation drawn from this seed. */
  shuffleSeed?: number;
}

/**
 * Batches over images already in memory (tests, benches, small demos): `x` holds
 * `shape[0]` NHWC images, `labels` one class index per image.
 */
export function arrayBatches(x: Float32Array, labels: readonly number[], shape: [number, number, number, number], numClasses: number, options: ArrayBatchesOptions): BatchSource {
  const [count, h, w, c] = shape;
  const pixels = h * w * c;
  if (labels.length !== count || x.length !== count * pixels) {
    throw new TrainingOptionError(`arrayBatches got ${labels.length} labels and ${x.length / pixels} images for a shape of ${count}; pass one label per image.`);
  }
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new TrainingOptionError(`batchSize must be a positive integer, got ${options.batchSize}; 32 is Keras' default.`);
  }
  let epoch = 0;
  return () => {
    const order = Array.from({ length: count }, (_, i) => i);
    if (options.shuffleSeed !== undefined) {
      const random = mulberry32(options.shuffleSeed * 1000003 + epoch);
      for (let i = count - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
    }
    epoch++;
    return (async function* () {
      for (let start = 0; start < count; start += options.batchSize) {
        const picked = order.slice(start, start + options.batchSize);
        const bx = new Float32Array(picked.length * pixels);
        const by = new Float32Array(picked.length * numClasses);
        picked.forEach((image, i) => {
          bx.set(x.subarray(image * pixels, (image + 1) * pixels), i * pixels);
          by[i * numClasses + labels[image]] = 1;
        });
        yield { x: bx, y: by, shape: [picked.length, h, w, c], numClasses } satisfies Batch;
      }
    })();
  };
}
