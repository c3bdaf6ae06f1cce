// The best checkpoint on held-out data, computed from the checkpoint as saved (so it is what
// `thaw predict` would answer): on the validation images (confusion matrix, per-class accuracy)
// and, apart from them, on the test images that decide promotions.
import type { ImageFlow } from "@thaw/data";
import type { TestEvaluation } from "@thaw/tracking";
import { createEngine, loadCheckpoint, predict } from "@thaw/vgg";
import { confusion, precisionRecall } from "./confusion.ts";
import type { TrainingData } from "./training-data.ts";

export interface Evaluation {
  classNames: string[];
  confusionMatrix: number[][];
  perClassAccuracy: number[];
  accuracy: number;
}

interface Predictions {
  classNames: string[];
  truth: number[];
  predicted: number[];
  confidence: number[];
  /** Index of each prediction's image in flow.files. */
  indices: number[];
}

async function predictFlow(dir: string, flow: ImageFlow): Promise<Predictions> {
  const { model, meta } = await loadCheckpoint(dir);
  const engine = await createEngine(model);
  try {
    const out: Predictions = { classNames: meta.classNames, truth: [], predicted: [], confidence: [], indices: [] };
    for await (const batch of flow.epoch(0)) {
      const predictions = await predict(model, { x: batch.x, shape: batch.shape }, { topK: 1, engine });
      out.truth.push(...batch.labels);
      out.predicted.push(...predictions.map((p) => p[0].index));
      out.confidence.push(...predictions.map((p) => p[0].probability));
      out.indices.push(...batch.indices);
    }
    return out;
  } finally {
    await engine.dispose();
    model.dispose();
  }
}

export async function evaluateCheckpoint(dir: string, data: TrainingData): Promise<Evaluation> {
  const { classNames, truth, predicted } = await predictFlow(dir, data.validation);
  return { classNames, ...confusion(truth, predicted, classNames.length) };
}

/** The checkpoint on the test images, with every image's prediction (files relative to the dataset folder). */
export async function evaluateOnTest(dir: string, checkpointId: number, data: TrainingData & { test: ImageFlow }): Promise<TestEvaluation> {
  const { classNames, truth, predicted, confidence, indices } = await predictFlow(dir, data.test);
  const { confusionMatrix, accuracy } = confusion(truth, predicted, classNames.length);
  return {
    checkpointId,
    classNames,
    accuracy,
    ...precisionRecall(confusionMatrix),
    confusionMatrix,
    images: indices.map((fileIndex, i) => ({ file: data.test.files[fileIndex].relPath, label: truth[i], predicted: predicted[i], confidence: Math.min(1, Math.max(0, confidence[i])) })),
    testSplit: data.testSplit,
    testSeed: data.testSeed,
  };
}
