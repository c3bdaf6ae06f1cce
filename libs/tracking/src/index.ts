// @thaw/tracking: the experiment tracking store (SQLite or PostgreSQL through Prisma), its
// migrations and its run queue. Apps use openStore() and the TrackingStore interface; nothing else inside.
export { openStore, type OpenStoreOptions } from "./lib/open-store.ts";
export {
  resolveDatabase,
  databaseLocation,
  redact,
  thawLocations,
  type ThawLocations,
  type LocateOptions,
  type DatabaseProvider,
  type DatabaseTarget,
} from "./lib/thaw-paths.ts";
export { migrate, readMigrations, BUSY_TIMEOUT_MS, type MigrateOptions, type MigrationFile } from "./lib/migrate.ts";
export { migratePostgresql } from "./lib/migrate-postgresql.ts";
export { artifactPath, artifactRoot, artifactRootPath, artifactUri } from "./lib/artifacts.ts";
export { MAX_SWEEP_RUNS, MAX_PAGE_SIZE } from "./lib/validation.ts";
export { DEFAULT_PAGE_SIZE } from "./lib/store/run-queries.ts";
export { CHAMPION } from "./lib/store/experiments.ts";
export { DEFAULT_KEEP_CHECKPOINTS } from "./lib/store/checkpoint-retention.ts";
export { RunStatus } from "./generated/prisma/enums.ts";
export {
  TrackingError,
  NotFoundError,
  InvalidInputError,
  InvalidStateError,
  ParamsImmutableError,
  CrossExperimentPromotionError,
  DuplicateNameError,
  PromotionReasonRequiredError,
  MigrationError,
  type TrackingErrorCode,
} from "./lib/errors.ts";
export type {
  AliasView,
  Checkpoint,
  CheckpointInput,
  Dataset,
  EnqueueRunInput,
  EnqueueSweepInput,
  EpochInput,
  EpochMetric,
  Experiment,
  ExperimentSummary,
  Lease,
  ListRunsQuery,
  Page,
  PromoteInput,
  Promotion,
  PromotionView,
  Run,
  RunDetail,
  RunInfo,
  RunListItem,
  RunParams,
  RunRef,
  RunSortKey,
  TestEvaluation,
  TrackingStore,
} from "./lib/tracking-store.ts";
export { compareOnTest } from "./lib/test-comparison.ts";
export type { ClassDelta, Disagreement, TestComparison, TestSide } from "./lib/test-comparison.ts";
export { runParams } from "./lib/run-params.ts";
export { parseRunProgress, PROGRESS_PHASES, type RunProgress, type RunProgressInput } from "./lib/run-progress.ts";
export type { CreateSweepInput, Sweep, SweepView } from "./lib/tracking-store.ts";
export { SAMPLERS, suggest, gridPlan, type SamplerName, type Observation, type TpeOptions } from "./lib/sweep/samplers.ts";
export { SCHEDULERS, ashaRungs, decide, schedulerSchema, type Decision, type SchedulerConfig } from "./lib/sweep/scheduler.ts";
export {
  SWEEP_PARAMS,
  gridSize,
  searchSpaceSchema,
  type Config,
  type Domain,
  type RangeDomain,
  type SearchSpace,
  type SetDomain,
  type SweepParam,
  type SweepValues,
} from "./lib/sweep/search-space.ts";
export { parameterImportance, type ImportanceRun, type ParamImportance } from "./lib/sweep/importance.ts";
export { runImportance } from "./lib/sweep/run-importance.ts";
