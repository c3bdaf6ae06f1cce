// The TF.js engine: model.predict on whatever backend TF.js runs (the reference the ONNX
// export is checked against, and the engine on native GPU backends).
import { tf, type LayersModel, type SymbolicTensor, type Tensor } from "../tf.ts";
import { InferenceEngineError } from "../errors.ts";
import type { EngineOutput, InferenceEngine } from "./inference-engine.ts";
import { checkEngineInput, perImageInputShape, resolvePrefixLayers } from "./engine-input.ts";

/** Keras' `Model(inputs, layers[N-1].output)`: shares the layers (and weights) of `model`. */
function prefixModel(model: LayersModel, prefix: number): LayersModel {
  if (prefix === model.layers.length) return model;
  const last = model.layers[prefix - 1];
  let output: SymbolicTensor;
  try {
    output = last.output as SymbolicTensor;
  } catch (e) {
    throw new InferenceEngineError(`Layer "${last.name}" has no single output to cut the model at (${(e as Error).message}); cut at a layer used once.`);
  }
  return tf.model({ inputs: model.inputs, outputs: output, name: `${model.name}_prefix${prefix}` });
}

export class TfjsEngine implements InferenceEngine {
  readonly name = "tfjs" as const;

  private constructor(
    private readonly model: LayersModel,
    private readonly perImage: number[],
    readonly reason: string,
  ) {}

  static create(model: LayersModel, options: { prefixLayers?: number; reason?: string } = {}): TfjsEngine {
    const prefix = resolvePrefixLayers(model, options.prefixLayers);
    const reason = options.reason ?? `TF.js on backend "${tf.getBackend()}"`;
    return new TfjsEngine(prefixModel(model, prefix), perImageInputShape(model), reason);
  }

  async run(input: Float32Array, batch: number): Promise<EngineOutput> {
    checkEngineInput(input, batch, this.perImage);
    const y = tf.tidy(() => {
      const x = tf.tensor(input, [batch, ...this.perImage]);
      return this.model.predict(x, { batchSize: batch }) as Tensor;
    });
    try {
      return { data: (await y.data()) as Float32Array, shape: y.shape };
    } finally {
      y.dispose();
    }
  }

  /** The layers belong to the caller's model: nothing to free here. */
  async dispose(): Promise<void> {}
}
