// The one interface through which apps read and write the tracking store.
// Types come from the generated Prisma client; inputs are validated by the implementation
// (libs/tracking/src/lib/validation.ts) and bad input raises the named errors of errors.ts.
import type {
  Checkpoint,
  Dataset,
  EpochMetric,
  Experiment,
  Promotion,
  Run,
  RunStatus,
} from "../generated/prisma/client.ts";

import type { TestComparison } from "./test-comparison.ts";

export type { Checkpoint, Dataset, EpochMetric, Experiment, Promotion, Run, RunStatus };

/** Hyperparameters stored as typed columns. */
export interface RunParams {
  frozenLayers: number;
  learningRate: number;
  optimizer: "sgd" | "adam";
  momentum: number;
  batchSize: number;
  epochs: number;
  patience: number;
  imageSize: number;
  /** "vgg16-imagenet" | "random" | "run:<id>" | a checkpoint directory path */
  base: string;
  augment: boolean;
  seed: number;
  /** Everything else: head, widthMultiplier, dropout, validationSplit, ... */
  extra?: Record<string, unknown>;
}

export interface EnqueueRunInput extends RunParams {
  experimentId: number;
  datasetId?: number | null;
  baseRunId?: number | null;
  name?: string | null;
}

export interface EnqueueSweepInput extends Omit<EnqueueRunInput, "frozenLayers" | "learningRate"> {
  frozenLayers: number[];
  learningRates: number[];
}

export interface EpochInput {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number | null;
  valAccuracy?: number | null;
  learningRate?: number | null;
  durationMs: number;
}

export interface CheckpointInput {
  epoch: number;
  path: string;
  metrics: Record<string, number>;
  sizeBytes: number;
  sha256: string;
}

/** Facts of an execution, recorded once the worker knows them. */
export interface RunInfo {
  backend?: string;
  engine?: string;
  thawVersion?: string;
  datasetFingerprint?: string;
  baseWeightsHash?: string;
  skipReport?: { path: string; reason: string }[];
  evaluation?: {
    classNames: string[];
    confusionMatrix: number[][];
    perClassAccuracy: number[];
    checkpointId?: number;
  };
  /** The best checkpoint on the held-out test set; its accuracy also goes to Run.testAccuracy. */
  testEvaluation?: TestEvaluation;
}

/** One checkpoint evaluated on a dataset's test images (stored apart from validation figures). */
export interface TestEvaluation {
  checkpointId: number;
  classNames: string[];
  accuracy: number;
  /** Per class; null for a class never predicted (precision) or with no test image (recall). */
  precision: (number | null)[];
  recall: (number | null)[];
  /** Rows: true class; columns: predicted class. */
  confusionMatrix: number[][];
  /** Every test image: its path relative to the dataset folder, true and predicted class, top probability. */
  images: { file: string; label: number; predicted: number; confidence: number }[];
  /** 0 when the images came from a test/ folder. */
  testSplit: number;
  testSeed: number;
}

export type RunSortKey = "createdAt" | "bestValAccuracy" | "learningRate" | "frozenLayers" | "epochsDone";

export interface ListRunsQuery {
  experimentId?: number;
  status?: RunStatus[];
  sweepId?: string;
  frozenLayers?: { min?: number; max?: number };
  learningRate?: { min?: number; max?: number };
  sort?: { key: RunSortKey; direction: "asc" | "desc" };
  /** The id of the last run of the previous page. */
  cursor?: number | null;
  limit?: number;
}

export type RunListItem = Run & {
  experimentName: string;
  datasetName: string | null;
  durationMs: number | null;
};

export interface Page<T> {
  items: T[];
  nextCursor: number | null;
}

export type RunDetail = Run & {
  experiment: Experiment;
  dataset: Dataset | null;
  baseRun: Pick<Run, "id" | "name" | "status"> | null;
  metrics: EpochMetric[];
  checkpoints: Checkpoint[];
};

export type ExperimentSummary = Experiment & {
  runCount: number;
  runningCount: number;
  bestValAccuracy: number | null;
  champion: { checkpointId: number; runId: number } | null;
};

export interface AliasView {
  experimentId: number;
  alias: string;
  checkpoint: Checkpoint;
  run: Run;
  updatedAt: Date;
}

