// Sweeps as the dashboard shows them: sampler, budget, early-stopping rule, and what early
// stopping saved (epochs run against the epochs the budget would take without it).
import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "../trpc.ts";

export const sweepsRouter = createTRPCRouter({
  list: publicProcedure.input(z.object({ experimentId: z.number().int().positive().optional() })).query(({ ctx, input }) => ctx.store.listSweeps(input.experimentId)),
  get: publicProcedure.input(z.object({ id: z.string().min(1, "Give a sweep id.") })).query(({ ctx, input }) => ctx.store.getSweep(input.id)),
});
