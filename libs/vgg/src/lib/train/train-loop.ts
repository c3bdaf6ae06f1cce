// The epoch/batch loop: Keras' fit semantics with callbacks, per-epoch logs weighted by
// batch size, and an AbortSignal honoured before every engine call. It hands the training
// engine up to `stepsPerRun` batches of one size at a time and knows nothing else about it.
import { TrainingOptionError } from "../errors.ts";
import { type OptimizerSpec } from "./optimizers.ts";
import { type Callback, type EpochLogs, type StopReason, type TrainingState, type TrainProgress } from "./callbacks/callback.ts";
import type { Feed, FeedSource, TrainingEngine } from "./training-engine.ts";

export interface LoopOptions {
  epochs: number;
  optimizer: OptimizerSpec;
  validation?: FeedSource;
  callbacks?: Callback[];
  signal?: AbortSignal;
}

export interface History {
  /** One entry per completed epoch. */
  epochs: EpochLogs[];
  /** Keras' History.history: metric name -> one value per completed epoch. */
  history: Record<string, number[]>;
  stopReason: StopReason;
  /** What trained the weights ("tfjs" or "onnxruntime"), why, and on which ONNX Runtime provider. */
  engine: { name: string; reason: string; provider?: string };
}

export function checkLoopOptions(options: LoopOptions): void {
  if (!Number.isInteger(options.epochs) || options.epochs < 1) {
    throw new TrainingOptionError(`epochs must be an integer >= 1, got ${options.epochs}.`);
  }
  if (typeof options.optimizer?.create !== "function") {
    throw new TrainingOptionError("optimizer must come from sgd(learningRate, momentum) or adam(learningRate).");
  }
}

class Aborted extends Error {}

/** Sums of per-image loss and correct predictions, so epoch means weigh batches by size. */
class Totals {
  loss = 0;
  correct = 0;
  count = 0;
  add(size: number, loss: number, accuracy: number): void {
    this.loss += loss * size;
    this.correct += accuracy * size;
    this.count += size;
  }
}

function batchSize(feed: Feed): number {
  return feed.shape[0];
}

async function progress(callbacks: Callback[], report: TrainProgress): Promise<void> {
  for (const cb of callbacks) await cb.onProgress?.(report);
}

async function validate(engine: TrainingEngine, source: FeedSource, signal: AbortSignal | undefined, epoch: number, callbacks: Callback[]): Promise<Totals> {
  const totals = new Totals();
  for await (const feed of source()) {
    if (signal?.aborted) throw new Aborted();
    const { loss, accuracy } = await engine.evaluateBatch(feed);
    totals.add(batchSize(feed), loss, accuracy);
    await progress(callbacks, { phase: "validate", epoch, done: totals.count });
  }
  return totals;
}

/** Runs of up to `size` consecutive batches of one batch size, in order. */
async function* chunks(source: AsyncIterable<Feed>, size: number): AsyncGenerator<Feed[]> {
  let chunk: Feed[] = [];
  for await (const feed of source) {
    if (chunk.length > 0 && batchSize(chunk[0]) !== batchSize(feed)) {
      yield chunk;
      chunk = [];
    }
    chunk.push(feed);
    // a full chunk goes at once: the next batch is not read before this one trains
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * Trains on the feeds with `engine`. `state.model` is what callbacks see: the full model,
 * whose trained layers the engine updates when synced. The loop disposes `engine`.
 */
export async function trainLoop(train: FeedSource, options: LoopOptions, state: TrainingState, engine: TrainingEngine): Promise<History> {
  checkLoopOptions(options);
  const { epochs, validation, callbacks = [], signal } = options;
  const history: History = { epochs: [], history: {}, stopReason: "completed", engine: { name: engine.name, reason: engine.reason, ...(engine.provider ? { provider: engine.provider } : {}) } };
  state.stopTraining = false;
  for (const cb of callbacks) cb.setTrainingState?.(state);
  try {
    for (const cb of callbacks) await cb.onTrainBegin?.();
    for (let epoch = 0; epoch < epochs && !state.stopTraining; epoch++) {
      const started = performance.now();
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch);
      const totals = new Totals();
      let batch = 0;
      for await (const chunk of chunks(train(), engine.stepsPerRun)) {
        if (signal?.aborted) throw new Aborted();
        const results = await engine.trainBatches(chunk);
        for (const [i, { loss, accuracy }] of results.entries()) {
          const size = batchSize(chunk[i]);
          totals.add(size, loss, accuracy);
          for (const cb of callbacks) await cb.onBatchEnd?.(batch, { size, loss, accuracy });
          await progress(callbacks, { phase: "train", epoch, done: totals.count });
          batch++;
        }
        if (state.stopTraining) break;
      }
      if (totals.count === 0) throw new TrainingOptionError("The training batches were empty; check the dataset folder and the batch source.");
      const val = validation ? await validate(engine, validation, signal, epoch, callbacks) : undefined;
      engine.syncModel();
      // Keras' key order, then the epoch's wall time.
      const logs: EpochLogs = {
        loss: totals.loss / totals.count,
        accuracy: totals.correct / totals.count,
        ...(val && val.count > 0 ? { val_loss: val.loss / val.count, val_accuracy: val.correct / val.count } : {}),
        duration: (performance.now() - started) / 1000,
      };
      history.epochs.push(logs);
      for (const [key, value] of Object.entries(logs)) (history.history[key] ??= []).push(value);
      for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs);
    }
    if (state.stopTraining) history.stopReason = "callback";
  } catch (error) {
    if (!(error instanceof Aborted)) throw error;
    history.stopReason = "aborted";
    // an abort leaves the weights of the last finished batch in the model, as Keras does
    engine.syncModel();
  } finally {
    await engine.dispose();
  }
  for (const cb of callbacks) await cb.onTrainEnd?.({ stopReason: history.stopReason, epochs: history.epochs.length });
  return history;
}
