// zod schemas for the CLI's options. Every failure becomes one sentence naming the option,
// what is wrong and what to type instead; nothing is written before these checks pass.
import { z } from "zod";
import { SAMPLERS, SCHEDULERS, type RangeDomain, type SetDomain } from "@thaw/tracking";
import { UsageError } from "./errors.ts";

type Check = (value: number) => boolean;

/** A numeric option given as text, with its own sentence when it does not parse or fit. */
function numeric(flag: string, rule: string, check: Check, integer = false) {
  return z.string().transform((raw, ctx) => {
    const value = Number(raw);
    const ok = raw.trim() !== "" && Number.isFinite(value) && (!integer || Number.isInteger(value)) && check(value);
    if (!ok) {
      ctx.addIssue({ code: "custom", message: `${flag} must be ${rule}; got "${raw}".` });
      return z.NEVER;
    }
    return value;
  });
}

/** A comma-separated list of numeric values (sweeps). */
function numericList(flag: string, rule: string, check: Check, integer = false) {
  return z.string().transform((raw, ctx) => {
    const parts = raw.split(",").map((p) => p.trim());
    const values = parts.map(Number);
    const bad = parts.find((p, i) => p === "" || !Number.isFinite(values[i]) || (integer && !Number.isInteger(values[i])) || !check(values[i]));
    if (bad !== undefined || parts.length === 0) {
      ctx.addIssue({ code: "custom", message: `${flag} must be a comma-separated list of ${rule}; "${bad ?? raw}" is not.` });
      return z.NEVER;
    }
    return [...new Set(values)];
  });
}

/**
 * A sweep dimension: a comma-separated set ("11,15,19") or a range "lo..hi" with an optional
 * scale suffix ":log" or ":linear" (default linear; integer options draw whole numbers).
 */
function domainOption(flag: string, rule: string, example: string, check: Check, integer = false) {
  const list = numericList(flag, `${rule} such as ${example.split(";")[0]}`, check, integer);
  return z.string().transform((raw, ctx): SetDomain<number> | RangeDomain => {
    const match = /^\s*([^.\s][^\s]*?)\s*\.\.\s*([^:\s]+)\s*(?::\s*(log|linear))?\s*$/.exec(raw);
    if (!match) {
      const parsed = list.safeParse(raw);
      if (!parsed.success) {
        ctx.addIssue({ code: "custom", message: parsed.error.issues[0]?.message ?? `${flag} is not valid.` });
        return z.NEVER;
      }
      return { kind: "set", values: parsed.data };
    }
    const [min, max] = [Number(match[1]), Number(match[2])];
    const scale = (match[3] ?? "linear") as "log" | "linear";
    const problem = ![min, max].every((v) => Number.isFinite(v) && check(v))
      ? `both bounds must be ${rule}`
      : min > max
        ? "the lower bound comes first"
        : scale === "log" && min <= 0
          ? "a log range needs bounds above 0"
          : null;
    if (problem) {
      ctx.addIssue({ code: "custom", message: `${flag} range "${raw}" is not valid: ${problem}; write it as ${example.split(";")[1] ?? "lo..hi"}.` });
      return z.NEVER;
    }
    return { kind: "range", min, max, scale, ...(integer && { integer: true }) };
  });
}

function choice<T extends string>(flag: string, values: readonly [T, ...T[]]) {
  return z.string().transform((raw, ctx) => {
    if (!(values as readonly string[]).includes(raw)) {
      ctx.addIssue({ code: "custom", message: `${flag} must be one of ${values.join(", ")}; got "${raw}".` });
      return z.NEVER;
    }
    return raw as T;
  });
}

const positive: Check = (v) => v > 0;

