// What registering a folder records about it: its classes and image count, read the way
// training will read it. The content fingerprint is left to the worker, which hashes every
// file anyway; doing it here would hold the request for as long as the folder is large.
import { scanDirectory } from "@thaw/data";

/** A test split is tried here too, so that a folder with a test/ folder of its own is refused at registration. */
export async function describeFolder(folder: string, testSplit = 0): Promise<{ classNames: string[]; imageCount: number }> {
  const scan = await scanDirectory(folder, { testSplit });
  const imageCount = Object.values(scan.subsets).reduce((n, list) => n + list.length, 0);
  return { classNames: scan.classNames, imageCount };
}
