// Keras' own file listing, for `kerasCompatible` scans. Every rule below is read from
// keras/src/legacy/preprocessing/image.py (keras-team/keras), which flow_from_directory runs.
import { promises as fs } from "node:fs";
import path from "node:path";
import { compareCodePoints } from "./random.ts";

/** `Iterator.white_list_formats`: ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff"). */
export const KERAS_IMAGE_EXTENSIONS: readonly string[] = [".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".tif", ".tiff"];

/**
 * `_iter_valid_files` tests `fname.lower().endswith(white_list_formats)`: the suffix without its
 * dot, so Keras also reads "x.apng" or a file named "png". Hidden files are not skipped.
 */
export function isKerasImageName(name: string): boolean {
  const lower = name.toLowerCase();
  return KERAS_IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext.slice(1)));
}

/**
 * One class folder's files in Keras' order. `_iter_valid_files` walks
 * `sorted(os.walk(directory, followlinks=follow_links), key=lambda x: x[0])` and yields each
 * folder's `sorted(files)`: folders ordered by their full path string (so "a/b-c" comes before
 * "a/b/d", and a folder's own files before any sub-folder's), flow_from_directory's default
 * `follow_links=False` leaves symlinked sub-folders unentered, while symlinked files are files.
 * Returns relative paths ("/" separators) of every file, images or not, in that order.
 */
export async function kerasWalk(absDir: string, relDir: string): Promise<string[]> {
  const folders: { rel: string; files: string[] }[] = [];
  const visit = async (abs: string, rel: string): Promise<void> => {
    const files: string[] = [];
    const dirs: string[] = [];
    for (const entry of await fs.readdir(abs, { withFileTypes: true })) {
      if (entry.isSymbolicLink()) {
        // os.walk classes a link by its target (entry.is_dir() follows it) but never enters it.
        const target = await fs.stat(path.join(abs, entry.name)).catch(() => null);
        if (target?.isFile()) files.push(entry.name);
      } else if (entry.isDirectory()) dirs.push(entry.name);
      else if (entry.isFile()) files.push(entry.name);
    }
    folders.push({ rel, files: files.sort(compareCodePoints) });
    for (const dir of dirs) await visit(path.join(abs, dir), `${rel}/${dir}`);
  };
  await visit(absDir, relDir);
  folders.sort((a, b) => compareCodePoints(a.rel, b.rel));
  return folders.flatMap((folder) => folder.files.map((file) => `${folder.rel}/${file}`));
}