/** Options shared by `thaw train` and `thaw sweep` (commander hands them over as strings). */
const common = {
  data: z.string({ error: "--data is required; point it at a folder with one sub-folder per class." }).min(1),
  experiment: z.string({ error: "--experiment is required; name the experiment the run belongs to." }).trim().min(1),
  base: z.string().min(1).default("vgg16-imagenet"),
  optimizer: choice("--optimizer", ["sgd", "adam"]).default("sgd"),
  momentum: numeric("--momentum", "a number from 0 up to (not including) 1 such as 0.9", (v) => v >= 0 && v < 1).default(0.9),
  epochs: numeric("--epochs", "a whole number of at least 1 such as 100", (v) => v >= 1, true).default(100),
  batch: numeric("--batch", "a whole number of at least 1 such as 32", (v) => v >= 1, true).default(32),
  patience: numeric("--patience", "a whole number of epochs, 0 or more, such as 40", (v) => v >= 0, true).default(40),
  imageSize: numeric("--image-size", "a whole number of pixels of at least 32 (VGG16 pools five times) such as 224", (v) => v >= 32, true).default(224),
  // No defaults: left out, the planner takes them from a checkpoint base (else fc2 and 1).
  head: choice("--head", ["fc2", "pooled"]).optional(),
  width: numeric("--width", "a number above 0 and at most 1 such as 1 or 0.125", (v) => v > 0 && v <= 1).optional(),
  augment: z.boolean().default(false),
  seed: numeric("--seed", "a whole number, 0 or more, such as 42", (v) => v >= 0, true).default(42),
  validationSplit: numeric("--validation-split", "a fraction between 0 and 1 such as 0.2", (v) => v > 0 && v < 1).default(0.2),
  split: choice("--split", ["stratified", "keras"]).optional(),
  kerasCompatible: z.boolean().default(false),
  testSplit: numeric("--test-split", "a fraction from 0 up to (not including) 1 such as 0.2", (v) => v >= 0 && v < 1).optional(),
  dropout: numeric("--dropout", "a fraction from 0 up to (not including) 1 such as 0.5", (v) => v >= 0 && v < 1).default(0),
  keepCheckpoints: numeric("--keep-checkpoints", "a whole number of at least 1 such as 2 (the best and the one before)", (v) => v >= 1, true).default(2),
  name: z.string().optional(),
};

export const trainSchema = z.object({
  ...common,
  frozen: numeric("--frozen", "a whole number of layers, 0 or more, such as 19", (v) => v >= 0, true).default(19),
  lr: numeric("--lr", "a positive number such as 1e-4", positive).default(1e-4),
});

export const sweepSchema = z.object({
  ...common,
  frozen: domainOption("--frozen", "whole numbers of layers", "11,15,19;11..19", (v) => v >= 0, true).default({ kind: "set", values: [19] }),
  lr: domainOption("--lr", "positive numbers", "1e-3,1e-4;1e-5..1e-2:log", positive).default({ kind: "set", values: [1e-4] }),
  optimizer: z
    .string()
    .transform((raw, ctx) => {
      const values = [...new Set(raw.split(",").map((v) => v.trim()))];
      if (!values.every((v) => v === "sgd" || v === "adam")) {
        ctx.addIssue({ code: "custom", message: `--optimizer must be sgd, adam or sgd,adam; got "${raw}".` });
        return z.NEVER;
      }
      return values as ("sgd" | "adam")[];
    })
    .default(["sgd"]),
  batch: domainOption("--batch", "whole numbers of at least 1", "16,32;8..64", (v) => v >= 1, true).default({ kind: "set", values: [32] }),
  dropout: domainOption("--dropout", "fractions from 0 up to (not including) 1", "0,0.5;0..0.5", (v) => v >= 0 && v < 1).default({ kind: "set", values: [0] }),
  augmentBoth: z.boolean().default(false),
  sampler: choice("--sampler", SAMPLERS).default("grid"),
  runs: numeric("--runs", "a whole number of runs of at least 1 such as 24", (v) => v >= 1, true).optional(),
  parallel: numeric("--parallel", "a whole number of at least 1 such as 2", (v) => v >= 1, true).optional(),
  scheduler: choice("--scheduler", SCHEDULERS).default("none"),
  minEpochs: numeric("--min-epochs", "a whole number of epochs of at least 1 such as 1", (v) => v >= 1, true).default(1),
  reductionFactor: numeric("--reduction-factor", "a whole number of at least 2 such as 3", (v) => v >= 2, true).default(3),
  minRuns: numeric("--min-runs", "a whole number of runs of at least 1 such as 3", (v) => v >= 1, true).default(3),
});

export type TrainOptions = z.output<typeof trainSchema>;
export type SweepOptions = z.output<typeof sweepSchema>;

/** Parses options or throws a UsageError carrying the first problem's sentence. */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw new UsageError(result.error.issues[0]?.message ?? "The options are not valid; see `thaw --help`.");
}
