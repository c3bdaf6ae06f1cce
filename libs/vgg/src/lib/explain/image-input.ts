// Images as the explain functions take them: RGB pixels 0..255, row-major HWC, already
// at the model's input size (decoding and resizing belong to the caller, e.g. libs/data).
import { tf, type LayersModel, type Tensor4D } from "../tf.ts";
import { ExplainInputError } from "../errors.ts";

export interface ImageInput {
  data: Float32Array | Uint8Array | Uint8ClampedArray;
  height: number;
  width: number;
}

/** Several images at once: NHWC RGB 0..255, as a training batch carries them. */
export interface ImageBatch {
  x: Float32Array;
  shape: [number, number, number, number];
}

export function modelImageSize(model: LayersModel): { height: number; width: number } {
  const [, height, width, channels] = model.inputs[0].shape;
  if (height == null || width == null || channels !== 3) {
    throw new ExplainInputError(`Model '${model.name}' takes input ${JSON.stringify(model.inputs[0].shape)}; prediction needs a fixed-size RGB image input.`);
  }
  return { height, width };
}

/** Packs images into one NHWC float32 tensor after checking each against the model's size. */
export function imagesToTensor(model: LayersModel, images: ImageInput[] | ImageBatch): Tensor4D {
  const { height, width } = modelImageSize(model);
  const expected = height * width * 3;
  if (!Array.isArray(images)) {
    const [n, h, w, c] = images.shape;
    if (h !== height || w !== width || c !== 3 || images.x.length !== n * expected) {
      throw new ExplainInputError(`The batch is ${n}x${h}x${w}x${c} with ${images.x.length} values but the model takes Nx${height}x${width}x3; resize the images to ${width}x${height} RGB first.`);
    }
    return tf.tensor4d(images.x, images.shape);
  }
  if (images.length === 0) throw new ExplainInputError("No images were given; pass at least one.");
  const packed = new Float32Array(images.length * expected);
  images.forEach((image, i) => {
    if (image.height !== height || image.width !== width || image.data.length !== expected) {
      throw new ExplainInputError(
        `Image ${i} is ${image.width}x${image.height} with ${image.data.length} values but the model takes ${width}x${height} RGB (${expected} values); resize it first.`,
      );
    }
    packed.set(image.data, i * expected);
  });
  return tf.tensor4d(packed, [images.length, height, width, 3]);
}
