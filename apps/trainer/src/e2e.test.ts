// End to end through the real CLI: 2 separable classes x 40 images, train a tiny model for 5
// epochs, read the run back from the store, predict, promote, predict with the champion. The
// synthetic classes are separable, so a model that learns must reach LEARNS validation accuracy;
// the same training with validation labels swapped must not, which shows the bar can fail.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeSandbox, sandbox, thaw, withTestStore, type Sandbox } from "./testing/cli-harness.ts";
import { writeSeparableSet } from "./testing/separable-set.ts";

let box: Sandbox;
let data: string;

/** What a model that learned the separable synthetic classes reaches on validation. */
const LEARNS = 0.9;
const TRAIN_ARGS = ["--base", "random", "--head", "pooled", "--width", "0.0625", "--image-size", "32", "--epochs", "5", "--batch", "16", "--optimizer", "adam", "--lr", "3e-3", "--frozen", "0", "--seed", "3"];

/** The checkpoint hash recomputed here from the files: sha256 over (name, size, bytes) of
 *  model.json, the weight shards its manifest lists, then thaw.json. */
function hashDir(dir: string): { sha256: string; sizeBytes: number } {
  const manifest = JSON.parse(readFileSync(path.join(dir, "model.json"), "utf8")) as { weightsManifest: { paths: string[] }[] };
  const names = ["model.json", ...manifest.weightsManifest.flatMap((g) => g.paths), "thaw.json"];
  expect([...names].sort()).toEqual(readdirSync(dir).sort());
  const hash = createHash("sha256");
  let sizeBytes = 0;
  for (const name of names) {
    const bytes = readFileSync(path.join(dir, name));
    hash.update(`${name}\0${bytes.byteLength}\0`);
    hash.update(bytes);
    sizeBytes += bytes.byteLength;
  }
  return { sha256: hash.digest("hex"), sizeBytes };
}

/** Parses `thaw predict` output: per image, its lines "  <class>  <probability>". */
function parsePredictions(stdout: string): Map<string, Map<string, number>> {
  const result = new Map<string, Map<string, number>>();
  let current: Map<string, number> | null = null;
  for (const line of stdout.split("\n")) {
    const image = /^(\S.*\.ppm)$/.exec(line);
    const row = /^\s+(\S+)\s+(\d\.\d+)$/.exec(line);
    if (image) result.set(image[1], (current = new Map()));
    else if (row && current) current.set(row[1], Number(row[2]));
  }
  return result;
}

afterAll(() => removeSandbox(box));

beforeAll(() => {
  box = sandbox("thaw-e2e-");
  data = path.join(box.dir, "shapes");
  writeSeparableSet(data);
});

