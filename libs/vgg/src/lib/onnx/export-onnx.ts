// Thaw model (or its frozen prefix, Keras' `layers[:N]`) -> ONNX bytes. The graph takes and
// returns the same NHWC float32 tensors as the TF.js model, with the batch dimension free.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { LayersModel, type Layer } from "../tf.ts";
import { OnnxExportError } from "../errors.ts";
import { OnnxGraphBuilder } from "./onnx-graph.ts";
import { convertLayer, toNhwc, type FlowState } from "./layer-converters.ts";

export const ONNX_INPUT_NAME = "input";
export const ONNX_OUTPUT_NAME = "output";

export interface ExportOnnxOptions {
  /** Export only `model.layers.slice(0, prefixLayers)` (Keras' `layers[:N]`). Default: every layer. */
  prefixLayers?: number;
  /** Written as the model's metadata_props (e.g. class names, preprocessing) for users of the file. */
  metadata?: Record<string, string>;
}

/** Layers a nested model contributes, its own input layer left out (the outer graph feeds it). */
function expand(layer: Layer): Layer[] {
  if (!(layer instanceof LayersModel)) return [layer];
  checkChain(layer.layers, layer.name);
  return layer.layers.filter((l) => l.getClassName() !== "InputLayer").flatMap(expand);
}

/** The layer whose output `layer` hands on: itself, or a nested model's last layer (TF.js' Sequential links to that). */
function producers(layer: Layer): Layer[] {
  return layer instanceof LayersModel ? [layer, ...layer.outputLayers.flatMap(producers)] : [layer];
}

/** Only single chains export: each layer must read the output of the layer listed before it. */
function checkChain(layers: Layer[], modelName: string): void {
  for (let i = 1; i < layers.length; i++) {
    const prev = layers[i - 1];
    const fromPrev = producers(prev);
    const fed = layers[i].inboundNodes.some((n) => n.inboundLayers.length === 1 && fromPrev.includes(n.inboundLayers[0]));
    if (!fed) {
      throw new OnnxExportError(
        `Layer "${layers[i].name}" of model "${modelName}" does not read the output of "${prev.name}", the layer before it; only single-chain models (like VGG16 and its heads) export to ONNX.`,
      );
    }
  }
}

function resolvePrefix(model: LayersModel, prefixLayers: number | undefined): number {
  const count = model.layers.length;
  if (prefixLayers === undefined) return count;
  if (!Number.isInteger(prefixLayers) || prefixLayers < 1 || prefixLayers > count) {
    throw new OnnxExportError(`prefixLayers must be an integer from 1 to ${count} (the model's layer count), got ${prefixLayers}.`);
  }
  return prefixLayers;
}

/** [null, ...] shape of a single symbolic input or output; batch free. */
function ioShape(shape: Array<number | null>, what: string): Array<number | null> {
  const rest = shape.slice(1);
  if (rest.some((d) => d === null)) {
    throw new OnnxExportError(`The model's ${what} shape ${JSON.stringify(shape)} has a free dimension besides the batch; build it with a fixed input size.`);
  }
  return [null, ...rest];
}

/** Builds the ONNX graph of the whole model or of its first `prefixLayers` layers. */
export function exportOnnx(model: LayersModel, options: ExportOnnxOptions = {}): Uint8Array {
  if (model.inputs.length !== 1) {
    throw new OnnxExportError(`Model "${model.name}" has ${model.inputs.length} inputs; only single-input models export to ONNX.`);
  }
  const prefix = resolvePrefix(model, options.prefixLayers);
  const top = model.layers.slice(0, prefix);
  checkChain(top, model.name);
  const inputShape = ioShape(model.inputs[0].shape, "input");
  if (inputShape.length !== 4 && inputShape.length !== 2) {
    throw new OnnxExportError(`The model's input has rank ${inputShape.length}; ONNX export takes images (NHWC) or flat vectors.`);
  }

  const b = new OnnxGraphBuilder([ONNX_INPUT_NAME, ONNX_OUTPUT_NAME]);
  let state: FlowState = { tensor: ONNX_INPUT_NAME, layout: inputShape.length === 4 ? "nhwc" : "flat", shape: inputShape.slice(1) };
  for (const layer of top.flatMap(expand)) state = convertLayer(b, layer, state);
  state = toNhwc(b, state, "prefix");
  // a fixed output name whatever the last layer is called; ORT drops the Identity when optimising
  b.addNamedNode("Identity", [state.tensor], ONNX_OUTPUT_NAME);
  const outputShape = ioShape(top[top.length - 1].outputShape as Array<number | null>, "output");
  return b.encode(
    { name: ONNX_INPUT_NAME, shape: inputShape },
    { name: ONNX_OUTPUT_NAME, shape: outputShape },
    options.metadata ?? {},
    model.name,
  );
}

/** Exports to `path` (folders created); returns the number of bytes written. */
export async function writeOnnxFile(model: LayersModel, path: string, options: ExportOnnxOptions = {}): Promise<number> {
  const bytes = exportOnnx(model, options);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return bytes.length;
}
