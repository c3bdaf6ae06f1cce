import { promises as fs } from "node:fs";
import path from "node:path";
import { DatasetLayoutError, DatasetNotFoundError } from "./errors.ts";
import { isKerasImageName, kerasWalk } from "./keras-listing.ts";
import { checkOneOf, checkSeed, checkValidationSplit } from "./options.ts";
import { compareCodePoints } from "./random.ts";
import { SPLIT_METHODS, splitEntries, stratifiedSplit, type SplitMethod } from "./split.ts";

/** File extensions read as images, compared case-insensitively: Keras' list plus .gif and .webp (not read in Keras-compatible scans). */
export const IMAGE_EXTENSIONS: readonly string[] = [".jpg", ".jpeg", ".png", ".bmp", ".ppm", ".gif", ".webp", ".tif", ".tiff"];

/** Keras' subset names, plus the test split of a `train/ test/` layout. */
export type Subset = "training" | "validation" | "test";
export const SUBSETS: readonly Subset[] = ["training", "validation", "test"];

/** Folder names recognised as splits in the `dir/{train,validation,test}/<class>/` layout. */
const SPLIT_FOLDERS = new Map<string, Subset>([
  ["train", "training"],
  ["validation", "validation"],
  ["val", "validation"],
  ["valid", "validation"],
  ["test", "test"],
]);

export interface ImageEntry {
  /** Absolute path. */
  path: string;
  /** Path relative to the dataset root with "/" separators: stable across machines, used in fingerprints and reports. */
  relPath: string;
  /** Class index (position in classNames). */
  label: number;
}

export interface IgnoredFiles {
  /** Hidden files and folders (name starts with "."), e.g. .DS_Store, .thaw-cache; folders are not entered. */
  hidden: string[];
  /** Files whose extension is not an image extension. */
  nonImage: string[];
  /** Images outside any class folder (no label to give them). */
  unlabelled: string[];
}

export interface DatasetScan {
  /** Absolute dataset folder. */
  root: string;
  /** "class-folders": dir/<class>/...; "split-folders": dir/{train,validation,test}/<class>/... */
  layout: "class-folders" | "split-folders";
  /** Sub-folder names sorted by code point (Keras' order); index = position. */
  classNames: string[];
  /** Keras' class_indices: name -> index. */
  classIndices: Record<string, number>;
  /** Images per subset, each list sorted by relPath. */
  subsets: Record<Subset, ImageEntry[]>;
  /** Images per subset per class index. */
  counts: Record<Subset, number[]>;
  validationSplit: number;
  seed: number;
  /** How validation was taken from training: Thaw's seeded per-class draw or Keras' first fraction. */
  split: SplitMethod;
  /** Fraction of each class held out as the test subset (0 when the test subset is a test/ folder or absent). */
  testSplit: number;
  /** Seed of the test split: a property of the dataset, not of a run, so every run is tested on the same images. */
  testSeed: number;
  /** Keras' file set, order and orientation (no EXIF rotation): see ScanOptions.kerasCompatible. */
  kerasCompatible: boolean;
  ignored: IgnoredFiles;
}

export interface ScanOptions {
  /** Fraction of each class's training images held out for validation, in [0, 1). Default 0. */
  validationSplit?: number;
  /** Seed of the validation split. Default 0. */
  seed?: number;
  /** "stratified" (default): a seeded draw per class; "keras": the first int(n * fraction) files of each class, as Keras. Default "keras" when kerasCompatible. */
  split?: SplitMethod;
  /** Fraction of each class held out once as the test subset (before validation is taken), when there is no test/ folder. Default 0. */
  testSplit?: number;
  /** Seed of the test split. Default 0, so the test images do not move with a run's seed. */
  testSeed?: number;
  /**
   * Reproduce flow_from_directory's file set, order and orientation: Keras' extensions only (no
   * .gif/.webp, and its suffix test), hidden files and folders read, symlinked sub-folders not
   * entered (follow_links=False), each folder's files before its sub-folders', and no EXIF
   * rotation (Keras' load_img does not apply it). Default false.
   */
  kerasCompatible?: boolean;
}

interface Mode {
  keras: boolean;
  isImage: (name: string) => boolean;
}

interface Listing {
  dirs: string[];
  files: string[];
}

