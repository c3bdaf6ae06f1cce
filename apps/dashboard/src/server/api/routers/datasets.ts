// Datasets: folders of class sub-folders on the server, registered by path so runs can
// name them. The path must lie inside the configured data roots.
import { artifactPath } from "@thaw/tracking";
import { z } from "zod";
import { resolveDatasetFolder } from "../../data-roots.ts";
import { describeFolder } from "../../dataset-scan.ts";
import { createTRPCRouter, publicProcedure, TRPCError } from "../trpc.ts";

/** Every dataset's test draw uses this seed (as `thaw train --test-split`): the dataset's, never a run's. */
const TEST_SEED = 0;

export const datasetsRouter = createTRPCRouter({
  list: publicProcedure.query(async ({ ctx }) => {
    const datasets = await ctx.store.listDatasets();
    // The folder on this server, whether the row holds a file:// URI or an older plain path.
    return datasets.map((d) => ({ ...d, path: artifactPath(d.path), classNames: (d.classNames ?? null) as string[] | null }));
  }),

  roots: publicProcedure.query(({ ctx }) => ctx.config.dataRoots),

  register: publicProcedure
    .input(
      z.object({
        name: z.string().trim().min(1, "Give the dataset a name.").max(80, "Keep the name under 80 characters.").regex(/^[\w.\- ]+$/, "Use letters, digits, spaces, dots, dashes and underscores."),
        path: z.string().trim().min(1, "Give the folder's path on the server.").max(4096),
        testSplit: z.number().min(0, "The test split is a fraction from 0 up to 1.").lt(1, "The test split must be below 1, e.g. 0.2.").optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const folder = resolveDatasetFolder(input.path, ctx.config.dataRoots);
      const testSplit = input.testSplit ?? 0;
      const facts = await describeFolder(folder, testSplit);
      if (testSplit > 0) {
        const existing = (await ctx.store.listDatasets()).find((d) => d.name === input.name);
        if (existing && existing.testSplit > 0 && existing.testSplit !== testSplit) {
          throw new TRPCError({
            code: "BAD_REQUEST",
            message: `Dataset "${input.name}" already holds out ${existing.testSplit} of each class as its test set, so that every run is tested on the same images; keep ${existing.testSplit} or leave the test split empty.`,
          });
        }
      }
      const split = testSplit > 0 ? { testSplit, testSeed: TEST_SEED } : {};
      const dataset = await ctx.store.registerDataset({ name: input.name, path: folder, ...facts, ...split });
      return { ...dataset, path: artifactPath(dataset.path), classNames: facts.classNames };
    }),
});
