// The best checkpoint on the validation data: confusion matrix and per-class accuracy,
// computed from the checkpoint as saved (so it is what `thaw predict` would answer).
import { createEngine, loadCheckpoint, predict } from "@thaw/vgg";
import { confusion } from "./confusion.ts";
import type { TrainingData } from "./training-data.ts";

export interface Evaluation {
  classNames: string[];
  confusionMatrix: number[][];
  perClassAccuracy: number[];
  accuracy: number;
}

export async function evaluateCheckpoint(dir: string, data: TrainingData): Promise<Evaluation> {
  const { model, meta } = await loadCheckpoint(dir);
  const engine = await createEngine(model);
  try {
    const truth: number[] = [];
    const predicted: number[] = [];
    for await (const batch of data.validation) {
      const predictions = await predict(model, { x: batch.x, shape: batch.shape }, { topK: 1, engine });
      truth.push(...batch.labels);
      predicted.push(...predictions.map((p) => p[0].index));
    }
    return { classNames: meta.classNames, ...confusion(truth, predicted, meta.classNames.length) };
  } finally {
    await engine.dispose();
    model.dispose();
  }
}
