// Turns validated options and a run plan into store rows: the experiment, the dataset
// and the queued run(s). Shared by `thaw train`, `thaw sweep` and `thaw demo`.
import { createHash } from "node:crypto";
import path from "node:path";
import { artifactPath, type CreateSweepInput, type Dataset, type EnqueueRunInput, type Run, type Sweep, type TrackingStore } from "@thaw/tracking";
import { UsageError } from "../errors.ts";
import { isNotFound } from "../refs.ts";
import type { RunPlan } from "@thaw/planner";

export interface RunSettings {
  experiment: string;
  optimizer: "sgd" | "adam";
  momentum: number;
  epochs: number;
  batch: number;
  patience: number;
  imageSize: number;
  augment: boolean;
  seed: number;
  validationSplit: number;
  dropout: number;
  keepCheckpoints: number;
  name?: string;
  /** Default: "keras" when kerasCompatible, else "stratified". */
  split?: "stratified" | "keras";
  kerasCompatible?: boolean;
  /** Recorded with the dataset the first time; a different value later is refused. Omitted: the dataset's. */
  testSplit?: number;
}

/**
 * Registers the data folder under its folder name (made unique when another path has it). The
 * test split is the dataset's, chosen once: every run of the dataset is tested on the same images.
 */
async function registerDataset(store: TrackingStore, plan: RunPlan, testSplit: number | undefined) {
  const dir = plan.dataset.path;
  let name = path.basename(dir);
  let existing: Dataset | null = null;
  try {
    existing = await store.getDataset(name);
    if (artifactPath(existing.path) !== path.resolve(dir)) {
      name = `${name}-${createHash("sha256").update(dir).digest("hex").slice(0, 6)}`;
      existing = await store.getDataset(name).catch((error: unknown) => (isNotFound(error) ? null : Promise.reject(error)));
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  if (testSplit !== undefined && existing && existing.testSplit > 0 && existing.testSplit !== testSplit) {
    throw new UsageError(
      `Dataset "${name}" already holds out ${existing.testSplit} of each class as its test set, so that every run is tested on the same images; pass --test-split ${existing.testSplit} or leave the option out.`,
    );
  }
  return store.registerDataset({
    name,
    path: dir,
    classNames: plan.dataset.classNames,
    imageCount: plan.dataset.imageCount,
    ...(testSplit !== undefined && testSplit > 0 && { testSplit, testSeed: TEST_SEED }),
  });
}

/** Every dataset's test draw uses this seed: a property of the dataset, never of a run. */
export const TEST_SEED = 0;

async function baseInput(store: TrackingStore, settings: RunSettings, plan: RunPlan): Promise<Omit<EnqueueRunInput, "frozenLayers" | "learningRate">> {
  const experiment = await store.ensureExperiment(settings.experiment);
  const dataset = await registerDataset(store, plan, settings.testSplit);
  return {
    experimentId: experiment.id,
    datasetId: dataset.id,
    baseRunId: plan.baseRunId,
    baseCheckpointId: plan.baseCheckpointId,
    baseCheckpointSha256: plan.baseCheckpointSha256,
    name: settings.name ?? null,
    optimizer: settings.optimizer,
    momentum: settings.momentum,
    batchSize: settings.batch,
    epochs: settings.epochs,
    patience: settings.patience,
    imageSize: settings.imageSize,
    base: plan.baseString,
    augment: settings.augment,
    seed: settings.seed,
    extra: {
      head: plan.head,
      widthMultiplier: plan.widthMultiplier,
      validationSplit: settings.validationSplit,
      dropout: settings.dropout,
      keepCheckpoints: settings.keepCheckpoints,
      ...(settings.split && { split: settings.split }),
      ...(settings.kerasCompatible && { kerasCompatible: true }),
    },
  };
}

export async function enqueueOne(store: TrackingStore, settings: RunSettings, plan: RunPlan, frozen: number, lr: number): Promise<Run> {
  return store.enqueueRun({ ...(await baseInput(store, settings, plan)), frozenLayers: frozen, learningRate: lr });
}

export async function enqueueGrid(
  store: TrackingStore,
  settings: RunSettings,
  plan: RunPlan,
  frozen: number[],
  lrs: number[],
): Promise<{ sweepId: string; runs: Run[] }> {
  return store.enqueueSweep({ ...(await baseInput(store, settings, plan)), frozenLayers: frozen, learningRates: lrs });
}

/** A sweep over a search space: the sampler picks each run's configuration within the budget. */
export async function enqueueSearch(
  store: TrackingStore,
  settings: RunSettings,
  plan: RunPlan,
  search: Pick<CreateSweepInput, "space" | "sampler" | "budget" | "parallelism" | "scheduler">,
): Promise<{ sweep: Sweep; runs: Run[] }> {
  return store.createSweep({ ...(await baseInput(store, settings, plan)), ...search });
}
