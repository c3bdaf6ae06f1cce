// Queueing work for the worker: one run or a sweep (each planned first, as the CLI plans its
// own), the choices the form offers, and the parameters of an existing run for "clone".
import { z } from "zod";
import type { RunPlan } from "@thaw/planner";
import { artifactPath, type EnqueueRunInput, type Run, type SearchSpace } from "@thaw/tracking";
import { launchRunSchema, sweepSchema, sweepBudget, distinct, type LaunchRunInput, type SweepInput } from "../../../shared/run-params.ts";
import { baseOptions } from "../../bases.ts";
import { planLaunch } from "../../launch-plan.ts";
import { createTRPCRouter, publicProcedure, TRPCError } from "../trpc.ts";

type Common = Omit<LaunchRunInput, "frozenLayers" | "learningRate">;

/** The store's input for the common part of a run, from the form and the plan (base pinned). */
function toEnqueue(input: Common, plan: RunPlan): Omit<EnqueueRunInput, "frozenLayers" | "learningRate"> {
  const { widthMultiplier, validationSplit, head, dropout, keepCheckpoints, name, split, kerasCompatible, ...rest } = input;
  // Stored as the CLI stores them: only when they differ from Thaw's defaults.
  const dataChoices = { ...(split === "keras" && { split }), ...(kerasCompatible && { kerasCompatible: true }) };
  return {
    ...rest,
    base: plan.baseString,
    name: name || null,
    baseRunId: plan.baseRunId,
    baseCheckpointId: plan.baseCheckpointId,
    baseCheckpointSha256: plan.baseCheckpointSha256,
    extra: { head: plan.head, widthMultiplier: plan.widthMultiplier, validationSplit, dropout, keepCheckpoints, ...dataChoices },
  };
}

function templateOf(run: Run): LaunchRunInput {
  const extra = (run.params ?? {}) as Record<string, unknown>;
  const num = (v: unknown, fallback: number) => (typeof v === "number" && Number.isFinite(v) ? v : fallback);
  return {
    experimentId: run.experimentId,
    datasetId: run.datasetId ?? 0,
    name: run.name ? `${run.name} (clone)` : undefined,
    base: run.baseRunId ? `run:${run.baseRunId}` : run.base,
    optimizer: run.optimizer === "adam" ? "adam" : "sgd",
    momentum: run.momentum,
    epochs: run.epochs,
    batchSize: run.batchSize,
    patience: run.patience,
    imageSize: run.imageSize,
    augment: run.augment,
    seed: run.seed,
    widthMultiplier: num(extra.widthMultiplier, 1),
    validationSplit: num(extra.validationSplit, 0.2),
    head: extra.head === "pooled" ? "pooled" : "fc2",
    dropout: num(extra.dropout, 0),
    keepCheckpoints: num(extra.keepCheckpoints, 2),
    split: extra.split === "keras" ? "keras" : "stratified",
    kerasCompatible: extra.kerasCompatible === true,
    frozenLayers: run.frozenLayers,
    learningRate: run.learningRate,
  };
}

export const launchRouter = createTRPCRouter({
  /** Everything the launch form offers: experiments, datasets, bases, VGG16's layers, limits. */
  options: publicProcedure.query(async ({ ctx }) => {
    // Loaded lazily: @thaw/vgg brings TF.js, which only this form needs.
    const [experiments, datasets, bases, { VGG16_LAYER_TABLE }] = await Promise.all([
      ctx.store.listExperiments(),
      ctx.store.listDatasets(),
      baseOptions(ctx.store, ctx.config.weightSearch),
      import("@thaw/vgg"),
    ]);
    return {
      experiments: experiments.map((e) => ({ id: e.id, name: e.name })),
      datasets: datasets.map((d) => ({ id: d.id, name: d.name, path: artifactPath(d.path), imageCount: d.imageCount, classNames: d.classNames as string[] | null })),
      bases,
      layers: VGG16_LAYER_TABLE.map((l) => ({ index: l.index, name: l.name, block: l.block, kind: l.kind })),
      sweepLimit: ctx.config.sweepLimit,
    };
  }),

  /** The parameters of an existing run, ready to fill the form ("clone"). */
  template: publicProcedure.input(z.object({ runId: z.number().int().positive() })).query(async ({ ctx, input }) => {
    return templateOf(await ctx.store.getRun(input.runId));
  }),

  run: publicProcedure.input(launchRunSchema).mutation(async ({ ctx, input }) => {
    const plan = await planLaunch(ctx, input, [input.frozenLayers], [input.learningRate], false);
    const run = await ctx.store.enqueueRun({ ...toEnqueue(input, plan), frozenLayers: input.frozenLayers, learningRate: input.learningRate });
    return { runId: run.id };
  }),

  sweep: publicProcedure.input(sweepSchema).mutation(async ({ ctx, input }) => {
    const { runs: size } = sweepBudget(input);
    if (size > ctx.config.sweepLimit) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `This sweep would queue ${size} runs, more than the limit of ${ctx.config.sweepLimit}; ${input.sampler === "grid" ? "use fewer frozen-layer counts or learning rates" : "lower the run budget"}.`,
      });
    }
    const { frozenLayersList, learningRates, sampler, learningRateRange, budget, scheduler, ...rest } = input;
    const space = spaceOf(input);
    // Refused whole when any frozen count cannot run: a sweep is queued entire or not at all.
    const rates = space.learningRate.kind === "set" ? (space.learningRate.values as number[]) : [space.learningRate.min, space.learningRate.max];
    const plan = await planLaunch(ctx, rest, distinct(frozenLayersList), rates, true);
    const { sweep, runs } = await ctx.store.createSweep({ ...toEnqueue(rest, plan), space, sampler, budget: sampler === "grid" ? undefined : size, scheduler });
    return { sweepId: sweep.id, runIds: runs.map((r) => r.id) };
  }),
});

/** The store's search space: the lists as sets, or the learning-rate range on a log scale. */
function spaceOf(input: SweepInput): SearchSpace {
  const useRange = input.sampler !== "grid" && input.learningRateRange;
  return {
    frozenLayers: { kind: "set", values: distinct(input.frozenLayersList) },
    learningRate: useRange ? { kind: "range", min: useRange.min, max: useRange.max, scale: "log" } : { kind: "set", values: distinct(input.learningRates) },
  };
}
