// `thaw export RUN|CHECKPOINT --format onnx|tfjs --out PATH`: a run means its best checkpoint.
import { cpSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { UsageError } from "../errors.ts";
import { fmtBytes } from "../format.ts";
import { checkpointDirFor } from "../refs.ts";
import { withStore } from "../store.ts";

export function registerExport(program: Command): void {
  program
    .command("export")
    .description("export a checkpoint (or a run's best) as ONNX or as a TF.js layers model folder")
    .argument("<ref>", "run id, ckpt:<id>, or a checkpoint directory")
    .requiredOption("--out <path>", "file (onnx) or folder (tfjs) to write")
    .option("--format <format>", "onnx | tfjs", "onnx")
    .action(async (refText: string, opts: { out: string; format: string }) => {
      if (opts.format !== "onnx" && opts.format !== "tfjs") throw new UsageError(`--format must be onnx or tfjs; got "${opts.format}".`);
      const dir = await withStore((store) => checkpointDirFor(store, refText));
      const out = path.resolve(opts.out);
      if (opts.format === "tfjs") {
        if (existsSync(out)) throw new UsageError(`${out} already exists; choose a new folder for --out.`);
        cpSync(dir, out, { recursive: true });
        console.log(`Copied the TF.js checkpoint ${dir} to ${out} (model.json, weight shards, thaw.json).`);
        return;
      }
      const { initBackend, loadCheckpoint, writeOnnxFile } = await import("@thaw/vgg");
      await initBackend();
      const { model, meta } = await loadCheckpoint(dir);
      mkdirSync(path.dirname(out), { recursive: true });
      const bytes = await writeOnnxFile(model, out, {
        metadata: { classNames: JSON.stringify(meta.classNames), inputSize: JSON.stringify(meta.inputSize), preprocessing: meta.preprocessing },
      });
      model.dispose();
      console.log(`Wrote ${out} (${fmtBytes(bytes)}): input NHWC ${meta.inputSize.join("x")}x3 preprocessed "${meta.preprocessing}", output ${meta.classNames.length} class probabilities (${meta.classNames.join(", ")}).`);
    });
}