export type PromotionView = Promotion & {
  runId: number;
  epoch: number;
};

export interface PromoteInput {
  checkpointId: number;
  /** Defaults to "champion". */
  alias?: string;
  /** Who promoted: a user name, "cli", "dashboard". */
  by?: string;
  reason?: string;
  /** When given, the checkpoint must belong to this experiment. */
  experimentId?: number;
}

export interface TrackingStore {
  /** Absolute path of the SQLite file. */
  readonly dbPath: string;
  close(): Promise<void>;

  createExperiment(input: { name: string; description?: string }): Promise<Experiment>;
  /** Returns the experiment with that name, creating it when missing. */
  ensureExperiment(name: string): Promise<Experiment>;
  getExperiment(idOrName: number | string): Promise<Experiment>;
  listExperiments(): Promise<ExperimentSummary[]>;

  /** Creates or updates (by name) a dataset. */
  registerDataset(input: {
    name: string;
    path: string;
    fingerprint?: string | null;
    classNames?: string[] | null;
    imageCount?: number | null;
    /** Recorded once per dataset: the fraction and seed of its held-out test set. */
    testSplit?: number;
    testSeed?: number;
  }): Promise<Dataset>;
  getDataset(idOrName: number | string): Promise<Dataset>;
  listDatasets(): Promise<Dataset[]>;

  enqueueRun(input: EnqueueRunInput): Promise<Run>;
  /** The grid frozenLayers x learningRates, one run each, one transaction, one sweepId. */
  enqueueSweep(input: EnqueueSweepInput): Promise<{ sweepId: string; runs: Run[] }>;
  /** Changes hyperparameters of a QUEUED run; ParamsImmutableError once it started. */
  updateRunParams(runId: number, patch: Partial<RunParams>): Promise<Run>;

  /** Claims the oldest QUEUED run atomically: RUNNING, workerId, startedAt, heartbeatAt. */
  claimNextRun(workerId: string): Promise<Run | null>;
  /** Claims one given QUEUED run (used by `thaw train`, which runs in its own process). */
  claimRun(runId: number, workerId: string): Promise<Run>;
  /** Refreshes the heartbeat; tells the worker whether a stop was requested. */
  heartbeat(runId: number, workerId: string): Promise<{ stopRequested: boolean }>;
  recordRunInfo(runId: number, info: RunInfo): Promise<Run>;
  /** Idempotent for a repeated epoch (the row is replaced); keeps the summary columns. */
  logEpoch(runId: number, epoch: EpochInput): Promise<EpochMetric>;
  addCheckpoint(runId: number, checkpoint: CheckpointInput): Promise<Checkpoint>;
  finishRun(runId: number): Promise<Run>;
  failRun(runId: number, error: { message: string; stack?: string | null }): Promise<Run>;
  /** Ends a run as STOPPED (a QUEUED run is stopped at once; a RUNNING one by its worker). */
  stopRun(runId: number): Promise<Run>;
  /** Asks the worker of a RUNNING run to stop at its next batch; a QUEUED run stops at once. */
  requestStop(runId: number): Promise<Run>;
  /** RUNNING runs whose heartbeat is older than timeoutMs -> FAILED "worker lost". */
  reapStaleRuns(timeoutMs: number): Promise<Run[]>;

  listRuns(query?: ListRunsQuery): Promise<Page<RunListItem>>;
  getRun(runId: number): Promise<RunDetail>;
  compareRuns(runIds: number[]): Promise<RunDetail[]>;
  getCheckpoint(checkpointId: number): Promise<Checkpoint & { run: Run }>;
  /** The checkpoint with the best monitored value of a run (its last one saved best-only). */
  bestCheckpoint(runId: number): Promise<Checkpoint | null>;

  /** Refuses, without a reason, a checkpoint less accurate than the champion on the same test images (PromotionReasonRequiredError). */
  promote(input: PromoteInput): Promise<PromotionView>;
  /** The checkpoint against the alias' current holder on the same test images, before promoting it. */
  promotionPreview(checkpointId: number, alias?: string): Promise<TestComparison>;
  getAlias(experimentId: number, alias?: string): Promise<AliasView | null>;
  aliasHistory(experimentId: number, alias?: string): Promise<PromotionView[]>;
}
