// Grad-CAM on ONNX Runtime: the layers up to the explained convolution run as the exported
// prefix; the layers after it run forward and backward in a graph written with the training
// graphs' layer subgraphs (weights as constants), which returns the class probabilities, the
// explained class and the class score's gradient with respect to the convolution's output.
// The map itself (channel weights, ReLU, normalisation, resize) is computed here as
// grad-cam.ts does it on TF.js, so the two agree; at real size this takes well under a
// second where TF.js' wasm backend took 31 s.
import type * as Ort from "onnxruntime-node";
import type { LayersModel } from "../tf.ts";
import { ExplainInputError } from "../errors.ts";
import { loadOnnxRuntime, OnnxEngine, ortSessionOptions, type OrtPlacement } from "../engine/onnx-engine.ts";
import { preprocessPixels } from "../preprocess.ts";
import { GraphWriter } from "../train/suffix/graph-writer.ts";
import { backwardOp, type Flow } from "../train/suffix/layer-graphs.ts";
import { forwardChain } from "../train/suffix/suffix-graph.ts";
import { readSuffix, type Suffix } from "../train/suffix/suffix-layers.ts";
import { camFromGradients, spatialLayerIndex, type GradCamResult } from "./grad-cam.ts";
import type { ImageInput } from "./image-input.ts";

const ACTIVATIONS = "activations";
const CLASS_INDEX = "class_index";
const PROBS = "probabilities";
const GRADIENT = "gradient";
const CHOSEN = "chosen_class";

export interface GradCamExplainer {
  /** Probabilities of every class and the Grad-CAM of `classIndex` (default: the predicted class). */
  explain(image: ImageInput, classIndex?: number): Promise<GradCamResult & { probabilities: Float32Array }>;
  dispose(): Promise<void>;
}

/** The graph from the explained layer's output to the class score's gradient with respect to it. */
function explainGraph(model: LayersModel, suffix: Suffix, inputShape: number[]): Uint8Array {
  const g = new GraphWriter([ACTIVATIONS, CLASS_INDEX, PROBS, GRADIENT, CHOSEN]);
  const constants = new Map<string, [string, string]>();
  for (const op of suffix.ops) {
    if (op.kind !== "conv" && op.kind !== "dense") continue;
    const [kernel, bias] = model.getLayer(op.layer).getWeights().map((w) => ({ shape: w.shape, values: w.dataSync() as Float32Array }));
    constants.set(op.layer, [g.b.addInitializer(`${op.layer}_kernel`, kernel.shape, kernel.values), g.b.addInitializer(`${op.layer}_bias`, bias.shape, bias.values)]);
  }
  const params = (layer: string) => constants.get(layer)!;
  const start: Flow = { tensor: ACTIVATIONS, layout: "nhwc", shape: inputShape };
  const { saved } = forwardChain(g, suffix.ops, start, params, {}, PROBS);
  // the explained class: the one asked for, or the most probable when class_index is negative
  const predicted = g.node("ArgMax", [PROBS], "predicted", { axis: 1, keepdims: 0 });
  const chosen = g.named("Where", [g.node("Less", [CLASS_INDEX, g.int64([0])], "asked_none"), predicted, CLASS_INDEX], CHOSEN);
  const onehot = g.node("OneHot", [chosen, g.int64([suffix.classes]), g.b.addInitializer("onehot_values", [2], new Float32Array([0, 1]))], "onehot", { axis: -1 });
  // d p_c / d logits = p_c * (onehot_c - p)
  const score = g.node("ReduceSum", [g.node("Mul", [PROBS, onehot], "score_terms"), g.int64([1])], "score", { keepdims: 1 });
  let gradient = g.node("Mul", [score, g.node("Sub", [onehot, PROBS], "onehot_minus_p")], "dlogits");
  for (let i = saved.length - 1; i >= 0; i--) gradient = backwardOp(g, saved[i], gradient, params, true, undefined)!;
  g.named("Identity", [gradient], GRADIENT);
  return g.b.encode(
    [
      { name: ACTIVATIONS, shape: [1, ...inputShape] },
      { name: CLASS_INDEX, shape: [1], type: "int64" },
    ],
    [
      { name: PROBS, shape: [1, suffix.classes] },
      { name: GRADIENT, shape: [1, ...inputShape] },
      { name: CHOSEN, shape: [1], type: "int64" },
    ],
    {},
    "grad_cam",
  );
}

/**
 * A Grad-CAM explainer for `model` at `layer` (default block5_conv3) on ONNX Runtime; build it
 * once per model (the dashboard keeps it with the champion) and explain many images.
 */
export async function createGradCam(model: LayersModel, options: { layer?: string; placement?: OrtPlacement } = {}): Promise<GradCamExplainer> {
  const layer = options.layer ?? "block5_conv3";
  const index = spatialLayerIndex(model, layer);
  const inputShape = (model.layers[index].outputShape as number[]).slice(1);
  const suffix = readSuffix(model.layers.slice(index + 1), inputShape, { trainable: false });
  if (typeof suffix === "string") throw new ExplainInputError(`Grad-CAM on ONNX Runtime cannot follow the layers after '${layer}': ${suffix}.`);
  const ort = await loadOnnxRuntime();
  const prefix = await OnnxEngine.create(model, { prefixLayers: index + 1, threads: options.placement?.threads });
  const { options: sessionOptions } = ortSessionOptions(options.placement);
  const session = await ort.InferenceSession.create(explainGraph(model, suffix, inputShape), sessionOptions);
  const [height, width, channels] = (model.inputs[0].shape as number[]).slice(1);
  return {
    async explain(image, classIndex) {
      if (image.width !== width || image.height !== height || image.data.length !== width * height * channels) {
        throw new ExplainInputError(`The image is ${image.width}x${image.height} with ${image.data.length} values but the model takes ${width}x${height} RGB (${width * height * channels} values); resize it first.`);
      }
      if (classIndex !== undefined && !(Number.isInteger(classIndex) && classIndex >= 0 && classIndex < suffix.classes)) {
        throw new ExplainInputError(`classIndex must be an integer from 0 to ${suffix.classes - 1}, got ${classIndex}.`);
      }
      const pixels = Float32Array.from(image.data);
      const { data: activations } = await prefix.run(preprocessPixels(pixels, channels), 1);
      const out = await session.run({
        [ACTIVATIONS]: new ort.Tensor("float32", activations, [1, ...inputShape]),
        [CLASS_INDEX]: new ort.Tensor("int64", BigInt64Array.from([BigInt(classIndex ?? -1)]), [1]),
      } as Record<string, Ort.Tensor>);
      const chosen = Number((out[CHOSEN].data as BigInt64Array)[0]);
      const heatmap = camFromGradients(activations, out[GRADIENT].data as Float32Array, inputShape, height, width);
      return { heatmap, width, height, classIndex: chosen, probabilities: out[PROBS].data as Float32Array };
    },
    async dispose() {
      await Promise.all([prefix.dispose(), session.release()]);
    },
  };
}
