// The launch form's schema, shared by the form (for its fields and defaults) and the API
// (which validates with it), so that a field error points at the field the user typed in.
import { z } from "zod";

/** VGG16 with its top has 23 layers; freezing 23 would freeze the new head as well. */
export const MAX_FROZEN_LAYERS = 22;

const frozen = z.number().int("Frozen layers must be a whole number.").min(0, "Frozen layers cannot be negative.")
  .max(MAX_FROZEN_LAYERS, `At most ${MAX_FROZEN_LAYERS} layers can be frozen; the new head must stay trainable.`);
const learningRate = z.number().positive("The learning rate must be greater than 0.").max(10, "A learning rate above 10 diverges; use a value like 0.001.");

export const baseSchema = z.string().regex(/^(vgg16-imagenet|random|run:[1-9]\d*)$/, "Pick ImageNet weights, random weights or an earlier run.");

export const commonParamsSchema = z.object({
  experimentId: z.number().int().positive("Pick an experiment."),
  datasetId: z.number().int().positive("Pick a dataset."),
  name: z.string().trim().max(120, "Keep the name under 120 characters.").optional(),
  base: baseSchema,
  optimizer: z.enum(["sgd", "adam"], "The optimizer is sgd or adam."),
  momentum: z.number().min(0, "Momentum is between 0 and 1.").lt(1, "Momentum is between 0 and 1 (exclusive)."),
  epochs: z.number().int("Epochs must be a whole number.").min(1, "Train at least 1 epoch.").max(1000, "At most 1000 epochs."),
  batchSize: z.number().int("Batch size must be a whole number.").min(1, "The batch size is at least 1.").max(1024, "The batch size is at most 1024."),
  patience: z.number().int("Patience must be a whole number.").min(0, "Patience cannot be negative.").max(1000, "Patience is at most 1000 epochs."),
  imageSize: z.number().int("The image size must be a whole number.").min(32, "VGG16 needs images of at least 32 pixels.").max(512, "Images larger than 512 pixels are not supported."),
  augment: z.boolean(),
  seed: z.number().int("The seed must be a whole number.").min(0, "The seed cannot be negative.").max(2 ** 31 - 1, "The seed must fit in 31 bits."),
  widthMultiplier: z.number().gt(0, "The width multiplier must be greater than 0.").max(1, "The width multiplier is at most 1 (full VGG16)."),
  validationSplit: z.number().gt(0, "Keep some images for validation (more than 0).").lt(1, "The validation split must be below 1."),
  head: z.enum(["fc2", "pooled"], "The head is fc2 (Keras' top) or pooled (global average pooling)."),
  dropout: z.number().min(0, "Dropout is between 0 and 1.").lt(1, "Dropout must be below 1."),
  keepCheckpoints: z
    .number()
    .int("Checkpoints kept must be a whole number.")
    .min(1, "Keep at least 1 checkpoint: the best.")
    .max(1000, "Keep at most 1000 checkpoints.")
    .default(2),
  /** Thaw's seeded per-class draw, or Keras' first fraction of each class (`--split keras`). */
  split: z.enum(["stratified", "keras"], "The validation split is stratified (a seeded draw) or keras (the first fraction of each class).").default("stratified"),
  /** Keras' file set, order and orientation (`--keras-compatible`). */
  kerasCompatible: z.boolean().default(false),
});

export const launchRunSchema = commonParamsSchema.extend({ frozenLayers: frozen, learningRate });

export const SAMPLER_NAMES = ["grid", "random", "tpe"] as const;
export const SCHEDULER_NAMES = ["none", "asha", "median"] as const;

const minEpochs = z.number().int("The minimum epochs must be a whole number.").min(1, "The minimum epochs are at least 1.");
export const schedulerInputSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("none") }),
  z.object({ kind: z.literal("asha"), minEpochs, reductionFactor: z.number().int("The reduction factor must be a whole number.").min(2, "The reduction factor is at least 2.") }),
  z.object({ kind: z.literal("median"), minEpochs, minRuns: z.number().int("The minimum runs must be a whole number.").min(1, "The minimum runs are at least 1.") }),
]);
export type SchedulerInput = z.infer<typeof schedulerInputSchema>;

