// Shared checks on what callers feed an engine, so both engines fail the same way.
import type { LayersModel } from "../tf.ts";
import { InferenceEngineError } from "../errors.ts";

/** The model's per-image input shape (H, W, C for images); every dimension must be fixed. */
export function perImageInputShape(model: LayersModel): number[] {
  if (model.inputs.length !== 1) {
    throw new InferenceEngineError(`Model "${model.name}" has ${model.inputs.length} inputs; inference engines take single-input models.`);
  }
  const shape = model.inputs[0].shape.slice(1);
  if (shape.some((d) => d === null)) {
    throw new InferenceEngineError(`Model "${model.name}" has input shape ${JSON.stringify(model.inputs[0].shape)}; build it with a fixed input size.`);
  }
  return shape as number[];
}

/** Throws unless `input` holds exactly `batch` images of `perImage` shape. */
export function checkEngineInput(input: Float32Array, batch: number, perImage: number[]): void {
  const size = perImage.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(batch) || batch < 1) {
    throw new InferenceEngineError(`batch must be a positive integer, got ${batch}.`);
  }
  if (input.length !== batch * size) {
    throw new InferenceEngineError(
      `Input holds ${input.length} values but ${batch} image(s) of ${perImage.join("x")} need ${batch * size}; pass NHWC float32 pixels for exactly that many images.`,
    );
  }
}

/** Keras' `layers[:N]` bound: an integer from 1 to the layer count, or every layer when absent. */
export function resolvePrefixLayers(model: LayersModel, prefixLayers: number | undefined): number {
  const count = model.layers.length;
  if (prefixLayers === undefined) return count;
  if (!Number.isInteger(prefixLayers) || prefixLayers < 1 || prefixLayers > count) {
    throw new InferenceEngineError(`prefixLayers must be an integer from 1 to ${count} (the model's layer count), got ${prefixLayers}.`);
  }
  return prefixLayers;
}
