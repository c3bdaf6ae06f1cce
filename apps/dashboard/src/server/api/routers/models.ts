// The model registry view: each experiment's champion, its history, and promotion (of a
// chosen checkpoint, or of the experiment's best one after showing what would change).
import { z } from "zod";
import type { Checkpoint, Run, TrackingStore } from "@thaw/tracking";
import { createTRPCRouter, publicProcedure, TRPCError } from "../trpc.ts";

const id = z.number().int().positive();
const reason = z.string().trim().max(500, "Keep the reason under 500 characters.").optional();

const COMPARED = ["frozenLayers", "learningRate", "optimizer", "momentum", "batchSize", "epochs", "imageSize", "base", "augment", "seed"] as const;

/** The checkpoint of the experiment's run with the best validation accuracy. */
async function bestOfExperiment(store: TrackingStore, experimentId: number): Promise<{ checkpoint: Checkpoint; run: Run } | null> {
  const page = await store.listRuns({ experimentId, sort: { key: "bestValAccuracy", direction: "desc" }, limit: 10 });
  for (const run of page.items) {
    if (run.bestValAccuracy === null) continue;
    const checkpoint = await store.bestCheckpoint(run.id);
    if (checkpoint) return { checkpoint, run };
  }
  return null;
}

function summary(entry: { checkpoint: Checkpoint; run: Run } | null) {
  if (!entry) return null;
  const { checkpoint, run } = entry;
  return {
    checkpointId: checkpoint.id,
    runId: run.id,
    runName: run.name,
    epoch: checkpoint.epoch,
    metrics: checkpoint.metrics as Record<string, number>,
    bestValAccuracy: run.bestValAccuracy,
    params: Object.fromEntries(COMPARED.map((k) => [k, run[k]])) as Record<(typeof COMPARED)[number], string | number | boolean>,
  };
}

export const modelsRouter = createTRPCRouter({
  /** Per experiment: its champion (with the run behind it) and its promotion history. */
  overview: publicProcedure.query(async ({ ctx }) => {
    const experiments = await ctx.store.listExperiments();
    return Promise.all(
      experiments.map(async (experiment) => {
        const [alias, history] = await Promise.all([ctx.store.getAlias(experiment.id), ctx.store.aliasHistory(experiment.id)]);
        return {
          experiment: { id: experiment.id, name: experiment.name, runCount: experiment.runCount, diskBytes: experiment.diskBytes },
          champion: alias ? summary(alias) : null,
          championSince: alias?.updatedAt ?? null,
          history,
        };
      }),
    );
  }),

  /** What "promote the best checkpoint" would do, before doing it. */
  preview: publicProcedure.input(z.object({ experimentId: id })).query(async ({ ctx, input }) => {
    await ctx.store.getExperiment(input.experimentId);
    const [alias, best] = await Promise.all([ctx.store.getAlias(input.experimentId), bestOfExperiment(ctx.store, input.experimentId)]);
    const current = alias ? summary(alias) : null;
    const candidate = summary(best);
    const changes =
      current && candidate
        ? COMPARED.filter((k) => current.params[k] !== candidate.params[k]).map((k) => ({ param: k, from: current.params[k], to: candidate.params[k] }))
        : [];
    return { current, candidate, changes, alreadyChampion: !!current && current.checkpointId === candidate?.checkpointId };
  }),

  /** A checkpoint against the current champion on the same test images, before promoting it. */
  testPreview: publicProcedure.input(z.object({ checkpointId: id })).query(({ ctx, input }) => ctx.store.promotionPreview(input.checkpointId)),

  promote: publicProcedure
    .input(z.object({ checkpointId: id, experimentId: id.optional(), reason }))
    .mutation(({ ctx, input }) => ctx.store.promote({ ...input, by: "dashboard" })),

  promoteBest: publicProcedure.input(z.object({ experimentId: id, reason })).mutation(async ({ ctx, input }) => {
    await ctx.store.getExperiment(input.experimentId);
    const best = await bestOfExperiment(ctx.store, input.experimentId);
    if (!best) {
      throw new TRPCError({ code: "NOT_FOUND", message: "This experiment has no checkpoint yet; wait for a run to finish an epoch." });
    }
    // The written-in reason says why it was chosen; it must not stand in for the reason a
    // checkpoint worse on the test set needs.
    const { worse } = await ctx.store.promotionPreview(best.checkpoint.id);
    const fallback = worse ? undefined : `best validation accuracy (${((best.run.bestValAccuracy ?? 0) * 100).toFixed(1)}%, run ${best.run.id})`;
    return ctx.store.promote({ checkpointId: best.checkpoint.id, experimentId: input.experimentId, by: "dashboard", reason: input.reason ?? fallback });
  }),
});
