// Trains the layers after a frozen prefix with ONNX Runtime: each step is one run of the
// graph that suffix-graph.ts writes (forward, backward, optimizer update), on every core.
// Weights and optimizer state are plain Float32Arrays in Node's memory, not in TF.js' 4 GB
// wasm heap; the model gets them back when callbacks need them.
import { availableParallelism, freemem } from "node:os";
import type * as Ort from "onnxruntime-node";
import { tf, type LayersModel } from "../../tf.ts";
import { engineThreads, loadOnnxRuntime, ortSessionOptions, type OrtPlacement } from "../../engine/onnx-engine.ts";
import type { OptimizerSpec } from "../optimizers.ts";
import { TrainingOptionError } from "../../errors.ts";
import { mulberry32 } from "../seeded-random.ts";
import { crossEntropyAndAccuracy, type BatchResult, type Feed, type TrainingEngine } from "../training-engine.ts";
import { ADAM_BC1, ADAM_BC2, type GraphOptimizer } from "./optimizer-graph.ts";
import { buildSuffixGraphs, stepName, SUFFIX_INPUT, SUFFIX_LABELS, SUFFIX_PROBS, SUFFIX_SCALE, type SuffixGraphs } from "./suffix-graph.ts";
import { outputShape, type Suffix } from "./suffix-layers.ts";
import { blockedConvFits, nchwcBlockSize } from "./nchwc.ts";

/** Keras' (and TF.js') Adam defaults, as adam() creates them. */
const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-7;

function graphOptimizer(spec: OptimizerSpec): GraphOptimizer {
  if (spec.name === "adam") return { name: "adam", learningRate: spec.learningRate, beta1: ADAM_BETA1, beta2: ADAM_BETA2, epsilon: ADAM_EPSILON };
  return { name: "sgd", learningRate: spec.learningRate, momentum: spec.momentum, nesterov: spec.nesterov };
}

export interface OrtTrainingOptions extends OrtPlacement {
  /** Steps per graph run; default: several when the trained weights are large (see defaultStepsPerRun). */
  stepsPerRun?: number;
  /** Convolutions on ONNX Runtime's blocked CPU kernels where their channels allow; default true on the CPU provider. */
  blockedConvolutions?: boolean;
}

/** Parameters above which one step's output copies weigh on its time (VGG16's fc1: 103M). */
const LARGE_PARAMS = 20_000_000;
/** Trained convolutions' multiply-adds per image under which those copies still weigh (block5 at 224: 2.8G; blocks 4-5: 7.4G). */
const LIGHT_CONV_MACS = 4e9;
/** This run's share of free memory below which one step per run is kept: four peak at 7.3-7.5 GB at VGG16 scale, 2.3-2.8 GB above one. */
const MULTI_STEP_FREE_BYTES = 8 * 2 ** 30;

/**
 * This run's share of the free memory: a worker gives each of its runs THAW_THREADS of the
 * cores, so cores / threads runs may be training at once, each deciding alone.
 */
export function freeBytesPerRun(env: Record<string, string | undefined> = process.env, free = freemem(), cores = availableParallelism()): number {
  return free / Math.max(1, Math.floor(cores / engineThreads(env as NodeJS.ProcessEnv)));
}

/** Multiply-adds per image of the suffix's convolutions. */
function convMacsPerImage(suffix: Suffix): number {
  let shape = suffix.inputShape;
  let macs = 0;
  for (const op of suffix.ops) {
    if (op.kind === "conv") macs += shape[0] * shape[1] * op.kernel[0] * op.kernel[1] * op.inChannels * op.outChannels;
    shape = outputShape(op, shape);
  }
  return macs;
}

/**
 * Several steps per run when large weights train beside little convolution arithmetic (the
 * seed's dense head, block5 and the head) and this run's share of free memory allows (8 GB):
 * onnxruntime-node returns every updated weight and its optimizer state in a fresh buffer,
 * 411 MB each for fc1, a cost four steps share. VGG16 at 224, Zen 5, batch 16: frozen 15
 * 28 images/s at 7.4 GB with 4 steps against 21 at 5.1 GB with 1; frozen 11 (blocks 4-5)
 * 7.8 images/s with either, at 8.2 GB against 5.0, so one. One step also lets a stop land on
 * the next batch.
 */
export function defaultStepsPerRun(graphs: SuffixGraphs, suffix: Suffix, env: Record<string, string | undefined> = process.env, freeBytes = freeBytesPerRun(env)): number {
  const asked = env.THAW_STEPS_PER_RUN?.trim();
  if (asked) {
    const steps = Number(asked);
    if (!Number.isInteger(steps) || steps < 1 || steps > 16) throw new TrainingOptionError(`THAW_STEPS_PER_RUN is "${asked}"; use a whole number from 1 to 16 (fewer steps per run use less memory).`);
    return steps;
  }
  const params = graphs.params.reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
  return params > LARGE_PARAMS && convMacsPerImage(suffix) < LIGHT_CONV_MACS && freeBytes >= MULTI_STEP_FREE_BYTES ? 4 : 1;
}

export class OrtTrainingEngine implements TrainingEngine {
  readonly name = "onnxruntime";
  /** Parameter and optimizer-state values by graph input name. */
  private readonly values = new Map<string, Float32Array>();
  /** beta1^t and beta2^t as float32, as TF.js accumulates them (Adam only). */
  private accBeta1 = 1;
  private accBeta2 = 1;
  /** One stream per dropout layer, so masks repeat for the same seed. */
  private readonly random: Array<() => number>;

