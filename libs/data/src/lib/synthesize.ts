import { promises as fs } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { InvalidOptionError } from "./errors.ts";
import { createLimiter } from "./limit.ts";
import { checkOneOf, checkPositiveInt, checkSeed } from "./options.ts";
import { hashString, mixSeed, Rng } from "./random.ts";
import { classStyles, drawPicture, SHAPES } from "./synth-draw.ts";

export interface SynthesizeOptions {
  /**
   * Class names, or a count (names are then the shapes: circle, square, triangle, star, ring,
   * cross, diamond, hexagon, then circle2 ...). A class named after a shape is drawn as that
   * shape; other names take the shapes no name claimed, in order.
   */
  classes: number | readonly string[];
  /** Images per class in `dir/<class>/`, or per class and split in `dir/{train,test}/<class>/`. */
  perClass: number | { train: number; test: number };
  /** Side in pixels, or { width, height }. Default 64. */
  size?: number | { width: number; height: number };
  /** Default 0; the same seed and options write the same bytes. */
  seed?: number;
  /** Default "png". */
  format?: "png" | "jpeg";
  /** JPEG quality. Default 90. */
  quality?: number;
}

export interface SynthesizedDataset {
  dir: string;
  classNames: string[];
  layout: "class-folders" | "split-folders";
  /** Relative paths of the files written, sorted. */
  files: string[];
}

const FORMATS = ["png", "jpeg"] as const;

/**
 * Writes a procedural image dataset as real files, Dogs-vs-Cats style (`<class>/<class>.<i>.png`).
 * Each picture is seeded by (seed, class name, split, index), so it does not change when other
 * counts change.
 */
export async function synthesizeDataset(dir: string, options: SynthesizeOptions): Promise<SynthesizedDataset> {
  const classNames = resolveClasses(options.classes);
  const { width, height } = resolveSize(options.size ?? 64);
  const seed = checkSeed(options.seed ?? 0, "seed");
  const format = checkOneOf(options.format ?? "png", "format", FORMATS);
  const quality = checkPositiveInt(options.quality ?? 90, "quality", 100);
  const splits: [string, number][] =
    typeof options.perClass === "number"
      ? [["", checkPositiveInt(options.perClass, "perClass")]]
      : [
          ["train", checkPositiveInt(options.perClass.train, "perClass.train")],
          ["test", checkPositiveInt(options.perClass.test, "perClass.test")],
        ];

  const styles = classStyles(classNames);
  const jobs: { rel: string; style: number; seed: number }[] = [];
  for (const [split, count] of splits) {
    for (const [classIndex, name] of classNames.entries()) {
      await fs.mkdir(path.join(dir, split, name), { recursive: true });
      for (let i = 0; i < count; i++) {
        const rel = [split, name, `${name}.${i}.${format === "png" ? "png" : "jpg"}`].filter(Boolean).join("/");
        jobs.push({ rel, style: styles[classIndex], seed: mixSeed(seed, hashString(name), hashString(split), i) });
      }
    }
  }
  // Drawing is synchronous JS; encoding runs on sharp's threads, so a few are kept in flight.
  const limit = createLimiter(4);
  await Promise.all(
    jobs.map((job) =>
      limit(async () => {
        const picture = drawPicture(job.style, width, height, new Rng(job.seed));
        const image = sharp(picture.data, { raw: { width, height, channels: 3 } });
        const encoded = format === "png" ? image.png() : image.jpeg({ quality });
        await fs.writeFile(path.join(dir, ...job.rel.split("/")), await encoded.toBuffer());
      }),
    ),
  );
  return {
    dir: path.resolve(dir),
    classNames,
    layout: typeof options.perClass === "number" ? "class-folders" : "split-folders",
    files: jobs.map((j) => j.rel).sort(),
  };
}

function resolveClasses(classes: number | readonly string[]): string[] {
  if (typeof classes === "number") {
    checkPositiveInt(classes, "classes", 1000);
    return Array.from({ length: classes }, (_, k) => (k < SHAPES.length ? SHAPES[k] : `${SHAPES[k % SHAPES.length]}${Math.floor(k / SHAPES.length) + 1}`));
  }
  const bad = classes.find((c) => !c || c.startsWith(".") || /[/\\]/.test(c));
  if (classes.length === 0 || bad !== undefined || new Set(classes).size !== classes.length) {
    throw new InvalidOptionError("classes", `is ${JSON.stringify(classes)}`, "pass distinct folder names (no slashes, not starting with a dot) or a count");
  }
  return [...classes];
}

function resolveSize(size: number | { width: number; height: number }): { width: number; height: number } {
  if (typeof size === "number") return { width: checkPositiveInt(size, "size", 4096), height: size };
  return { width: checkPositiveInt(size.width, "size.width", 4096), height: checkPositiveInt(size.height, "size.height", 4096) };
}
