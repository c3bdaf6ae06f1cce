// Trains a dense head (the layers after a frozen prefix) with ONNX Runtime on CPU. TF.js'
// wasm backend trains VGG16's fc1/fc2 head at ~5 s per batch of 32: it repacks fc1's 411 MB
// kernel for every forward pass once the weights change, runs one thread, and every update
// allocates full-size temporaries in a 4 GB heap. Here the weights and optimizer state are
// plain Float32Arrays, each step is one graph run on every core (head-graph.ts), and the
// model gets the weights back when callbacks need them.
import type * as Ort from "onnxruntime-node";
import { tf, type LayersModel } from "../tf.ts";
import { cpuSessionOptions, engineThreads, loadOnnxRuntime } from "../engine/onnx-engine.ts";
import type { OptimizerSpec } from "./optimizers.ts";
import type { DenseHead } from "./dense-head.ts";
import { ADAM_BC1, ADAM_BC2, buildHeadGraphs, HEAD_INPUT, HEAD_LABELS, HEAD_PROBS, HEAD_SCALE, type HeadGraphs, type HeadOptimizer } from "./head-graph.ts";
import type { BatchResult, BatchTrainer, Feed } from "./train-loop.ts";
import { mulberry32 } from "./seeded-random.ts";

/** Keras' (and TF.js') Adam defaults, as adam() creates them. */
const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-7;
/** tfjs-layers clips probabilities to [eps, 1 - eps] before the log. */
const CLIP = 1e-7;

function headOptimizer(spec: OptimizerSpec): HeadOptimizer {
  if (spec.name === "adam") return { name: "adam", learningRate: spec.learningRate, beta1: ADAM_BETA1, beta2: ADAM_BETA2, epsilon: ADAM_EPSILON };
  return { name: "sgd", learningRate: spec.learningRate, momentum: spec.momentum, nesterov: spec.nesterov };
}

/** Mean clipped cross-entropy and accuracy of probabilities against one-hot labels, as tfjs-layers computes them. */
export function crossEntropyAndAccuracy(probs: Float32Array, labels: Float32Array, classes: number): BatchResult {
  const n = labels.length / classes;
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let truth = 0;
    for (let c = 0; c < classes; c++) {
      const p = probs[i * classes + c];
      const y = labels[i * classes + c];
      if (y !== 0) loss -= y * Math.log(Math.min(Math.max(p, CLIP), 1 - CLIP));
      if (p > probs[i * classes + best]) best = c;
      if (y > labels[i * classes + truth]) truth = c;
    }
    if (best === truth) correct++;
  }
  return { loss: loss / n, accuracy: correct / n };
}

export class OnnxHeadTrainer implements BatchTrainer {
  readonly engine = "onnxruntime";
  /** Parameter and optimizer-state values by graph input name. */
  private values = new Map<string, Float32Array>();
  /** beta1^t and beta2^t as float32, as TF.js accumulates them (Adam only). */
  private accBeta1 = 1;
  private accBeta2 = 1;
  private readonly random: Array<() => number>;

  private constructor(
    private readonly ort: typeof Ort,
    private readonly trainSession: Ort.InferenceSession,
    private readonly forwardSession: Ort.InferenceSession,
    private readonly graphs: HeadGraphs,
    private readonly head: DenseHead,
    private readonly optimizer: HeadOptimizer,
    private readonly model: LayersModel,
    readonly reason: string,
  ) {
    // one stream per dropout layer, so masks repeat for the same seed
    this.random = graphs.masks.map((m) => mulberry32(m.seed));
  }