/**
 * Reads a dataset folder as flow_from_directory does: classes are the sub-folders, images are
 * found recursively inside each. Either `dir/<class>/` (with an optional seeded, stratified
 * validation split) or `dir/{train,validation,test}/<class>/` (validation carved from train when
 * there is no validation folder and validationSplit > 0).
 */
export async function scanDirectory(dir: string, options: ScanOptions = {}): Promise<DatasetScan> {
  const validationSplit = checkValidationSplit(options.validationSplit ?? 0);
  const seed = checkSeed(options.seed ?? 0, "seed");
  const kerasCompatible = options.kerasCompatible ?? false;
  const split = checkOneOf(options.split ?? (kerasCompatible ? "keras" : "stratified"), "split", SPLIT_METHODS);
  const testSplit = checkValidationSplit(options.testSplit ?? 0, "testSplit");
  const testSeed = checkSeed(options.testSeed ?? 0, "testSeed");
  const mode: Mode = { keras: kerasCompatible, isImage: kerasCompatible ? isKerasImageName : isImageName };
  const root = path.resolve(dir);
  const stat = await fs.stat(root).catch(() => null);
  if (!stat?.isDirectory()) throw new DatasetNotFoundError(root);

  const ignored: IgnoredFiles = { hidden: [], nonImage: [], unlabelled: [] };
  const top = await listFolder(root, "", ignored, mode);
  const splitDirs = top.dirs.filter((d) => SPLIT_FOLDERS.has(d));
  const isSplitLayout = splitDirs.includes("train") && (await listFolder(path.join(root, "train"), "train", null, mode)).dirs.length > 0;

  const scanned: Record<Subset, ImageEntry[]> = { training: [], validation: [], test: [] };
  let classNames: string[];
  if (isSplitLayout) {
    const strays = top.dirs.filter((d) => !SPLIT_FOLDERS.has(d));
    if (strays.length) {
      throw new DatasetLayoutError(root, `has train/ next to ${strays.map((s) => `${s}/`).join(", ")}`, "keep only train/, validation/ and test/ at the top, each with one sub-folder per class");
    }
    const validationAliases = splitDirs.filter((d) => SPLIT_FOLDERS.get(d) === "validation");
    if (validationAliases.length > 1) {
      throw new DatasetLayoutError(root, `has several validation folders (${validationAliases.join(", ")})`, "keep one");
    }
    if (validationAliases.length && validationSplit > 0) {
      throw new DatasetLayoutError(root, `already has a ${validationAliases[0]}/ folder`, "drop validationSplit or merge that folder into train/");
    }
    ignored.unlabelled.push(...top.files.filter(mode.isImage));
    ignored.nonImage.push(...top.files.filter((f) => !mode.isImage(f)));
    const train = await listFolder(path.join(root, "train"), "train", ignored, mode);
    classNames = train.dirs;
    for (const folder of splitDirs) {
      const listing = folder === "train" ? train : await listFolder(path.join(root, folder), folder, ignored, mode);
      const unknown = listing.dirs.filter((d) => !classNames.includes(d));
      if (unknown.length) {
        throw new DatasetLayoutError(root, `has class folders in ${folder}/ that train/ lacks (${unknown.join(", ")})`, "add them to train/ or remove them");
      }
      const loose = listing.files.filter(mode.isImage);
      if (folder !== "train" && listing.dirs.length === 0 && loose.length) {
        throw new DatasetLayoutError(root, `has images in ${folder}/ without class sub-folders`, `sort them into ${folder}/<class>/ folders so they have labels, or move them out`);
      }
      ignored.unlabelled.push(...loose.map((f) => `${folder}/${f}`));
      ignored.nonImage.push(...listing.files.filter((f) => !mode.isImage(f)).map((f) => `${folder}/${f}`));
      scanned[SPLIT_FOLDERS.get(folder) as Subset] = await collectClasses(root, folder, listing.dirs, classNames, ignored, mode);
    }
  } else {
    if (top.dirs.length === 0) {
      const hint = top.files.some(mode.isImage) ? "move its images into one sub-folder per class (e.g. cat/, dog/)" : "add one sub-folder of images per class (e.g. cat/, dog/)";
      throw new DatasetLayoutError(root, "has no class sub-folders", hint);
    }
    classNames = top.dirs;
    ignored.unlabelled.push(...top.files.filter(mode.isImage));
    ignored.nonImage.push(...top.files.filter((f) => !mode.isImage(f)));
    scanned.training = await collectClasses(root, "", top.dirs, classNames, ignored, mode);
  }

  if (testSplit > 0) {
    if (scanned.test.length) throw new DatasetLayoutError(root, "already has a test/ folder", "drop testSplit or merge test/ into train/");
    // Always a seeded draw, even with split "keras": Keras has no test split to copy.
    const { kept, held } = stratifiedSplit(scanned.training, classNames, testSplit, testSeed);
    scanned.training = kept;
    scanned.test = held;
  }
  if (validationSplit > 0) {
    const { kept, held } = splitEntries(split, scanned.training, classNames, validationSplit, seed);
    scanned.training = kept;
    scanned.validation = held;
  }
  for (const list of Object.values(ignored) as string[][]) list.sort(compareCodePoints);
  const counts = {} as Record<Subset, number[]>;
  for (const subset of SUBSETS) {
    counts[subset] = classNames.map(() => 0);
    for (const entry of scanned[subset]) counts[subset][entry.label]++;
  }
  return {
    root,
    layout: isSplitLayout ? "split-folders" : "class-folders",
    classNames,
    classIndices: Object.fromEntries(classNames.map((name, i) => [name, i])),
    subsets: scanned,
    counts,
    validationSplit,
    seed,
    split,
    testSplit,
    testSeed,
    kerasCompatible,
    ignored,
  };
}

