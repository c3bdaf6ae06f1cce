import type { ImageEntry } from "./scan.ts";
import { hashString, mixSeed, Rng } from "./random.ts";

/**
 * Holds out round(n * fraction) images of each class, chosen by a seeded shuffle. Keras takes
 * the last fraction of the sorted file list instead, which puts whole groups of similar files
 * (same prefix, same date) on one side. Each class's stream is seeded by its name, so adding a
 * class does not move the other classes' images. Both sides keep the input's order.
 */
export function stratifiedSplit(entries: ImageEntry[], classNames: string[], fraction: number, seed: number): { kept: ImageEntry[]; held: ImageEntry[] } {
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
