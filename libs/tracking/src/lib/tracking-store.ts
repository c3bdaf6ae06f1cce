// The one interface through which apps read and write the tracking store.
// Types come from the generated Prisma client; inputs are validated by the implementation
// (libs/tracking/src/lib/validation.ts) and bad input raises the named errors of errors.ts.
import type { DatabaseProvider } from "./thaw-paths.ts";
import type {
  Checkpoint,
  Dataset,
  EpochMetric,
  Experiment,
  Promotion,
  Run,
  RunStatus,
  Sweep,
} from "../generated/prisma/client.ts";
import type { RunProgressInput } from "./run-progress.ts";
import type { SamplerName } from "./sweep/samplers.ts";
import type { Decision, SchedulerConfig } from "./sweep/scheduler.ts";
import type { SearchSpace } from "./sweep/search-space.ts";

import type { TestComparison } from "./test-comparison.ts";

export type { Checkpoint, Dataset, EpochMetric, Experiment, Promotion, Run, RunStatus, Sweep };

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
  /** The base run's checkpoint this run starts from, pinned at queue time (lineage). */
  baseCheckpointId?: number | null;
  baseCheckpointSha256?: string | null;
  name?: string | null;
}

export interface EnqueueSweepInput extends Omit<EnqueueRunInput, "frozenLayers" | "learningRate"> {
  frozenLayers: number[];
  learningRates: number[];
}

/** A sweep over a search space: the shared parameters plus what varies and how it is searched. */
export interface CreateSweepInput extends Omit<EnqueueRunInput, "frozenLayers" | "learningRate"> {
  space: SearchSpace;
  sampler: SamplerName;
  /** Runs in all; defaults to the grid's size for "grid", else 20. */
  budget?: number;
  /** TPE: runs waiting QUEUED at once (default 2); grid and random queue the whole budget. */
  parallelism?: number;
  /** Early stopping of losing runs; default { kind: "none" }. */
  scheduler?: SchedulerConfig;
  /** TPE: runs sampled uniformly before the model is used (default 10). */
  tpeStartup?: number;
}

export interface SweepView {
  id: string;
  experimentId: number;
  sampler: SamplerName;
  space: SearchSpace;
  scheduler: SchedulerConfig;
  budget: number;
  parallelism: number;
  seed: number;
  createdAt: Date;
  /** Runs started so far (at most the budget), by state; pruned runs count as finished too. */
  runs: number;
  queued: number;
  running: number;
  finished: number;
  failed: number;
  pruned: number;
  /** Epochs executed, against the epochs the budget would take with no run stopped early. */
  epochsRun: number;
  epochsFullBudget: number;
  bestValAccuracy: number | null;
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
  /** Stored as a 64-bit BigInt (read back as a bigint): a real-size checkpoint can pass 2 GiB. */
  sizeBytes: number | bigint;
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
  /** Bytes of the run's live checkpoints on disk (a bigint, as Checkpoint.sizeBytes). */
  diskBytes: bigint;
};

export interface Page<T> {
  items: T[];
  nextCursor: number | null;
}

export type RunDetail = Run & {
  experiment: Experiment;
  dataset: Dataset | null;
  baseRun: Pick<Run, "id" | "name" | "status"> | null;
  /** Runs queued with this run as their base, and the checkpoint each was pinned to. */
  derivedRuns: Pick<Run, "id" | "name" | "status" | "baseCheckpointId">[];
  metrics: EpochMetric[];
  /** Live checkpoints (retention's deleted rows are left out). */
  checkpoints: Checkpoint[];
};

