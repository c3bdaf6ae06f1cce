// Named errors of the tracking store. Each message is one sentence: what is wrong and how to
// fix it. `code` lets an edge (tRPC, CLI) map the error without matching on class names.

export type TrackingErrorCode = "NOT_FOUND" | "BAD_REQUEST" | "CONFLICT" | "INTERNAL_SERVER_ERROR";

export class TrackingError extends Error {
  override name = "TrackingError";
  readonly code: TrackingErrorCode;

  constructor(message: string, code: TrackingErrorCode = "INTERNAL_SERVER_ERROR") {
    super(message);
    this.code = code;
  }
}

export class NotFoundError extends TrackingError {
  override name = "NotFoundError";
  readonly entity: string;
  readonly key: number | string;

  constructor(entity: string, key: number | string) {
    const shown = typeof key === "number" ? `id ${key}` : `name "${key}"`;
    super(`${entity} with ${shown} does not exist; check the ${entity.toLowerCase()} ${typeof key === "number" ? "id" : "name"} (list them to see what exists).`, "NOT_FOUND");
    this.entity = entity;
    this.key = key;
  }
}

export class InvalidInputError extends TrackingError {
  override name = "InvalidInputError";
  /** Dotted path of the offending field, e.g. "learningRate" or "learningRates.2". */
  readonly field: string;
  /** What a valid value looks like. */
  readonly fix: string;

  constructor(field: string, problem: string, fix: string) {
    super(`Invalid ${field}: ${problem}; ${fix}.`, "BAD_REQUEST");
    this.field = field;
    this.fix = fix;
  }
}

export class InvalidStateError extends TrackingError {
  override name = "InvalidStateError";
  readonly runId: number;
  readonly status: string;

  constructor(runId: number, status: string, message: string) {
    super(message, "CONFLICT");
    this.runId = runId;
    this.status = status;
  }
}

export class ParamsImmutableError extends TrackingError {
  override name = "ParamsImmutableError";
  readonly runId: number;

  constructor(runId: number, status: string) {
    super(`Run ${runId} is ${status}, and hyperparameters are fixed once a run has started; enqueue a new run with the changed parameters instead.`, "CONFLICT");
    this.runId = runId;
  }
}

export class CrossExperimentPromotionError extends TrackingError {
  override name = "CrossExperimentPromotionError";

  constructor(checkpointId: number, checkpointExperimentId: number, experimentId: number) {
    super(`Checkpoint ${checkpointId} belongs to experiment ${checkpointExperimentId}, not experiment ${experimentId}; promote a checkpoint of a run in experiment ${experimentId}.`, "BAD_REQUEST");
  }
}

export class PromotionReasonRequiredError extends TrackingError {
  override name = "PromotionReasonRequiredError";

  constructor(checkpointId: number, accuracy: number, championId: number, championAccuracy: number, images: number) {
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    super(
      `Checkpoint ${checkpointId} is less accurate on the test set than the champion (checkpoint ${championId}): ${pct(accuracy)} against ${pct(championAccuracy)} on the same ${images} images; give a reason to promote it anyway, and it is kept in the promotion history.`,
      "BAD_REQUEST",
    );
  }
}

export class DuplicateNameError extends TrackingError {
  override name = "DuplicateNameError";

  constructor(entity: string, name: string) {
    super(`${entity} "${name}" already exists; choose another name or use the existing one.`, "CONFLICT");
  }
}

export class MigrationError extends TrackingError {
  override name = "MigrationError";
}
