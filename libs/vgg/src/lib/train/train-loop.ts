// The epoch/batch loop shared by fit (images) and the feature cache (cached activations):
// Keras' fit semantics with callbacks, per-epoch logs weighted by batch size, and an
// AbortSignal honoured before every batch.
import { tf, type LayersModel, type Tensor } from "../tf.ts";
import { TrainingOptionError } from "../errors.ts";
import { type OptimizerSpec } from "./optimizers.ts";
import { type Callback, type EpochLogs, type StopReason, type Trainer, type TrainProgress } from "./callbacks/callback.ts";

/** One batch as the trained model takes it. The loop disposes both tensors. */
export interface Feed {
  x: Tensor;
  y: Tensor;
}

export type FeedSource = () => AsyncIterable<Feed>;

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
  /** What trained the weights ("tfjs" or "onnxruntime") and why. */
  engine: { name: string; reason: string };
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
  return feed.x.shape[0];
}

async function progress(callbacks: Callback[], report: TrainProgress): Promise<void> {
  for (const cb of callbacks) await cb.onProgress?.(report);
}

async function validate(batches: BatchTrainer, source: FeedSource, signal: AbortSignal | undefined, epoch: number, callbacks: Callback[]): Promise<Totals> {
  const totals = new Totals();
  for await (const feed of source()) {
    try {
      if (signal?.aborted) throw new Aborted();
      const { loss, accuracy } = await batches.evaluateBatch(feed);
      totals.add(batchSize(feed), loss, accuracy);
    } finally {
      tf.dispose([feed.x, feed.y]);
    }
    await progress(callbacks, { phase: "validate", epoch, done: totals.count });
  }
  return totals;
}

/** Mean loss and accuracy of one batch. */
export interface BatchResult {
  loss: number;
  accuracy: number;
}

/**
 * What trains the weights batch by batch: TF.js' own trainOnBatch, or another engine that
 * holds the trainable weights itself and writes them into the model when asked.
 */
export interface BatchTrainer {
  /** Engine name and why it was chosen, for the run record. */
  readonly engine: string;
  readonly reason: string;
  trainBatch(feed: Feed): Promise<BatchResult>;
  evaluateBatch(feed: Feed): Promise<BatchResult>;
  /** Makes the model callbacks see hold the trained weights (before epoch-end callbacks and at the end). */
  syncModel(): void;
  dispose(): void | Promise<void>;
}

/** TF.js' Keras path: compile with the optimizer, trainOnBatch, predict for validation. */
export function tfjsBatchTrainer(model: LayersModel, optimizerSpec: OptimizerSpec, reason: string, afterSync?: () => void): BatchTrainer {
  const optimizer = optimizerSpec.create();
  model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  return {
    engine: "tfjs",
    reason,
    async trainBatch(feed) {
      const [loss, accuracy] = (await model.trainOnBatch(feed.x, feed.y)) as number[];
      return { loss, accuracy };
    },
    async evaluateBatch(feed) {
      const [loss, correct] = tf.tidy(() => {
        const probs = model.predict(feed.x) as Tensor;
        return [tf.mean(tf.metrics.categoricalCrossentropy(feed.y, probs)), tf.mean(tf.cast(tf.equal(tf.argMax(probs, -1), tf.argMax(feed.y, -1)), "float32"))];
      });
      const [l, c] = [(await loss.data())[0], (await correct.data())[0]];
      tf.dispose([loss, correct]);
      return { loss: l, accuracy: c };
    },
    syncModel: () => afterSync?.(),
    dispose: () => optimizer.dispose(),
  };
}

/**
 * Trains on the feeds with `stepper`. `trainer.model` is what callbacks see (the full model
 * when only its trainable rest trains, on frozen-prefix outputs). The loop disposes `stepper`.
 */
export async function trainLoop(train: FeedSource, options: LoopOptions, trainer: Trainer, stepper: BatchTrainer): Promise<History> {
  checkLoopOptions(options);
  const { epochs, validation, callbacks = [], signal } = options;
  const history: History = { epochs: [], history: {}, stopReason: "completed", engine: { name: stepper.engine, reason: stepper.reason } };
  trainer.stopTraining = false;
  for (const cb of callbacks) cb.setTrainer?.(trainer);
  try {
    for (const cb of callbacks) await cb.onTrainBegin?.();
    for (let epoch = 0; epoch < epochs && !trainer.stopTraining; epoch++) {
      const started = performance.now();
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch);
      const totals = new Totals();
      let batch = 0;
      for await (const feed of train()) {
        let loss: number;
        let accuracy: number;
        try {
          if (signal?.aborted) throw new Aborted();
          ({ loss, accuracy } = await stepper.trainBatch(feed));
        } finally {
          tf.dispose([feed.x, feed.y]);
        }
        const size = batchSize(feed);
        totals.add(size, loss, accuracy);
        for (const cb of callbacks) await cb.onBatchEnd?.(batch, { size, loss, accuracy });
        await progress(callbacks, { phase: "train", epoch, done: totals.count });
        batch++;
        if (trainer.stopTraining) break;
      }
      if (totals.count === 0) throw new TrainingOptionError("The training batches were empty; check the dataset folder and the batch source.");
      const val = validation ? await validate(stepper, validation, signal, epoch, callbacks) : undefined;
      stepper.syncModel();
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
    if (trainer.stopTraining) history.stopReason = "callback";
  } catch (error) {
    if (!(error instanceof Aborted)) throw error;
    history.stopReason = "aborted";
    // an abort leaves the weights of the last finished batch in the model, as Keras does
    stepper.syncModel();
  } finally {
    await stepper.dispose();
  }
  for (const cb of callbacks) await cb.onTrainEnd?.({ stopReason: history.stopReason, epochs: history.epochs.length });
  return history;
}
