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
