// The one door policy: whether a run (or every run of a sweep) can run, decided before
// anything is queued, for the CLI and the dashboard alike. It scans the data folder, resolves
// and pins the base, checks every parameter against the model that will be built and asks
// the training engine for its limits; a refusal names its field in one sentence.
import type { TrackingStore } from "@thaw/tracking";
import type { LocatorOptions, TrainingProblem, TransferHead } from "@thaw/vgg";
import { baseString, resolveBase, type PlannedBase } from "./base.ts";
import { scanDataset, type DatasetScan } from "./dataset.ts";
import { PlanRefusal } from "./errors.ts";

export interface PlanInput {
  /** The data folder: one sub-folder of images per class. */
  data: string;
  /** `vgg16-imagenet`, `random`, `run:<id>` (or `<id>`), or a checkpoint folder. */
  base: string;
  /** Left out: the checkpoint base's head, else fc2. */
  head?: TransferHead;
  /** Left out: the checkpoint base's width, else 1. */
  widthMultiplier?: number;
  imageSize: number;
  dropout: number;
  /** One value for a single run; a sweep's grid is frozenLayers x learningRates. */
  frozenLayers: number[];
  learningRates: number[];
  /** Images per batch, for the training engine's memory check (default Keras' 32). */
  batchSize?: number;
  /** Keras' file set, order and orientation (flow_from_directory), and a held-out test fraction. */
  kerasCompatible?: boolean;
  testSplit?: number;
  /** ImageNet weights: only look for Keras' file (the default), or download it when missing. */
  weights?: LocatorOptions & { download?: boolean };
}

export interface RunPlan {
  dataset: DatasetScan;
  base: PlannedBase;
  /** The value for Run.base. */
  baseString: string;
  baseRunId: number | null;
  /** The checkpoint the run starts from, pinned now (lineage). */
  baseCheckpointId: number | null;
  baseCheckpointSha256: string | null;
  head: TransferHead;
  widthMultiplier: number;
}

/** The architecture a checkpoint base fixes: a run from it has its head, width and input size. */
function checkAgainstBase(base: PlannedBase, input: PlanInput): void {
  if (base.kind !== "checkpoint") return;
  const { meta } = base;
  const name = baseString(base);
  if (input.head !== undefined && input.head !== meta.head) {
    throw new PlanRefusal("head", `The base ${name} has the ${meta.head} head, so a run from it has it too, not ${input.head}; use the ${meta.head} head.`);
  }
  if (input.widthMultiplier !== undefined && input.widthMultiplier !== meta.widthMultiplier) {
    throw new PlanRefusal(
      "widthMultiplier",
      `The base ${name} is VGG16 at width ${meta.widthMultiplier}, so a run from it has that width, not ${input.widthMultiplier}; use width ${meta.widthMultiplier}.`,
    );
  }
  if (meta.inputSize[0] !== input.imageSize || meta.inputSize[1] !== input.imageSize) {
    throw new PlanRefusal(
      "imageSize",
      `Image size ${input.imageSize} does not fit the base ${name}: its model takes ${meta.inputSize[0]}x${meta.inputSize[1]} inputs; use image size ${meta.inputSize[0]}.`,
    );
  }
}

/** Every cell of the grid asked of the engine; a problem of some cells only names them. */
async function checkCells(base: PlannedBase, head: TransferHead, widthMultiplier: number, input: PlanInput, classes: number): Promise<void> {
  const { trainingProblem, chooseEngine, expectedTfjsBackend } = await import("@thaw/vgg");
  const kind = base.kind;
  // the engine a worker started with this environment would train on, and TF.js' backend there
  const engine = { ...(await chooseEngine()), backend: expectedTfjsBackend() };
  const cells: { frozen: number; lr: number; problem: TrainingProblem }[] = [];
  for (const frozen of input.frozenLayers) {
    const problem = trainingProblem({ base: kind, head, imageSize: input.imageSize, widthMultiplier, frozenLayers: frozen, dropout: input.dropout, engine, batchSize: input.batchSize, classes });
    if (problem) for (const lr of input.learningRates) cells.push({ frozen, lr, problem });
  }
  const first = cells[0];
  if (!first) return;
  const total = input.frozenLayers.length * input.learningRates.length;
  if (first.problem.option !== "frozenLayers" || total === 1) throw new PlanRefusal(first.problem.option, first.problem.message);
  const names = cells.map((c) => `frozen ${c.frozen} x lr ${c.lr}`);
  throw new PlanRefusal(
    "frozenLayers",
    `${cells.length} of the ${total} runs of this sweep cannot run (${names.join(", ")}), so none was queued: ${first.problem.message}`,
    names,
  );
}

async function checkWeights(head: TransferHead, weights: PlanInput["weights"]): Promise<void> {
  const { fetchWeights, locateWeightFile, weightSearchDirs, VGG16_WEIGHT_FILES, KERAS_VGG16_URL } = await import("@thaw/vgg");
  const spec = head === "fc2" ? VGG16_WEIGHT_FILES.top : VGG16_WEIGHT_FILES.notop;
  if (weights?.download) {
    try {
      await fetchWeights({ ...weights, includeTop: head === "fc2" });
      return;
    } catch (error) {
      if (error instanceof Error && /^Weights/.test(error.name)) throw new PlanRefusal("base", error.message);
      throw error;
    }
  }
  if (locateWeightFile(spec.file, weights ?? {}) !== null) return;
  const dirs = weightSearchDirs(weights ?? {});
  throw new PlanRefusal(
    "base",
    `ImageNet weights need Keras' ${spec.file}, which is not in ${dirs.join(" or ")}; download it from ${KERAS_VGG16_URL}${spec.file} into ${dirs[0]} (or run \`thaw weights fetch\`), or pick another base.`,
  );
}

/** Plans a run or a sweep, or throws a PlanRefusal naming the field and the fix. */
export async function planRun(store: TrackingStore, input: PlanInput): Promise<RunPlan> {
  const dataset = await scanDataset(input.data, { kerasCompatible: input.kerasCompatible, testSplit: input.testSplit });
  const base = await resolveBase(store, input.base);
  checkAgainstBase(base, input);
  const head = base.kind === "checkpoint" ? base.meta.head : (input.head ?? "fc2");
  const widthMultiplier = base.kind === "checkpoint" ? base.meta.widthMultiplier : (input.widthMultiplier ?? 1);
  await checkCells(base, head, widthMultiplier, input, dataset.classNames.length);
  // Last: finding Keras' file is the only slow check, and a download is the only costly one.
  if (base.kind === "imagenet") await checkWeights(head, input.weights);
  return {
    dataset,
    base,
    baseString: baseString(base),
    baseRunId: base.kind === "checkpoint" ? base.runId : null,
    baseCheckpointId: base.kind === "checkpoint" ? base.checkpointId : null,
    baseCheckpointSha256: base.kind === "checkpoint" ? base.sha256 : null,
    head,
    widthMultiplier,
  };
}
