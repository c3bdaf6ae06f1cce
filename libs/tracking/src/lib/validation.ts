// Input rules of the store. Every write is checked here before it touches the database, and
// a violation becomes one InvalidInputError naming the field, the bad value and a valid one.
import { z } from "zod";
import { InvalidInputError } from "./errors.ts";

/** A sweep is a grid; more than this many runs is almost always a typo in a list. */
export const MAX_SWEEP_RUNS = 100;
/** Largest page listRuns returns. */
export const MAX_PAGE_SIZE = 500;

const FIXES: Record<string, string> = {
  frozenLayers: "use a whole number of layers, 0 or more (0 trains every layer)",
  learningRate: "use a finite number greater than 0, such as 0.001",
  learningRates: "use finite numbers greater than 0, such as [0.01, 0.001]",
  optimizer: 'use "sgd" or "adam"',
  momentum: "use a number from 0 up to but not including 1, such as 0.9",
  batchSize: "use a whole number of at least 1",
  epochs: "use a whole number of at least 1",
  patience: "use a whole number, 0 or more",
  imageSize: "use a whole number of pixels of at least 1, such as 224",
  base: 'use "vgg16-imagenet", "random", "run:<id>" or a checkpoint folder path',
  augment: "use true or false",
  seed: "use a whole number",
  extra: "use an object of further settings",
  experimentId: "use the id of an existing experiment",
  runId: "use the id of an existing run (a whole number from 1)",
  checkpointId: "use the id of an existing checkpoint (a whole number from 1)",
  datasetId: "use the id of an existing dataset, or null",
  baseRunId: "use the id of an existing run, or null",
  baseCheckpointId: "use the id of an existing checkpoint of the base run, or null",
  baseCheckpointSha256: "use the checkpoint's sha256 (64 hex digits), or null",
  name: "use 1 to 200 characters",
  description: "use at most 2000 characters",
  path: "use a non-empty path",
  workerId: "use a non-empty worker id of at most 200 characters",
  lease: "use the lease of a claim: { runId, token } as the claimed run's id and leaseToken",
  epoch: "use the 0-based epoch number, a whole number 0 or more",
  phase: 'use "cache", "train" or "validate"',
  done: "use the images done so far, a whole number from 0 up to total",
  total: "use the images of the phase, a whole number 0 or more",
  imagesPerSecond: "use a number 0 or more, or null while unknown",
  etaSeconds: "use a number of seconds 0 or more, or null while unknown",
  loss: "use a finite number",
  accuracy: "use a finite number",
  valLoss: "use a finite number or null",
  valAccuracy: "use a finite number or null",
  durationMs: "use a whole number of milliseconds, 0 or more",
  metrics: "use an object of finite numbers, such as { val_accuracy: 0.9 }",
  sizeBytes: "use a whole number of bytes, 0 or more",
  sha256: "use the 64-character hex sha256 of the checkpoint",
  message: "use a non-empty error message",
  timeoutMs: "use a whole number of milliseconds greater than 0",
  alias: "use letters, digits, '-' or '_' (1 to 64 characters), such as champion",
  cursor: "use the id of the last run of the previous page, or null",
  limit: `use a whole number from 1 to ${MAX_PAGE_SIZE}`,
  runIds: "use one or more run ids",
  fingerprint: "use the dataset's content hash, or null",
  classNames: "use a list of class names, or null",
  imageCount: "use a whole number, 0 or more, or null",
};

const count = z.number().int().min(0);
const id = z.number().int().positive();
const finite = z.number();
const text = (max: number) => z.string().trim().min(1).max(max);

export const runParamsShape = {
  frozenLayers: count,
  learningRate: z.number().positive(),
  optimizer: z.enum(["sgd", "adam"]),
  momentum: z.number().min(0).lt(1),
  batchSize: z.number().int().min(1),
  epochs: z.number().int().min(1),
  patience: count,
  imageSize: z.number().int().min(1),
  base: text(1000),
  augment: z.boolean(),
  seed: z.number().int(),
  extra: z.record(z.string(), z.unknown()).optional(),
};
export const runParamsSchema = z.object(runParamsShape);
export const runParamsPatchSchema = runParamsSchema.partial();

export const runMetaShape = {
  experimentId: id,
  datasetId: id.nullish(),
  baseRunId: id.nullish(),
  baseCheckpointId: id.nullish(),
  baseCheckpointSha256: z.string().regex(/^[0-9a-f]{64}$/).nullish(),
  name: text(200).nullish(),
};

