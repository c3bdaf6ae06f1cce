// The API: one router per domain.
import { datasetsRouter } from "./routers/datasets.ts";
import { experimentsRouter } from "./routers/experiments.ts";
import { launchRouter } from "./routers/launch.ts";
import { modelsRouter } from "./routers/models.ts";
import { runsRouter } from "./routers/runs.ts";
import { sweepsRouter } from "./routers/sweeps.ts";
import { createCallerFactory, createTRPCRouter } from "./trpc.ts";

export const appRouter = createTRPCRouter({
  experiments: experimentsRouter,
  datasets: datasetsRouter,
  launch: launchRouter,
  runs: runsRouter,
  models: modelsRouter,
  sweeps: sweepsRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
