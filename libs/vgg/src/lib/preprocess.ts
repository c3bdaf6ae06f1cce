// keras.applications.vgg16.preprocess_input (mode 'caffe'): the network was trained on
// BGR images minus the ImageNet channel means, with no scaling, so inputs must match.
import { tf, type Tensor4D } from "./tf.ts";
import { InvalidModelOptionError } from "./errors.ts";

/** The only preprocessing VGG16 knows; stored in every checkpoint's metadata. */
export const PREPROCESSING = "caffe";
export type Preprocessing = typeof PREPROCESSING;

/** ImageNet channel means in BGR order, as Keras subtracts them. */
export const CAFFE_MEAN_BGR: readonly [number, number, number] = [103.939, 116.779, 123.68];

/** NHWC RGB pixels 0..255 -> NHWC BGR, mean-subtracted float32. Does not dispose `x`. */
export function preprocessInput(x: Tensor4D): Tensor4D {
  const channels = x.shape[3];
  if (channels !== 3) {
    throw new InvalidModelOptionError(`preprocessInput expects NHWC RGB images with 3 channels, got ${channels}; convert the images to RGB first.`);
  }
  return tf.tidy(() => tf.sub(tf.reverse(tf.cast(x, "float32"), -1), tf.tensor1d([...CAFFE_MEAN_BGR])) as Tensor4D);
}

const MEAN_BGR32 = Float32Array.from(CAFFE_MEAN_BGR);

/**
 * preprocessInput on a plain NHWC RGB array, for engines fed arrays: the same float32
 * values (one rounding of x - mean, as TF.js' float32 subtraction), ~100x faster than
 * a wasm round trip for a batch of 224x224 images.
 */
export function preprocessPixels(pixels: Float32Array, channels = 3): Float32Array {
  if (channels !== 3 || pixels.length % 3 !== 0) {
    throw new InvalidModelOptionError(`preprocessPixels expects NHWC RGB images with 3 channels, got ${channels} (${pixels.length} values); convert the images to RGB first.`);
  }
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i += 3) {
    out[i] = Math.fround(pixels[i + 2]) - MEAN_BGR32[0];
    out[i + 1] = Math.fround(pixels[i + 1]) - MEAN_BGR32[1];
    out[i + 2] = Math.fround(pixels[i]) - MEAN_BGR32[2];
  }
  return out;
}