describe("thaw train -> predict -> promote", () => {
  let runId: number;
  const images = () => ["circle", "square"].map((c) => path.join(data, c, readdirSync(path.join(data, c)).sort()[0]));

  it("trains 5 epochs to the learning bar and records the run FINISHED with 5 epoch rows, a hashed checkpoint and the test set", async () => {
    const result = thaw(box, ["train", "--data", data, "--experiment", "e2e", ...TRAIN_ARGS, "--test-split", "0.2", "--keep-checkpoints", "1"]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    const epochLines = result.stdout.split("\n").filter((l) => /^Epoch [1-5]\/5 /.test(l));
    expect(epochLines).toHaveLength(5);
    for (const line of epochLines) expect(line).toMatch(/\[=+\] - \d+m?s \d+m?s\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4} - ETA \d+:\d\d$/);
    expect(result.stdout).toMatch(/Best epoch \d: val_accuracy \d\.\d{4}/);

    await withTestStore(box, async (store) => {
      const runs = (await store.listRuns()).items;
      expect(runs).toHaveLength(1);
      runId = runs[0].id;
      const run = await store.getRun(runId);
      expect(run.status).toBe("FINISHED");
      expect(run.metrics.map((m) => m.epoch).sort()).toEqual([0, 1, 2, 3, 4]);
      expect(run.frozenLayers).toBe(0);
      expect(run.learningRate).toBe(3e-3);
      expect(run.backend).toMatch(/^(wasm|cpu|tensorflow)/);
      expect(run.thawVersion).toMatch(/^\d+\.\d+\.\d+/);
      expect(run.datasetFingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(run.baseWeightsHash).toBe("random:3@w0.0625");
      expect(run.engine).toBe("training onnxruntime (cpu)"); // frozen 0: ONNX Runtime trains every layer from the images
      // --keep-checkpoints 1: the best checkpoint only, on disk and in the run's live rows.
      expect(run.checkpoints).toHaveLength(1);
      expect(run.checkpoints[0].epoch).toBe(run.bestEpoch);
      expect(readdirSync(path.join(box.dir, "home", "checkpoints", `run-${runId}`))).toEqual([`epoch-${run.bestEpoch! + 1}`]);
      expect(run.params).toMatchObject({ keepCheckpoints: 1 });
      expect(result.stdout).toContain(`Checkpoint: ${run.checkpoints.find((c) => c.epoch === run.bestEpoch)?.path}`);
      for (const checkpoint of run.checkpoints) {
        // Recorded as a file:// URI under the artifact root, which defaults to THAW_HOME.
        const dir = path.join(box.dir, "home", "checkpoints", `run-${runId}`, `epoch-${checkpoint.epoch + 1}`);
        expect(checkpoint.path).toBe(`file://${dir}`);
        expect(statSync(dir).isDirectory()).toBe(true);
        expect(hashDir(dir)).toEqual({ sha256: checkpoint.sha256, sizeBytes: Number(checkpoint.sizeBytes) });
      }
      const evaluation = run.evaluation as { classNames: string[]; confusionMatrix: number[][]; perClassAccuracy: number[] };
      expect(evaluation.classNames).toEqual(["circle", "square"]);
      // 8 of 40 per class are held out for test, then 20% of the 32 left (6) for validation.
      expect(evaluation.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(12);
      expect(run.bestValAccuracy).toBeGreaterThanOrEqual(LEARNS);

      // The test images, apart from validation: the dataset records the split once.
      expect(run.dataset).toMatchObject({ testSplit: 0.2, testSeed: 0 });
      const test = run.testEvaluation as { checkpointId: number; images: { file: string; label: number; predicted: number }[]; confusionMatrix: number[][]; accuracy: number };
      expect(test.checkpointId).toBe(run.checkpoints.find((c) => c.epoch === run.bestEpoch)?.id);
      expect(test.images).toHaveLength(16);
      expect(test.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(16);
      const right = test.images.filter((image) => image.label === image.predicted).length;
      expect(run.testAccuracy).toBe(right / 16);
      const shown = thaw(box, ["show", String(runId)]);
      expect(shown.stdout).toContain(`test set: 16 images, 0.2 of each class held out (seed 0); best checkpoint ${test.checkpointId} accuracy`);
    });
    // Another value for the same dataset is refused: every run is tested on the same images.
    const other = thaw(box, ["train", "--data", data, "--experiment", "e2e", ...TRAIN_ARGS, "--test-split", "0.3"]);
    expect(other.status).not.toBe(0);
    expect(other.stderr).toMatch(/already holds out 0\.2 of each class as its test set.*pass --test-split 0\.2 or leave the option out/);
  });

  it("fails the learning bar when the validation labels are swapped", async () => {
    // The same images, 8 of each class filed under the other class with names that sort first:
    // Keras' split (--split keras) holds out exactly those as validation.
    const swapped = path.join(box.dir, "swapped");
    for (const [cls, other] of [["circle", "square"], ["square", "circle"]]) {
      const files = readdirSync(path.join(data, cls)).sort();
      mkdirSync(path.join(swapped, cls), { recursive: true });
      mkdirSync(path.join(swapped, other), { recursive: true });
      files.forEach((file, i) => copyFileSync(path.join(data, cls, file), i < 8 ? path.join(swapped, other, `0-${file}`) : path.join(swapped, cls, file)));
    }
    const result = thaw(box, ["train", "--data", swapped, "--experiment", "e2e-swapped", ...TRAIN_ARGS, "--split", "keras"]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    await withTestStore(box, async (store) => {
      const [run] = (await store.listRuns({ experimentId: (await store.getExperiment("e2e-swapped")).id })).items;
      expect(run.status).toBe("FINISHED");
      expect(run.bestValAccuracy).toBeLessThan(LEARNS);
    });
  });

  let byRun = new Map<string, Map<string, number>>();

  it("predicts the class names with probabilities summing to 1", () => {
    const result = thaw(box, ["predict", "--model", String(runId), ...images()]);
    expect(result.status, result.stderr).toBe(0);
    const predictions = parsePredictions(result.stdout);
    byRun = predictions;
    expect([...predictions.keys()]).toEqual(images());
    for (const probabilities of predictions.values()) {
      expect([...probabilities.keys()].sort()).toEqual(["circle", "square"]);
      const sum = [...probabilities.values()].reduce((a, b) => a + b, 0);
      expect(sum).toBeGreaterThan(0.999);
      expect(sum).toBeLessThan(1.001);
    }
  });

  it("promotes the run's best checkpoint and predicts with the champion", async () => {
    const promoted = thaw(box, ["promote", String(runId)]);
    expect(promoted.status, promoted.stderr).toBe(0);
    const best = await withTestStore(box, async (store) => {
      const checkpoint = await store.bestCheckpoint(runId);
      const experiment = await store.getExperiment("e2e");
      expect((await store.getAlias(experiment.id))?.checkpoint.id).toBe(checkpoint?.id);
      return checkpoint;
    });
    const withChampion = thaw(box, ["predict", "--model", "champion", ...images()]);
    expect(withChampion.status, withChampion.stderr).toBe(0);
    expect(withChampion.stdout).toContain(`model: champion of "e2e" = checkpoint ${best?.id} (${best?.path})`);
    // The run's best checkpoint and the champion are the same model: the same answers.
    expect(parsePredictions(withChampion.stdout)).toEqual(byRun);
  });

  it("exports the run's best checkpoint to ONNX with the class names in its metadata", () => {
    const out = path.join(box.dir, "export", "model.onnx");
    const result = thaw(box, ["export", String(runId), "--format", "onnx", "--out", out]);
    expect(result.status, result.stderr).toBe(0);
    const bytes = readFileSync(out);
    expect(result.stdout).toContain(`Wrote ${out}`);
    expect(bytes.byteLength).toBeGreaterThan(10_000);
    expect(bytes.includes(Buffer.from('["circle","square"]'))).toBe(true);
    expect(bytes.includes(Buffer.from("caffe"))).toBe(true);
  });

  it("trains with augmentation: no feature cache, the frozen prefix on the inference engine every batch", async () => {
    const result = thaw(box, [
      "train", "--data", data, "--experiment", "e2e-augment", "--base", "random", "--head", "pooled",
      "--width", "0.0625", "--image-size", "32", "--epochs", "2", "--batch", "16",
      "--optimizer", "sgd", "--lr", "1e-2", "--frozen", "15", "--augment", "--seed", "4",
    ]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).not.toContain("features cached");
    await withTestStore(box, async (store) => {
      const [run] = (await store.listRuns({ experimentId: (await store.getExperiment("e2e-augment")).id })).items;
      const full = await store.getRun(run.id);
      expect(full.status).toBe("FINISHED");
      expect(full.augment).toBe(true);
      expect(full.metrics).toHaveLength(2);
      // frozen 15 leaves block5's convolutions to fine-tune: ONNX Runtime trains them after running the prefix on the augmented images
      expect(full.engine).toBe("training onnxruntime (cpu); prefix onnxruntime");
    });
  });
});