export type ExperimentSummary = Experiment & {
  runCount: number;
  runningCount: number;
  bestValAccuracy: number | null;
  champion: { checkpointId: number; runId: number } | null;
  /** Bytes of the live checkpoints of all its runs (a bigint, as Checkpoint.sizeBytes). */
  diskBytes: bigint;
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

/**
 * A worker's claim on a run: the token its claim wrote to the run's row. Every write of the
 * run's results carries it and is refused once the run was reaped or claimed again.
 */
export interface Lease {
  runId: number;
  token: string;
}

/**
 * A run id (the store then uses the lease it holds from claiming that run, if any) or an
 * explicit lease (e.g. handed to another process of the same worker).
 */
export type RunRef = number | Lease;

export interface TrackingStore {
  /** Absolute path of the SQLite file, or the PostgreSQL URL with its password hidden. */
  readonly dbPath: string;
  readonly provider: DatabaseProvider;
  close(): Promise<void>;

  createExperiment(input: { name: string; description?: string }): Promise<Experiment>;
  /** Returns the experiment with that name, creating it when missing. */
  ensureExperiment(name: string): Promise<Experiment>;
  getExperiment(idOrName: number | string): Promise<Experiment>;
  listExperiments(): Promise<ExperimentSummary[]>;

  /** Creates or updates (by name) a dataset; its folder is recorded as a file:// URI (read it with artifactPath). */
  registerDataset(input: {
    name: string;
    /** The folder: an absolute path or a file:// URI. */
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
  /** A sweep with a sampler and a budget; queues its first runs (all of them for grid and random). */
  createSweep(input: CreateSweepInput): Promise<{ sweep: Sweep; runs: Run[] }>;
  /** Queues the sweep's next runs as slots free (TPE samples from the results so far). */
  refillSweep(sweepId: string): Promise<Run[]>;
  /** After an epoch is logged: the sweep's scheduler says whether the run goes on; a prune is recorded on the run. */
  decideEpoch(runId: number, epoch: number): Promise<Decision>;
  getSweep(sweepId: string): Promise<SweepView>;
  listSweeps(experimentId?: number): Promise<SweepView[]>;
  /** Changes hyperparameters of a QUEUED run; ParamsImmutableError once it started. */
  updateRunParams(runId: number, patch: Partial<RunParams>): Promise<Run>;

  /**
   * Claims the oldest QUEUED run atomically (one statement; on PostgreSQL with SKIP LOCKED, so
   * concurrent workers each get a different run): RUNNING, workerId, a new lease token,
   * startedAt and heartbeatAt on the database clock. The store keeps the lease for its writes.
   */
  claimNextRun(workerId: string): Promise<Run | null>;
  /** Claims one given QUEUED run (used by `thaw train`, which runs in its own process). */
  claimRun(runId: number, workerId: string): Promise<Run>;
  /** Refreshes the heartbeat (fenced by the lease); tells the worker whether a stop was requested. */
  heartbeat(run: RunRef, workerId: string): Promise<{ stopRequested: boolean }>;
  /** Fenced by the lease; allowed while the run runs and after its worker ended it. */
  recordRunInfo(run: RunRef, info: RunInfo): Promise<Run>;
  /** Fenced by the lease. Idempotent for a repeated epoch (the row is replaced); keeps the summary columns. */
  logEpoch(run: RunRef, epoch: EpochInput): Promise<EpochMetric>;
  /** Fenced by the lease. Replaces a RUNNING run's in-epoch progress (null clears it); ending the run clears it too. */
  recordProgress(run: RunRef, progress: RunProgressInput | null): Promise<void>;
  /** Fenced by the lease. */
  addCheckpoint(run: RunRef, checkpoint: CheckpointInput): Promise<Checkpoint>;
  /** Fenced by the lease. */
  finishRun(run: RunRef): Promise<Run>;
  /** With a lease (given or held) fenced by it; by id alone, as whoever notices a lost worker. */
  failRun(run: RunRef, error: { message: string; stack?: string | null }): Promise<Run>;
  /** Ends a run as STOPPED (a QUEUED run is stopped at once; a RUNNING one by its worker). */
  stopRun(run: RunRef): Promise<Run>;
  /** Asks the worker of a RUNNING run to stop at its next batch; a QUEUED run stops at once. */
  requestStop(runId: number): Promise<Run>;
  /** RUNNING runs whose heartbeat is older than timeoutMs on the database clock -> FAILED "worker lost". */
  reapStaleRuns(timeoutMs: number): Promise<Run[]>;

  listRuns(query?: ListRunsQuery): Promise<Page<RunListItem>>;
  getRun(runId: number): Promise<RunDetail>;
  compareRuns(runIds: number[]): Promise<RunDetail[]>;
  getCheckpoint(checkpointId: number): Promise<Checkpoint & { run: Run }>;
  /** The checkpoint with the best monitored value of a run (its last one saved best-only). */
  bestCheckpoint(runId: number): Promise<Checkpoint | null>;
  /** The checkpoint row recorded for a folder (absolute path), or null: which run wrote it. */
  checkpointAtPath(dir: string): Promise<Checkpoint | null>;
  /**
   * Marks a run's superseded checkpoints deleted, keeping its newest `keep` and every promoted
   * or pinned one, and returns them: the caller then removes their folders.
   */
  pruneCheckpoints(runId: number, keep: number): Promise<Checkpoint[]>;
  /** Live (deleted: false) or marked-deleted checkpoint rows, for repairs and garbage collection. */
  listCheckpoints(filter: { deleted: boolean }): Promise<Checkpoint[]>;
  /** Marks rows whose folders are gone; returns how many were live. */
  markCheckpointsDeleted(ids: number[]): Promise<number>;

  /** Refuses, without a reason, a checkpoint less accurate than the champion on the same test images (PromotionReasonRequiredError). */
  promote(input: PromoteInput): Promise<PromotionView>;
  /** The checkpoint against the alias' current holder on the same test images, before promoting it. */
  promotionPreview(checkpointId: number, alias?: string): Promise<TestComparison>;
  getAlias(experimentId: number, alias?: string): Promise<AliasView | null>;
  aliasHistory(experimentId: number, alias?: string): Promise<PromotionView[]>;
}