  private constructor(
    private readonly ort: typeof Ort,
    private readonly trainSession: Ort.InferenceSession,
    /** The same step `stepsPerRun` times in one graph; undefined when that is 1. */
    private readonly multiStepSession: Ort.InferenceSession | undefined,
    readonly stepsPerRun: number,
    private readonly forwardSession: Ort.InferenceSession,
    private readonly graphs: SuffixGraphs,
    private readonly suffix: Suffix,
    private readonly optimizer: GraphOptimizer,
    private readonly model: LayersModel,
    readonly reason: string,
    readonly provider: string,
  ) {
    this.random = graphs.masks.map((m) => mulberry32(m.seed));
  }

  /**
   * An engine for `suffix`, starting from the weights of `model`'s layers of the same names;
   * `syncModel` writes the trained weights back into those layers.
   */
  static async create(model: LayersModel, suffix: Suffix, spec: OptimizerSpec, reason: string, options: OrtTrainingOptions = {}): Promise<OrtTrainingEngine> {
    const ort = await loadOnnxRuntime();
    const optimizer = graphOptimizer(spec);
    const { options: placed, description, provider } = ortSessionOptions(options);
    // Without memory patterns each intermediate takes its own block from ONNX Runtime's arena,
    // instead of every run taking one block the size of the whole step's intermediates, which
    // the arena could not fit again beside the outputs and so grew: frozen 11 at 224 held 3.7
    // GB after 12 steps against 6.0 GB with them, at the same speed (Zen 4, 2 threads).
    const sessionOptions = { ...placed, enableMemPattern: false };
    const block = provider === "cpu" && options.blockedConvolutions !== false ? await nchwcBlockSize(ort) : undefined;
    const graphs = buildSuffixGraphs(suffix, optimizer, 1, block);
    const steps = options.stepsPerRun ?? defaultStepsPerRun(graphs, suffix);
    const [train, forward, multiStep] = await Promise.all([
      ort.InferenceSession.create(graphs.train, sessionOptions),
      ort.InferenceSession.create(graphs.forward, sessionOptions),
      steps > 1 ? ort.InferenceSession.create(buildSuffixGraphs(suffix, optimizer, steps, block).train, sessionOptions) : undefined,
    ]);
    const perRun = `${steps > 1 ? `, ${steps} steps per run` : ""}${suffix.ops.some((op) => op.kind === "conv" && blockedConvFits(block, op.inChannels, op.outChannels)) ? `, blocked convolutions (NCHW${block}c)` : ""}`;
    const engine = new OrtTrainingEngine(ort, train, multiStep, steps, forward, graphs, suffix, optimizer, model, `${reason}; ${description}${perRun}`, provider);
    for (const p of graphs.params) {
      const weight = model.getLayer(p.layer).getWeights()[p.index];
      engine.values.set(p.input, (weight.dataSync() as Float32Array).slice());
      for (const [state] of p.state) engine.values.set(state, new Float32Array(weight.size));
    }
    return engine;
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

  async trainBatches(feeds: Feed[]): Promise<BatchResult[]> {
    const sameSize = feeds.every((f) => f.shape[0] === feeds[0].shape[0]);
    if (this.multiStepSession && feeds.length === this.stepsPerRun && sameSize) return this.run(this.multiStepSession, feeds);
    const results: BatchResult[] = [];
    for (const feed of feeds) results.push(...(await this.run(this.trainSession, [feed])));
    return results;
  }

  /** One run of a training graph: one step per feed, all feeds of one batch size. */
  private async run(session: Ort.InferenceSession, feeds: Feed[]): Promise<BatchResult[]> {
    const n = feeds[0].shape[0];
    const inputs: Record<string, Ort.Tensor> = { [SUFFIX_SCALE]: this.tensor(new Float32Array([1 / n]), []), ...this.paramFeeds(true) };
    feeds.forEach((feed, k) => {
      inputs[stepName(SUFFIX_INPUT, k)] = this.tensor(feed.x, feed.shape);
      inputs[stepName(SUFFIX_LABELS, k)] = this.tensor(feed.y, [n, feed.classes]);
      for (const [i, mask] of this.graphs.masks.entries()) {
        const keep = 1 / (1 - mask.rate);
        const values = new Float32Array(n * mask.units);
        for (let j = 0; j < values.length; j++) values[j] = this.random[i]() >= mask.rate ? keep : 0;
        inputs[stepName(mask.input, k)] = this.tensor(values, [n, mask.units]);
      }
      if (this.optimizer.name === "adam") {
        this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.optimizer.beta1));
        this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.optimizer.beta2));
        inputs[stepName(ADAM_BC1, k)] = this.tensor(new Float32Array([1 - this.accBeta1]), []);
        inputs[stepName(ADAM_BC2, k)] = this.tensor(new Float32Array([1 - this.accBeta2]), []);
      }
    });
    const out = await session.run(inputs);
    for (const p of this.graphs.params) {
      this.values.set(p.input, out[p.output].data as Float32Array);
      for (const [state, next] of p.state) this.values.set(state, out[next].data as Float32Array);
    }
    return feeds.map((feed, k) => crossEntropyAndAccuracy(out[stepName(SUFFIX_PROBS, k)].data as Float32Array, feed.y, this.suffix.classes));
  }

  async evaluateBatch(feed: Feed): Promise<BatchResult> {
    const out = await this.forwardSession.run({ [SUFFIX_INPUT]: this.tensor(feed.x, feed.shape), ...this.paramFeeds(false) });
    return crossEntropyAndAccuracy(out[SUFFIX_PROBS].data as Float32Array, feed.y, this.suffix.classes);
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
    await Promise.all([this.trainSession.release(), this.multiStepSession?.release(), this.forwardSession.release()]);
  }
}
