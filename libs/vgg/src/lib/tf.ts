// One place that decides which TF.js packages make up "tf" inside libs/vgg, so every file
// sees the same engine, kernels and layer registry.
import "@tensorflow/tfjs-backend-cpu";
import * as tfc from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

export * from "@tensorflow/tfjs-core";
export {
  layers,
  model,
  sequential,
  input,
  loadLayersModel,
  LayersModel,
  Sequential,
  SymbolicTensor,
  regularizers,
  initializers,
  constraints,
  metrics,
  CallbackList,
  CustomCallback,
} from "@tensorflow/tfjs-layers";
export type { Layer } from "@tensorflow/tfjs-layers/dist/engine/topology";
export type { Logs } from "@tensorflow/tfjs-layers/dist/logs";

/** The same namespace as a value, for code that prefers `tf.xxx`. */
export const tf = { ...tfc, ...tfl };
