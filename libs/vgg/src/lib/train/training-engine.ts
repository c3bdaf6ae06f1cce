// What trains the weights batch by batch. Two engines: ONNX Runtime (graphs written out in
// suffix/, weights outside any wasm heap) and TF.js' own trainOnBatch. The loop does not
// know which one runs.

/** One batch as the trained layers take it: plain arrays, so no engine pays for another's tensors. */
export interface Feed {
  /** Inputs of the trained layers, [n, ...shape] row-major (images or frozen-prefix outputs). */
  x: Float32Array;
  /** [n, ...per-image shape] */
  shape: number[];
  /** One-hot labels, [n, classes]. */
  y: Float32Array;
  classes: number;
}

export type FeedSource = () => AsyncIterable<Feed>;

/** Mean loss and accuracy of one batch. */
export interface BatchResult {
  loss: number;
  accuracy: number;
}

export interface TrainingEngine {
  /** "onnxruntime" or "tfjs", and why it was chosen, for the run record. */
  readonly name: string;
  readonly reason: string;
  /** ONNX Runtime's execution provider ("cpu", "cuda"), recorded with the run. */
  readonly provider?: string;
  /** Batches the engine takes per call at best: the loop hands it up to this many of one size. */
  readonly stepsPerRun: number;
  /** One training step per feed, in order. */
  trainBatches(feeds: Feed[]): Promise<BatchResult[]>;
  evaluateBatch(feed: Feed): Promise<BatchResult>;
  /** Writes the trained weights into the model callbacks see (before epoch-end callbacks and at the end). */
  syncModel(): void;
  dispose(): void | Promise<void>;
}

/** tfjs-layers clips probabilities to [eps, 1 - eps] before the log. */
const CLIP = 1e-7;

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