function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase());
}

function joinRel(base: string, name: string): string {
  return base ? `${base}/${name}` : name;
}

/** Lists one folder's visible sub-folders and files, sorted; hidden entries go to `ignored` (Keras-compatible scans list them: os.listdir does). */
async function listFolder(abs: string, rel: string, ignored: IgnoredFiles | null, mode: Mode): Promise<Listing> {
  const listing: Listing = { dirs: [], files: [] };
  for (const entry of await fs.readdir(abs, { withFileTypes: true })) {
    if (entry.name.startsWith(".") && !mode.keras) {
      ignored?.hidden.push(joinRel(rel, entry.name));
      continue;
    }
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await fs.stat(path.join(abs, entry.name)).catch(() => null);
      isDir = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isDir) listing.dirs.push(entry.name);
    else if (isFile) listing.files.push(entry.name);
  }
  listing.dirs.sort(compareCodePoints);
  listing.files.sort(compareCodePoints);
  return listing;
}

/** Collects the images of each class folder under `rel`, recursively, sorted by relPath (in Keras' walk order when Keras-compatible). */
async function collectClasses(root: string, rel: string, dirs: string[], classNames: string[], ignored: IgnoredFiles, mode: Mode): Promise<ImageEntry[]> {
  const entries: ImageEntry[] = [];
  for (const className of dirs) {
    const label = classNames.indexOf(className);
    const classRel = joinRel(rel, className);
    const found: string[] = [];
    if (mode.keras) {
      for (const file of await kerasWalk(path.join(root, classRel), classRel)) (mode.isImage(path.posix.basename(file)) ? found : ignored.nonImage).push(file);
    } else {
      await walk(path.join(root, classRel), classRel, found, ignored, new Set([await fs.realpath(path.join(root, classRel))]));
      found.sort(compareCodePoints);
    }
    for (const relPath of found) entries.push({ path: path.join(root, ...relPath.split("/")), relPath, label });
  }
  return entries;
}

async function walk(abs: string, rel: string, found: string[], ignored: IgnoredFiles, visited: Set<string>): Promise<void> {
  const listing = await listFolder(abs, rel, ignored, { keras: false, isImage: isImageName });
  for (const file of listing.files) {
    if (isImageName(file)) found.push(joinRel(rel, file));
    else ignored.nonImage.push(joinRel(rel, file));
  }
  for (const dir of listing.dirs) {
    // Symlinked folders are followed once each, so a link cycle cannot recurse forever.
    const real = await fs.realpath(path.join(abs, dir));
    if (visited.has(real)) continue;
    visited.add(real);
    await walk(path.join(abs, dir), joinRel(rel, dir), found, ignored, visited);
  }
}
