// Reading runs (the paged table, one run, a comparison) and stopping them.
import { z } from "zod";
import { parseRunProgress, runImportance, type RunInfo, type RunStatus, type TestEvaluation } from "@thaw/tracking";
import { bestRunId, compareRun, gridOf } from "../../compare.ts";
import { toTrpcError } from "../errors.ts";
import { createTRPCRouter, publicProcedure } from "../trpc.ts";

const STATUSES = ["QUEUED", "RUNNING", "FINISHED", "FAILED", "STOPPED"] as const;
/** The store compares at most 50 runs per call; the page allows 100. */
const COMPARE_CHUNK = 50;
const runId = z.number().int().positive("Run ids are positive whole numbers.");

const range = (label: string) =>
  z
    .object({ min: z.number().finite().optional(), max: z.number().finite().optional() })
    .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, `The smallest ${label} must not exceed the largest.`)
    .optional();

const listInput = z.object({
  experimentId: z.number().int().positive().optional(),
  status: z.array(z.enum(STATUSES)).optional(),
  sweepId: z.string().min(1).max(100).optional(),
  frozenLayers: range("frozen-layer count"),
  learningRate: range("learning rate"),
  sort: z
    .object({ key: z.enum(["createdAt", "bestValAccuracy", "learningRate", "frozenLayers", "epochsDone"]), direction: z.enum(["asc", "desc"]) })
    .default({ key: "createdAt", direction: "desc" }),
  cursor: z.number().int().positive().nullish(),
  limit: z.number().int().min(1).max(200).default(50),
});

/** Remaining time from the mean epoch duration so far; null when not running or unknown. */
function etaMs(status: string, epochs: number, durations: number[]): number | null {
  if (status !== "RUNNING" || durations.length === 0) return null;
  const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
  return Math.max(0, Math.round(mean * (epochs - durations.length)));
}

/** The worker's in-epoch progress; only a RUNNING run has one (ending a run clears it). */
function progressOf(run: { status: RunStatus; progress: unknown }) {
  return run.status === "RUNNING" ? parseRunProgress(run.progress) : null;
}

export const runsRouter = createTRPCRouter({
  list: publicProcedure.input(listInput).query(async ({ ctx, input }) => {
    const page = await ctx.store.listRuns(input);
    return { ...page, items: page.items.map((run) => ({ ...run, progress: progressOf(run) })) };
  }),

  get: publicProcedure.input(z.object({ id: runId })).query(async ({ ctx, input }) => {
    const run = await ctx.store.getRun(input.id);
    const champion = await ctx.store.getAlias(run.experimentId);
    return {
      ...run,
      skipReport: (run.skipReport ?? []) as NonNullable<RunInfo["skipReport"]>,
      evaluation: (run.evaluation ?? null) as RunInfo["evaluation"] | null,
      testEvaluation: (run.testEvaluation ?? null) as TestEvaluation | null,
      etaMs: etaMs(run.status, run.epochs, run.metrics.map((m) => m.durationMs)),
      progress: progressOf(run),
      championCheckpointId: champion?.checkpoint.id ?? null,
    };
  }),

  compare: publicProcedure
    .input(z.object({ ids: z.array(runId).min(1, "Pick at least one run to compare.").max(100, "Compare at most 100 runs at once.") }))
    .query(async ({ ctx, input }) => {
      const ids = [...new Set(input.ids)];
      const chunks = Array.from({ length: Math.ceil(ids.length / COMPARE_CHUNK) }, (_, i) => ids.slice(i * COMPARE_CHUNK, (i + 1) * COMPARE_CHUNK));
      const details = (await Promise.all(chunks.map((chunk) => ctx.store.compareRuns(chunk)))).flat();
      const runs = details.map(compareRun);
      return { runs, grid: gridOf(runs), bestRunId: bestRunId(runs), importance: runImportance(details) };
    }),

  /** Queued runs stop at once; running ones at their worker's next batch. */
  stop: publicProcedure.input(z.object({ id: runId })).mutation(async ({ ctx, input }) => {
    const run = await ctx.store.requestStop(input.id);
    return { id: run.id, status: run.status, stopRequested: run.stopRequested };
  }),

  stopMany: publicProcedure
    .input(z.object({ ids: z.array(runId).min(1, "Pick at least one run to stop.").max(1000) }))
    .mutation(async ({ ctx, input }) => {
      const stopped: number[] = [];
      const skipped: { id: number; reason: string }[] = [];
      for (const id of new Set(input.ids)) {
        try {
          await ctx.store.requestStop(id);
          stopped.push(id);
        } catch (error) {
          // One finished or unknown run in the selection must not keep the others running;
          // anything but a store's answer is a real failure.
          const answer = toTrpcError(error);
          if (!answer) throw error;
          skipped.push({ id, reason: answer.message });
        }
      }
      return { stopped, skipped };
    }),
});
