// @thaw/tracking: the experiment tracking store (SQLite through Prisma), its migrations and
// its run queue. Apps use openStore() and the TrackingStore interface; nothing else inside.
export { openStore, type OpenStoreOptions } from "./lib/open-store.ts";
export { resolveDbPath, DEFAULT_DB_RELATIVE_PATH } from "./lib/db-path.ts";
export { migrate, readMigrations, BUSY_TIMEOUT_MS, type MigrateOptions, type MigrationFile } from "./lib/migrate.ts";
export { MAX_SWEEP_RUNS, MAX_PAGE_SIZE } from "./lib/validation.ts";
export { DEFAULT_PAGE_SIZE } from "./lib/store/run-queries.ts";
export { CHAMPION } from "./lib/store/experiments.ts";
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
  RunSortKey,
  TestEvaluation,
  TrackingStore,
} from "./lib/tracking-store.ts";
export { compareOnTest } from "./lib/test-comparison.ts";
export type { ClassDelta, Disagreement, TestComparison, TestSide } from "./lib/test-comparison.ts";
export { runParams } from "./lib/run-params.ts";
