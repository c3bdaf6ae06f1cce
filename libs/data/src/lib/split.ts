import type { ImageEntry } from "./scan.ts";
import { hashString, mixSeed, Rng } from "./random.ts";

/** How a validation (or test) fraction is taken from each class's files. */
export type SplitMethod = "stratified" | "keras";
export const SPLIT_METHODS: readonly SplitMethod[] = ["stratified", "keras"];

export interface SplitResult {
  kept: ImageEntry[];
  held: ImageEntry[];
}

export function splitEntries(method: SplitMethod, entries: ImageEntry[], classNames: string[], fraction: number, seed: number): SplitResult {
  return method === "keras" ? kerasSplit(entries, classNames, fraction) : stratifiedSplit(entries, classNames, fraction, seed);
}

/**
 * Holds out round(n * fraction) images of each class, chosen by a seeded shuffle. Keras holds
 * out the FIRST int(n * fraction) files of each class's walk instead (see kerasSplit), which
 * puts whole groups of similar files (same prefix, same date) on one side. Each class's stream
 * is seeded by its name, so adding a class does not move the other classes' images. Both sides
 * keep the input's order.
 */
export function stratifiedSplit(entries: ImageEntry[], classNames: string[], fraction: number, seed: number): SplitResult {
  const byClass: number[][] = classNames.map(() => []);
  entries.forEach((entry, i) => byClass[entry.label].push(i));
  const heldIndex = new Set<number>();
  byClass.forEach((indices, label) => {
    const rng = new Rng(mixSeed(seed, hashString(classNames[label])));
    const chosen = rng.shuffle([...indices]).slice(0, Math.round(indices.length * fraction));
    for (const i of chosen) heldIndex.add(i);
  });
  return {
    kept: entries.filter((_, i) => !heldIndex.has(i)),
    held: entries.filter((_, i) => heldIndex.has(i)),
  };
}

/**
 * Keras' split, exactly. keras/src/legacy/preprocessing/image.py: `set_processing_attrs` gives
 * the validation subset `split = (0, validation_split)` and training `(validation_split, 1)`;
 * `_list_valid_filenames_in_directory` then keeps `all_files[int(split[0] * n):int(split[1] * n)]`
 * of each class's walk. So validation is the first int(n * fraction) files of each class (int()
 * truncates; JavaScript's doubles multiply as Python's do), in the walk's order.
 */
export function kerasSplit(entries: ImageEntry[], classNames: string[], fraction: number): SplitResult {
  const seen = classNames.map(() => 0);
  const totals = classNames.map(() => 0);
  for (const entry of entries) totals[entry.label]++;
  const kept: ImageEntry[] = [];
  const held: ImageEntry[] = [];
  for (const entry of entries) {
    const position = seen[entry.label]++;
    (position < Math.trunc(fraction * totals[entry.label]) ? held : kept).push(entry);
  }
  return { kept, held };
}
