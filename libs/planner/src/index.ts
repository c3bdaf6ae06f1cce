// @thaw/planner: whether a run can run, decided once for the CLI and the dashboard. Apps call
// planRun before they queue anything and show a PlanRefusal beside the field it names.
export { planRun } from "./lib/plan-run.ts";
export type { PlanInput, RunPlan } from "./lib/plan-run.ts";
export { baseString } from "./lib/base.ts";
export type { PlannedBase } from "./lib/base.ts";
export type { DatasetScan } from "./lib/dataset.ts";
export { PlanRefusal } from "./lib/errors.ts";
export type { PlanField } from "./lib/errors.ts";