  /**
   * A trainer for `head`, starting from the weights of `model`'s layers of the same names;
   * `syncModel` writes the trained weights back into those layers.
   */
  static async create(model: LayersModel, head: DenseHead, spec: OptimizerSpec, reason: string): Promise<OnnxHeadTrainer> {
    const ort = await loadOnnxRuntime();
    const optimizer = headOptimizer(spec);
    const graphs = buildHeadGraphs(head, optimizer);
    const threads = engineThreads();
    const options = cpuSessionOptions(threads);
    const [train, forward] = await Promise.all([ort.InferenceSession.create(graphs.train, options), ort.InferenceSession.create(graphs.forward, options)]);
    const trainer = new OnnxHeadTrainer(ort, train, forward, graphs, head, optimizer, model, `${reason}; ONNX Runtime on CPU, ${threads} thread(s)`);
    for (const p of graphs.params) {
      const weight = model.getLayer(p.layer).getWeights()[p.index];
      trainer.values.set(p.input, weight.dataSync() as Float32Array);
      for (const [state] of p.state) trainer.values.set(state, new Float32Array(weight.size));
    }
    return trainer;
  }

  private tensor(data: Float32Array, dims: readonly number[]): Ort.Tensor {
    return new this.ort.Tensor("float32", data, dims);
  }

  private paramFeeds(withState: boolean): Record<string, Ort.Tensor> {
    const feeds: Record<string, Ort.Tensor> = {};
    for (const p of this.graphs.params) {
      feeds[p.input] = this.tensor(this.values.get(p.input)!, p.shape);
      if (withState) for (const [state] of p.state) feeds[state] = this.tensor(this.values.get(state)!, p.shape);
    }
    return feeds;
  }

  private features(feed: Feed): { x: Ort.Tensor; labels: Float32Array; n: number } {
    const n = feed.x.shape[0];
    return { x: this.tensor(feed.x.dataSync() as Float32Array, [n, ...this.head.featureShape]), labels: feed.y.dataSync() as Float32Array, n };
  }

  async trainBatch(feed: Feed): Promise<BatchResult> {
    const { x, labels, n } = this.features(feed);
    const feeds: Record<string, Ort.Tensor> = {
      [HEAD_INPUT]: x,
      [HEAD_LABELS]: this.tensor(labels, [n, this.head.classes]),
      [HEAD_SCALE]: this.tensor(new Float32Array([1 / n]), []),
      ...this.paramFeeds(true),
    };
    for (const [i, mask] of this.graphs.masks.entries()) {
      const keep = 1 / (1 - mask.rate);
      const values = new Float32Array(n * mask.units);
      for (let j = 0; j < values.length; j++) values[j] = this.random[i]() >= mask.rate ? keep : 0;
      feeds[mask.input] = this.tensor(values, [n, mask.units]);
    }
    if (this.optimizer.name === "adam") {
      this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.optimizer.beta1));
      this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.optimizer.beta2));
      feeds[ADAM_BC1] = this.tensor(new Float32Array([1 - this.accBeta1]), []);
      feeds[ADAM_BC2] = this.tensor(new Float32Array([1 - this.accBeta2]), []);
    }
    const out = await this.trainSession.run(feeds);
    for (const p of this.graphs.params) {
      this.values.set(p.input, out[p.output].data as Float32Array);
      for (const [state, next] of p.state) this.values.set(state, out[next].data as Float32Array);
    }
    return crossEntropyAndAccuracy(out[HEAD_PROBS].data as Float32Array, labels, this.head.classes);
  }

  async evaluateBatch(feed: Feed): Promise<BatchResult> {
    const { x, labels } = this.features(feed);
    const out = await this.forwardSession.run({ [HEAD_INPUT]: x, ...this.paramFeeds(false) });
    return crossEntropyAndAccuracy(out[HEAD_PROBS].data as Float32Array, labels, this.head.classes);
  }

  syncModel(): void {
    for (const layer of new Set(this.graphs.params.map((p) => p.layer))) {
      const weights = this.graphs.params.filter((p) => p.layer === layer).map((p) => tf.tensor(this.values.get(p.input)!, p.shape));
      this.model.getLayer(layer).setWeights(weights);
      tf.dispose(weights);
    }
  }

  async dispose(): Promise<void> {
    this.values.clear();
    await Promise.all([this.trainSession.release(), this.forwardSession.release()]);
  }
}
