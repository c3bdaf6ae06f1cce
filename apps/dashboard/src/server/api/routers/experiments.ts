// Experiments: the groups runs belong to, each with its own champion.
import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "../trpc.ts";

export const experimentsRouter = createTRPCRouter({
  list: publicProcedure.query(({ ctx }) => ctx.store.listExperiments()),

  create: publicProcedure
    .input(
      z.object({
        name: z.string().trim().min(1, "Give the experiment a name.").max(80, "Keep the name under 80 characters."),
        description: z.string().trim().max(500, "Keep the description under 500 characters.").optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const existing = (await ctx.store.listExperiments()).find((e) => e.name === input.name);
      if (existing) return existing;
      return ctx.store.createExperiment(input);
    }),
});
