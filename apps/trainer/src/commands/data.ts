// `thaw data synth DIR`: a procedural image dataset, one sub-folder per class.
import type { Command } from "commander";
import { UsageError } from "../errors.ts";

function positiveInt(flag: string, text: string, example: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} must be a whole number of at least 1 such as ${example}; got "${text}".`);
  return value;
}

export function registerData(program: Command): void {
  const data = program.command("data").description("datasets: synthesize one");
  data
    .command("synth")
    .description("write a synthetic dataset of shapes (one sub-folder per class)")
    .argument("<dir>", "folder to write")
    .option("--classes <list>", "class names, comma-separated, or a count of shapes", "2")
    .option("--per-class <n>", "images per class", "50")
    .option("--size <px>", "image side in pixels", "64")
    .option("--seed <n>", "seed; the same seed writes the same bytes", "0")
    .option("--format <format>", "png | jpeg", "png")
    .action(async (dir: string, opts: { classes: string; perClass: string; size: string; seed: string; format: string }) => {
      const classes = /^\d+$/.test(opts.classes) ? positiveInt("--classes", opts.classes, "3") : opts.classes.split(",").map((c) => c.trim());
      const perClass = positiveInt("--per-class", opts.perClass, "50");
      const size = positiveInt("--size", opts.size, "64");
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a whole number, 0 or more; got "${opts.seed}".`);
      if (opts.format !== "png" && opts.format !== "jpeg") throw new UsageError(`--format must be png or jpeg; got "${opts.format}".`);
      const { synthesizeDataset } = await import("@thaw/data");
      const result = await synthesizeDataset(dir, { classes, perClass, size, seed, format: opts.format });
      console.log(`Wrote ${result.files.length} images of ${result.classNames.length} classes (${result.classNames.join(", ")}) to ${result.dir}.`);
    });
}
