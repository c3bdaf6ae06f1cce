// Confusion matrix and per-class accuracy (recall) from true and predicted class indices.

export interface Confusion {
  /** matrix[true][predicted] */
  confusionMatrix: number[][];
  /** Correct / total per true class; 0 for a class without validation images. */
  perClassAccuracy: number[];
  accuracy: number;
}

export function confusion(truth: number[], predicted: number[], classes: number): Confusion {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  truth.forEach((t, i) => {
    matrix[t][predicted[i]] += 1;
  });
  const perClassAccuracy = matrix.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? 0 : row[i] / total;
  });
  const correct = matrix.reduce((sum, row, i) => sum + row[i], 0);
  return { confusionMatrix: matrix, perClassAccuracy, accuracy: truth.length === 0 ? 0 : correct / truth.length };
}
