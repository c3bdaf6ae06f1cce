// Writes weights in Keras' legacy HDF5 layout (the layout of Keras' published VGG16
// files), so tests and tools can produce files the loader must accept.
import { type LayersModel } from "../tf.ts";
import { loadH5 } from "./h5.ts";

export interface KerasH5Weight {
  /** Dataset name inside the layer group, e.g. `block1_conv1_W_1:0`. */
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface KerasH5Layer {
  name: string;
  /** Empty for layers without weights (input, pooling, flatten), as Keras writes them. */
  weights: KerasH5Weight[];
}

/** Fixed-length ASCII strings, as h5py stores numpy `S` arrays. */
function stringDtype(values: string[]): string {
  return `S${Math.max(1, ...values.map((v) => v.length))}`;
}

export async function writeKerasH5File(filePath: string, layers: KerasH5Layer[]): Promise<void> {
  const h5 = await loadH5();
  const file = new h5.File(filePath, "w");
  try {
    const layerNames = layers.map((l) => l.name);
    file.create_attribute("layer_names", layerNames, null, stringDtype(layerNames));
    file.create_attribute("backend", "tensorflow");
    file.create_attribute("keras_version", "2.1.5");
    for (const layer of layers) {
      const group = file.create_group(layer.name);
      const weightNames = layer.weights.map((w) => w.name);
      if (weightNames.length === 0) group.create_attribute("weight_names", new Float32Array(0), [0], "<f4");
      else group.create_attribute("weight_names", weightNames, null, stringDtype(weightNames));
      for (const weight of layer.weights) {
        group.create_dataset({ name: weight.name, data: weight.data, shape: weight.shape, dtype: "<f4" });
      }
    }
  } finally {
    file.close();
  }
}

/** Keras 1 / keras-applications dataset names: `<layer>_W_1:0` for kernels, `<layer>_b_1:0` for biases. */
export function legacyWeightName(layerName: string, index: number): string {
  return `${layerName}_${index === 0 ? "W" : "b"}_1:0`;
}

/** Writes a model's weights with the dataset names of Keras' published VGG16 files. */
export async function writeModelAsKerasH5(model: LayersModel, filePath: string): Promise<void> {
  const layers = model.layers.map((layer) => ({
    name: layer.name,
    weights: layer.getWeights().map((tensor, i) => ({
      name: legacyWeightName(layer.name, i),
      shape: tensor.shape,
      data: tensor.dataSync() as Float32Array,
    })),
  }));
  await writeKerasH5File(filePath, layers);
}
