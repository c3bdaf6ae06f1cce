// The dashboard's door to the planner: the launch form's values become a plan, or a
// refusal shown beside the form field it is about, in the CLI's words.
import "server-only";
import { planRun, PlanRefusal, type PlanField, type RunPlan } from "@thaw/planner";
import { artifactPath } from "@thaw/tracking";
import type { LaunchRunInput } from "../shared/run-params.ts";
import { refuseField } from "./api/errors.ts";
import type { Context } from "./api/trpc.ts";

type Common = Omit<LaunchRunInput, "frozenLayers" | "learningRate">;

/** The form field a planner refusal belongs to (a sweep lists its frozen counts in one field). */
function formField(field: PlanField, sweep: boolean): string {
  if (field === "data") return "datasetId";
  if (field === "frozenLayers" && sweep) return "frozenLayersList";
  return field;
}

export async function planLaunch(ctx: Context, input: Common, frozenLayers: number[], learningRates: number[], sweep: boolean): Promise<RunPlan> {
  const dataset = await ctx.store.getDataset(input.datasetId);
  try {
    return await planRun(ctx.store, {
      data: artifactPath(dataset.path),
      base: input.base,
      head: input.head,
      widthMultiplier: input.widthMultiplier,
      imageSize: input.imageSize,
      dropout: input.dropout,
      kerasCompatible: input.kerasCompatible,
      batchSize: input.batchSize,
      frozenLayers,
      learningRates,
      // The server never downloads: ImageNet is offered only when Keras' file is on disk.
      weights: ctx.config.weightSearch,
    });
  } catch (error) {
    if (error instanceof PlanRefusal) throw refuseField(formField(error.field, sweep), error.message);
    throw error;
  }
}
