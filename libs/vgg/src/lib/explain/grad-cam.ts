// Grad-CAM (Selvaraju et al.; Keras' example): gradient of the class score with respect to
// a convolution's output, averaged over space as channel weights; ReLU of the weighted
// sum of channels, normalised to [0, 1] and resized bilinearly to the input size.
import { tf, type LayersModel, type SymbolicTensor, type Tensor, type Tensor4D } from "../tf.ts";
import { ExplainInputError } from "../errors.ts";
import { preprocessInput } from "../preprocess.ts";
import { imagesToTensor, type ImageInput } from "./image-input.ts";

export interface GradCamOptions {
  /** A layer with a 4-D (NHWC) output. Default 'block5_conv3', VGG16's last convolution. */
  layer?: string;
  /** Class whose score is explained. Default: the predicted class. */
  classIndex?: number;
}

export interface GradCamResult {
  /** height x width values in [0, 1], row-major. */
  heatmap: Float32Array;
  width: number;
  height: number;
  classIndex: number;
}

/** The layers after `index`, checked to form a chain so they can be applied one by one. */
function chainAfter(model: LayersModel, index: number): LayersModel["layers"] {
  const rest = model.layers.slice(index + 1);
  rest.forEach((layer, i) => {
    let source: unknown;
    try {
      source = (layer.input as SymbolicTensor).sourceLayer;
    } catch {
      source = undefined;
    }
    if (source !== model.layers[index + i]) {
      throw new ExplainInputError(`Grad-CAM needs the layers after '${model.layers[index].name}' to form a chain, but '${layer.name}' does not follow '${model.layers[index + i].name}'; use a VGG16 or transfer model.`);
    }
  });
  return rest;
}

/** Index of `name` in model.layers, refused unless it has a spatial (NHWC) output. */
export function spatialLayerIndex(model: LayersModel, name: string): number {
  const index = model.layers.findIndex((l) => l.name === name);
  const spatial = model.layers.filter((l) => (l.outputShape as number[]).length === 4 && l.getClassName() !== "InputLayer").map((l) => l.name);
  if (index === -1 || !spatial.includes(name)) {
    throw new ExplainInputError(`Grad-CAM cannot use layer '${name}'; pick a layer with a spatial output: ${spatial.join(", ")}.`);
  }
  return index;
}

export function gradCam(model: LayersModel, image: ImageInput, options: GradCamOptions = {}): GradCamResult {
  const layerName = options.layer ?? "block5_conv3";
  const index = spatialLayerIndex(model, layerName);
  const rest = chainAfter(model, index);
  const feature = tf.model({ inputs: model.inputs, outputs: model.layers[index].output as SymbolicTensor });
  const head = (a: Tensor): Tensor => rest.reduce((t, layer) => layer.apply(t) as Tensor, a);
  const { height, width } = image;
  const units = model.outputs[0].shape[model.outputs[0].shape.length - 1] ?? 0;
  if (options.classIndex !== undefined && !(Number.isInteger(options.classIndex) && options.classIndex >= 0 && options.classIndex < units)) {
    throw new ExplainInputError(`classIndex must be an integer from 0 to ${units - 1}, got ${options.classIndex}.`);
  }
  const x = tf.tidy(() => preprocessInput(imagesToTensor(model, [image])));
  try {
    const classIndex = options.classIndex ?? tf.tidy(() => tf.argMax(model.predict(x) as Tensor, 1).dataSync()[0]);
    const map = tf.tidy(() => {
      const activations = feature.predict(x) as Tensor4D;
      const score = (a: Tensor) => tf.sum(tf.gather(head(a), [classIndex], 1));
      const weights = tf.mean(tf.grad(score)(activations), [1, 2], true);
      const cam = tf.relu(tf.sum(tf.mul(activations, weights), -1, true)) as Tensor4D;
      const peak = tf.max(cam);
      const normalised = tf.where(tf.greater(peak, 0), tf.div(cam, tf.maximum(peak, 1e-12)), tf.zerosLike(cam)) as Tensor4D;
      return tf.clipByValue(tf.image.resizeBilinear(normalised, [height, width], false, true), 0, 1);
    });
    const heatmap = map.dataSync() as Float32Array;
    map.dispose();
    return { heatmap, width, height, classIndex };
  } finally {
    x.dispose();
  }
}

/**
 * The map from a layer's activations and the class score's gradient with respect to them
 * (both [h, w, c] row-major), as the TF.js path computes it: channel weights = spatial mean
 * of the gradient, ReLU of the weighted sum, divided by its peak, resized bilinearly with
 * half-pixel centres (TF.js' resizeBilinear(..., alignCorners false, halfPixelCenters true))
 * and clipped to [0, 1].
 */
export function camFromGradients(activations: Float32Array, gradient: Float32Array, [h, w, c]: number[], height: number, width: number): Float32Array {
  const weights = new Float32Array(c);
  for (let i = 0; i < h * w; i++) for (let k = 0; k < c; k++) weights[k] += gradient[i * c + k];
  for (let k = 0; k < c; k++) weights[k] /= h * w;
  const cam = new Float32Array(h * w);
  let peak = 0;
  for (let i = 0; i < h * w; i++) {
    let sum = 0;
    for (let k = 0; k < c; k++) sum += activations[i * c + k] * weights[k];
    cam[i] = Math.max(sum, 0);
    peak = Math.max(peak, cam[i]);
  }
  for (let i = 0; i < cam.length; i++) cam[i] = peak > 0 ? cam[i] / Math.max(peak, 1e-12) : 0;
  const out = new Float32Array(height * width);
  const [rowScale, colScale] = [h / height, w / width];
  for (let r = 0; r < height; r++) {
    const y = rowScale * (r + 0.5) - 0.5;
    const top = Math.max(0, Math.floor(y));
    const bottom = Math.min(h - 1, Math.ceil(y));
    const dy = y - top;
    for (let col = 0; col < width; col++) {
      const x = colScale * (col + 0.5) - 0.5;
      const left = Math.max(0, Math.floor(x));
      const right = Math.min(w - 1, Math.ceil(x));
      const dx = x - left;
      const upper = cam[top * w + left] + (cam[top * w + right] - cam[top * w + left]) * dx;
      const lower = cam[bottom * w + left] + (cam[bottom * w + right] - cam[bottom * w + left]) * dx;
      out[r * width + col] = Math.min(Math.max(upper + (lower - upper) * dy, 0), 1);
    }
  }
  return out;
}
