// Confusion matrix, per-class accuracy (recall) and precision from true and predicted class indices.

export interface Confusion {
  /** matrix[true][predicted] */
  confusionMatrix: number[][];
  /** Correct / total per true class; 0 for a class without validation images. */
  perClassAccuracy: number[];
  accuracy: number;
}

/** Per class: correct / predicted as that class (null when never predicted) and correct / true (null without images). */
export function precisionRecall(matrix: number[][]): { precision: (number | null)[]; recall: (number | null)[] } {
  const precision = matrix.map((_, j) => {
    const predicted = matrix.reduce((sum, row) => sum + row[j], 0);
    return predicted === 0 ? null : matrix[j][j] / predicted;
  });
  const recall = matrix.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? null : row[i] / total;
  });
  return { precision, recall };
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
