// Queueing work for the worker: one run or a sweep, the choices the form offers, and the
// parameters of an existing run for "clone".
import { z } from "zod";
import type { EnqueueRunInput, Run } from "@thaw/tracking";
import { launchRunSchema, sweepSchema, sweepSize, distinct, type LaunchRunInput } from "../../../shared/run-params.ts";
import { baseOptions } from "../../bases.ts";
import { createTRPCRouter, publicProcedure, TRPCError, type Context } from "../trpc.ts";

type Common = Omit<LaunchRunInput, "frozenLayers" | "learningRate">;

/** The store's input for the common part of a run, after checking the base run exists. */
async function toEnqueue(ctx: Context, input: Common): Promise<Omit<EnqueueRunInput, "frozenLayers" | "learningRate">> {
  const { widthMultiplier, validationSplit, head, dropout, name, split, kerasCompatible, ...rest } = input;
  let baseRunId: number | null = null;
  if (input.base.startsWith("run:")) {
    baseRunId = Number(input.base.slice(4));
    const checkpoint = await ctx.store.bestCheckpoint(baseRunId);
    if (!checkpoint) {
      throw new TRPCError({ code: "BAD_REQUEST", message: `Run ${baseRunId} has no checkpoint to start from; pick another base.` });
    }
  }
  await ctx.store.getDataset(input.datasetId);
  // Stored as the CLI stores them: only when they differ from Thaw's defaults.
  const dataChoices = { ...(split === "keras" && { split }), ...(kerasCompatible && { kerasCompatible: true }) };
  return { ...rest, name: name || null, baseRunId, extra: { head, widthMultiplier, validationSplit, dropout, ...dataChoices } };
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
      datasets: datasets.map((d) => ({ id: d.id, name: d.name, path: d.path, imageCount: d.imageCount, classNames: d.classNames as string[] | null })),
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
    const common = await toEnqueue(ctx, input);
    const run = await ctx.store.enqueueRun({ ...common, frozenLayers: input.frozenLayers, learningRate: input.learningRate });
    return { runId: run.id };
  }),

  sweep: publicProcedure.input(sweepSchema).mutation(async ({ ctx, input }) => {
    const size = sweepSize(input.frozenLayersList, input.learningRates);
    if (size > ctx.config.sweepLimit) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `This sweep would queue ${size} runs, more than the limit of ${ctx.config.sweepLimit}; use fewer frozen-layer counts or learning rates.`,
      });
    }
    const { frozenLayersList, learningRates, ...rest } = input;
    const common = await toEnqueue(ctx, rest);
    const result = await ctx.store.enqueueSweep({
      ...common,
      frozenLayers: distinct(frozenLayersList),
      learningRates: distinct(learningRates),
    });
    return { sweepId: result.sweepId, runIds: result.runs.map((r) => r.id) };
  }),
});
