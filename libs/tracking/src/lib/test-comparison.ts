// A challenger against the current champion on the same test images: what a promotion shows
// before it moves the alias, and the rule that a checkpoint worse on the test set needs a reason.
import type { TestEvaluation } from "./tracking-store.ts";

export interface TestSide {
  checkpointId: number;
  runId: number;
  /** Null when this checkpoint has no test evaluation (not its run's best, or no test set). */
  evaluation: TestEvaluation | null;
}

export interface ClassDelta {
  className: string;
  challengerPrecision: number | null;
  championPrecision: number | null;
  challengerRecall: number | null;
  championRecall: number | null;
}

export interface Disagreement {
  file: string;
  label: number;
  challenger: number;
  champion: number;
}

export interface TestComparison {
  challenger: TestSide;
  /** Null when the alias points nowhere yet. */
  champion: TestSide | null;
  /** Both evaluated on the same test images (same files, same classes). */
  comparable: boolean;
  /** Why not comparable, as a sentence; null when comparable. */
  note: string | null;
  /** challenger - champion, on the same images; null when not comparable. */
  accuracyDelta: number | null;
  perClass: ClassDelta[];
  /** Test images the two classify differently, in file order. */
  disagreements: Disagreement[];
  /** Comparable and strictly less accurate: promoting it needs a reason. */
  worse: boolean;
}

export function compareOnTest(challenger: TestSide, champion: TestSide | null): TestComparison {
  const empty = { accuracyDelta: null, perClass: [], disagreements: [], worse: false };
  const a = challenger.evaluation;
  if (!champion) return { challenger, champion, comparable: false, note: "There is no champion yet.", ...empty };
  const b = champion.evaluation;
  if (!a || !b) {
    const which = !a ? `checkpoint ${challenger.checkpointId} (the challenger)` : `checkpoint ${champion.checkpointId} (the champion)`;
    return { challenger, champion, comparable: false, note: `${which} has no test evaluation: only a finished run's best checkpoint on a dataset with a test set has one.`, ...empty };
  }
  const sameClasses = a.classNames.length === b.classNames.length && a.classNames.every((name, i) => name === b.classNames[i]);
  const championByFile = new Map(b.images.map((image) => [image.file, image]));
  const sameImages = a.images.length === b.images.length && a.images.every((image) => championByFile.get(image.file)?.label === image.label);
  if (!sameClasses || !sameImages) {
    return { challenger, champion, comparable: false, note: "The two were tested on different images or classes, so their test figures cannot be compared.", ...empty };
  }
  const disagreements: Disagreement[] = [];
  for (const image of a.images) {
    const other = championByFile.get(image.file);
    if (other && other.predicted !== image.predicted) disagreements.push({ file: image.file, label: image.label, challenger: image.predicted, champion: other.predicted });
  }
  const accuracyDelta = a.accuracy - b.accuracy;
  return {
    challenger,
    champion,
    comparable: true,
    note: null,
    accuracyDelta,
    perClass: a.classNames.map((className, i) => ({
      className,
      challengerPrecision: a.precision[i],
      championPrecision: b.precision[i],
      challengerRecall: a.recall[i],
      championRecall: b.recall[i],
    })),
    disagreements,
    // Counted in images, not in floating point: one image fewer right is worse, equal is not.
    worse: correctCount(a) < correctCount(b),
  };
}

function correctCount(evaluation: TestEvaluation): number {
  return evaluation.images.filter((image) => image.label === image.predicted).length;
}
