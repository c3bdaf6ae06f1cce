// Validation of a new sweep: the shared run parameters, the space, the sampler, the budget and
// the early-stopping rule. Kept beside the sweep code so validation.ts stays about runs.
import { z } from "zod";
import { MAX_SWEEP_RUNS, runMetaShape, runParamsShape } from "../validation.ts";
import { SAMPLERS } from "./samplers.ts";
import { schedulerSchema } from "./scheduler.ts";
import { searchSpaceSchema } from "./search-space.ts";

export const createSweepSchema = z
  .object({
    ...runParamsShape,
    ...runMetaShape,
    space: searchSpaceSchema,
    sampler: z.enum(SAMPLERS),
    budget: z.number().int().min(1).max(MAX_SWEEP_RUNS).optional(),
    parallelism: z.number().int().min(1).max(MAX_SWEEP_RUNS).optional(),
    scheduler: schedulerSchema.default({ kind: "none" }),
    tpeStartup: z.number().int().min(1).max(MAX_SWEEP_RUNS).optional(),
  })
  .omit({ frozenLayers: true, learningRate: true });
