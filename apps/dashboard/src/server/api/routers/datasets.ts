// Datasets: folders of class sub-folders on the server, registered by path so runs can
// name them. The path must lie inside the configured data roots.
import { z } from "zod";
import { resolveDatasetFolder } from "../../data-roots.ts";
import { describeFolder } from "../../dataset-scan.ts";
import { createTRPCRouter, publicProcedure } from "../trpc.ts";

export const datasetsRouter = createTRPCRouter({
  list: publicProcedure.query(async ({ ctx }) => {
    const datasets = await ctx.store.listDatasets();
    return datasets.map((d) => ({ ...d, classNames: (d.classNames ?? null) as string[] | null }));
  }),

  roots: publicProcedure.query(({ ctx }) => ctx.config.dataRoots),

  register: publicProcedure
    .input(
      z.object({
        name: z.string().trim().min(1, "Give the dataset a name.").max(80, "Keep the name under 80 characters.").regex(/^[\w.\- ]+$/, "Use letters, digits, spaces, dots, dashes and underscores."),
        path: z.string().trim().min(1, "Give the folder's path on the server.").max(4096),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const folder = resolveDatasetFolder(input.path, ctx.config.dataRoots);
      const facts = await describeFolder(folder);
      const dataset = await ctx.store.registerDataset({ name: input.name, path: folder, ...facts });
      return { ...dataset, classNames: facts.classNames };
    }),
});