export const sweepSchema = commonParamsSchema
  .extend({
    frozenLayersList: z.array(frozen).min(1, "Give at least one frozen-layer count.").max(50, "Give at most 50 frozen-layer counts."),
    learningRates: z.array(learningRate).max(50, "Give at most 50 learning rates."),
    /** grid: every cell; random and tpe: `budget` runs drawn from the lists or the range. */
    sampler: z.enum(SAMPLER_NAMES, "The sampler is grid, random or tpe.").default("grid"),
    /** random and tpe: a log-uniform learning-rate range instead of the list. */
    learningRateRange: z.object({ min: learningRate, max: learningRate }).refine((r) => r.max > r.min, "The range's upper bound must be above its lower bound.").optional(),
    budget: z.number().int("The run budget must be a whole number.").min(1, "The run budget is at least 1 run.").optional(),
    scheduler: schedulerInputSchema.default({ kind: "none" }),
  })
  .superRefine((input, ctx) => {
    if (input.learningRates.length === 0 && (input.sampler === "grid" || !input.learningRateRange)) {
      ctx.addIssue({ code: "custom", path: ["learningRates"], message: "Give at least one learning rate (or, with random or tpe, a range)." });
    }
  });

export type LaunchRunInput = z.infer<typeof launchRunSchema>;
export type SweepInput = z.infer<typeof sweepSchema>;
export type SweepFormInput = z.input<typeof sweepSchema>;

/** Values a fresh form starts with: a small, quick fine-tune of the last block. */
export const defaultParams = {
  base: "vgg16-imagenet",
  optimizer: "sgd",
  momentum: 0.9,
  epochs: 10,
  batchSize: 16,
  patience: 3,
  imageSize: 224,
  augment: false,
  seed: 42,
  widthMultiplier: 1,
  validationSplit: 0.2,
  head: "fc2",
  dropout: 0,
  keepCheckpoints: 2,
  split: "stratified",
  kerasCompatible: false,
  frozenLayers: 15,
  learningRate: 0.001,
} as const;

/** Distinct values of a list, in the order first seen. */
export function distinct(values: number[]): number[] {
  return [...new Set(values)];
}

/** Number of runs a sweep queues: the grid of distinct frozen counts x learning rates. */
export function sweepSize(frozenLayersList: number[], learningRates: number[]): number {
  return distinct(frozenLayersList).length * distinct(learningRates).length;
}

/** What a sweep will cost: runs, epochs at most, and under ASHA the epochs it expects to run. */
export interface SweepBudget {
  runs: number;
  maxEpochs: number;
  /** null when it depends on the curves (median rule) or nothing stops early. */
  expectedEpochs: number | null;
}

/**
 * ASHA's expected epochs: every run to the first rung, then about 1/eta of the runs on to each
 * next rung (at least one: the first run at a rung always continues), the last ones to the end.
 */
export function ashaExpectedEpochs(runs: number, epochs: number, minEpochs: number, reductionFactor: number): number {
  let total = 0;
  let reach = runs;
  let previous = 0;
  for (let rung = minEpochs; rung < epochs; rung *= reductionFactor) {
    total += reach * (rung - previous);
    previous = rung;
    reach = Math.max(1, Math.ceil(reach / reductionFactor));
  }
  return total + reach * (epochs - previous);
}

export function sweepBudget(input: Pick<SweepFormInput, "frozenLayersList" | "learningRates" | "sampler" | "budget" | "scheduler" | "epochs">): SweepBudget {
  const runs = (input.sampler ?? "grid") === "grid" ? sweepSize(input.frozenLayersList, input.learningRates) : (input.budget ?? DEFAULT_SWEEP_BUDGET);
  const scheduler = input.scheduler ?? { kind: "none" };
  return {
    runs,
    maxEpochs: runs * input.epochs,
    expectedEpochs: scheduler.kind === "asha" ? ashaExpectedEpochs(runs, input.epochs, scheduler.minEpochs, scheduler.reductionFactor) : null,
  };
}

export const DEFAULT_SWEEP_BUDGET = 20;
