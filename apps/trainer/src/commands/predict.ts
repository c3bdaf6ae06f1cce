// `thaw predict [--model champion|CHECKPOINT] IMAGE...`: top classes with probabilities,
// preprocessed exactly as in training (the checkpoint says how).
import type { Command } from "commander";
import { artifactPath, type TrackingStore } from "@thaw/tracking";
import { NotFoundError, UsageError } from "../errors.ts";
import { checkpointDirFor } from "../refs.ts";
import { withStore } from "../store.ts";

interface PredictOptions {
  model: string;
  experiment?: string;
  top?: string;
}

/** The champion of the named experiment, or of the only experiment that has one. */
async function championDir(store: TrackingStore, experimentName: string | undefined): Promise<{ dir: string; label: string }> {
  const candidates = experimentName
    ? [await store.getExperiment(experimentName)]
    : (await store.listExperiments()).filter((e) => e.champion !== null);
  if (candidates.length === 0) throw new NotFoundError("No experiment has a champion yet; promote a run with `thaw promote RUN` first.");
  if (candidates.length > 1) {
    throw new UsageError(`Several experiments have a champion (${candidates.map((e) => e.name).join(", ")}); name one with --experiment.`);
  }
  const alias = await store.getAlias(candidates[0].id);
  if (!alias) throw new NotFoundError(`Experiment "${candidates[0].name}" has no champion yet; promote one of its runs with \`thaw promote RUN\`.`);
  return { dir: artifactPath(alias.checkpoint.path), label: `champion of "${candidates[0].name}" = checkpoint ${alias.checkpoint.id} (${alias.checkpoint.path})` };
}

export function registerPredict(program: Command): void {
  program
    .command("predict")
    .description("classify images with the champion or a given checkpoint")
    .argument("<images...>", "image files")
    .option("--model <model>", "champion | run id | ckpt:<id> | checkpoint directory", "champion")
    .option("--experiment <name>", "whose champion (needed when several experiments have one)")
    .option("--top <k>", "classes to show per image (default: all, at most 5)")
    .action(async (images: string[], opts: PredictOptions) => {
      const top = opts.top === undefined ? undefined : Number(opts.top);
      if (top !== undefined && (!Number.isInteger(top) || top < 1)) throw new UsageError(`--top must be a whole number of at least 1 such as 3; got "${opts.top}".`);
      const { dir, label } = await withStore(async (store) =>
        opts.model === "champion" ? championDir(store, opts.experiment) : { dir: await checkpointDirFor(store, opts.model), label: `checkpoint ${await checkpointDirFor(store, opts.model)}` },
      );
      const { decodeImage } = await import("@thaw/data");
      const { createEngine, initBackend, loadCheckpoint, predict } = await import("@thaw/vgg");
      await initBackend();
      const { model, meta } = await loadCheckpoint(dir);
      // Forward-only work: ONNX Runtime's native kernels on CPU, TF.js where it runs on a GPU.
      const engine = await createEngine(model);
      const [height, width] = meta.inputSize;
      console.log(`model: ${label}`);
      console.log(`engine: ${engine.name} (${engine.reason})`);
      try {
        for (const image of images) {
          const decoded = await decodeImage(image, { targetSize: [height, width] });
          const [predictions] = await predict(model, [decoded], { topK: top ?? Math.min(5, meta.classNames.length), classNames: meta.classNames, engine });
          console.log(image);
          const width_ = Math.max(...predictions.map((p) => p.className.length));
          for (const p of predictions) console.log(`  ${p.className.padEnd(width_)}  ${p.probability.toFixed(6)}`);
        }
      } finally {
        await engine.dispose();
        model.dispose();
      }
    });
}
