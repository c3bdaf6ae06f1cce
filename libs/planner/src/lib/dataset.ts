// The data folder as a run will read it, with the checks that refuse a folder no run could
// learn from: fewer than two classes, or a class folder without images.
import path from "node:path";
import { DatasetLayoutError, scanDirectory } from "@thaw/data";
import { PlanRefusal } from "./errors.ts";

export interface DatasetScan {
  path: string;
  classNames: string[];
  /** Images per class (all subsets). */
  counts: number[];
  imageCount: number;
}

/** How the folder is read; a test split is checked here so that a test/ folder beside it is refused before anything is recorded. */
export interface ScanSettings {
  kerasCompatible?: boolean;
  testSplit?: number;
}

export async function scanDataset(dir: string, settings: ScanSettings = {}): Promise<DatasetScan> {
  let scan: Awaited<ReturnType<typeof scanDirectory>>;
  try {
    scan = await scanDirectory(dir, { kerasCompatible: settings.kerasCompatible, testSplit: settings.testSplit });
  } catch (error) {
    if (error instanceof DatasetLayoutError && settings.testSplit) throw new PlanRefusal("data", `${error.message} (from the test split ${settings.testSplit})`);
    // @thaw/data's own sentences (missing folder, unreadable layout) already name the fix.
    if (error instanceof Error && /^Dataset/.test(error.name)) throw new PlanRefusal("data", error.message);
    throw error;
  }
  const counts = scan.classNames.map((_, i) => scan.counts.training[i] + scan.counts.validation[i] + scan.counts.test[i]);
  const root = scan.root;
  if (scan.classNames.length < 2) {
    throw new PlanRefusal(
      "data",
      `The data folder ${root} has ${scan.classNames.length} class folder${scan.classNames.length === 1 ? ` (${scan.classNames[0]})` : "s"}, and a classifier needs at least two; add one sub-folder of images per class.`,
    );
  }
  const empty = scan.classNames.findIndex((_, i) => counts[i] === 0);
  if (empty >= 0) {
    throw new PlanRefusal("data", `The class folder ${path.join(root, scan.classNames[empty])} holds no images; add .jpg/.png images to it or remove the folder.`);
  }
  return { path: root, classNames: scan.classNames, counts, imageCount: counts.reduce((a, b) => a + b, 0) };
}