export const enqueueRunSchema = z.object({ ...runParamsShape, ...runMetaShape });

export const enqueueSweepSchema = z
  .object({
    ...runParamsShape,
    ...runMetaShape,
    frozenLayers: z.array(count).min(1).refine(distinct, "the list repeats a value"),
    learningRates: z.array(z.number().positive()).min(1).refine(distinct, "the list repeats a value"),
  })
  .omit({ learningRate: true });

export const experimentSchema = z.object({ name: text(200), description: z.string().max(2000).optional() });

export const datasetSchema = z.object({
  name: text(200),
  path: text(4000),
  fingerprint: z.string().min(1).nullish(),
  classNames: z.array(z.string().min(1)).nullish(),
  imageCount: count.nullish(),
  testSplit: z.number().min(0).lt(1).optional(),
  testSeed: count.optional(),
});

export const epochSchema = z.object({
  epoch: count,
  loss: finite,
  accuracy: finite,
  valLoss: finite.nullish(),
  valAccuracy: finite.nullish(),
  learningRate: finite.nullish(),
  durationMs: count,
});

export const checkpointSchema = z.object({
  epoch: count,
  path: text(4000),
  metrics: z.record(z.string(), finite),
  sizeBytes: z.union([count, z.bigint().nonnegative()]),
  sha256: z.string().regex(/^[0-9a-f]{64}$/i),
});

export const runInfoSchema = z.object({
  backend: z.string().optional(),
  engine: z.string().optional(),
  thawVersion: z.string().optional(),
  datasetFingerprint: z.string().optional(),
  baseWeightsHash: z.string().optional(),
  skipReport: z.array(z.object({ path: z.string(), reason: z.string() })).optional(),
  evaluation: z
    .object({
      classNames: z.array(z.string()),
      confusionMatrix: z.array(z.array(count)),
      perClassAccuracy: z.array(finite),
      checkpointId: id.optional(),
    })
    .optional(),
  testEvaluation: z
    .object({
      checkpointId: id,
      classNames: z.array(z.string()),
      accuracy: z.number().min(0).max(1),
      precision: z.array(z.number().min(0).max(1).nullable()),
      recall: z.array(z.number().min(0).max(1).nullable()),
      confusionMatrix: z.array(z.array(count)),
      images: z.array(z.object({ file: z.string().min(1), label: count, predicted: count, confidence: z.number().min(0).max(1) })),
      testSplit: z.number().min(0).lt(1),
      testSeed: count,
    })
    .optional(),
});

export const failureSchema = z.object({ message: text(100_000), stack: z.string().nullish() });
export const aliasSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
export const workerIdSchema = text(200);
export const idSchema = id;
export const leaseSchema = z.object({ runId: id, token: text(200) });
export const timeoutSchema = z.number().int().positive();

export const promoteSchema = z.object({
  checkpointId: id,
  alias: aliasSchema.optional(),
  by: text(200).optional(),
  reason: z.string().max(2000).optional(),
  experimentId: id.optional(),
});

const range = z.object({ min: finite.optional(), max: finite.optional() });
export const listRunsSchema = z.object({
  experimentId: id.optional(),
  status: z.array(z.enum(["QUEUED", "RUNNING", "FINISHED", "FAILED", "STOPPED"])).optional(),
  sweepId: z.string().min(1).optional(),
  frozenLayers: range.optional(),
  learningRate: range.optional(),
  sort: z
    .object({
      key: z.enum(["createdAt", "bestValAccuracy", "learningRate", "frozenLayers", "epochsDone"]),
      direction: z.enum(["asc", "desc"]),
    })
    .optional(),
  cursor: id.nullish(),
  limit: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
});

function distinct(values: number[]): boolean {
  return new Set(values).size === values.length;
}

/** Parses `input` or throws InvalidInputError for its first problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, fieldPrefix = ""): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const pathParts = issue.path.map(String);
  const field = [fieldPrefix, ...pathParts].filter(Boolean).join(".") || "input";
  const ruleKey = [...pathParts].reverse().find((part) => part in FIXES) ?? fieldPrefix;
  const fix = FIXES[ruleKey] ?? issue.message;
  throw new InvalidInputError(field, describeProblem(issue, valueAt(input, issue.path)), fix);
}

function describeProblem(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === "custom") return issue.message;
  if (value === undefined) return "it is missing";
  return `got ${render(value)}`;
}

function render(value: unknown): string {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value === "bigint") return String(value);
  const json = JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? String(item) : item));
  return json === undefined ? String(value) : json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
