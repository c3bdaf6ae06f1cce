// Enqueue + claim + execute in this process: how `thaw train` and the demo's pretraining run,
// so they are recorded exactly as a run the worker executes.
import type { TrackingStore } from "@thaw/tracking";
import { workerIdOf } from "../worker/worker-id.ts";
import { enqueueOne, type RunSettings } from "./enqueue.ts";
import { executeRun, type RunOutcome } from "./execute-run.ts";
import type { RunPlan } from "@thaw/planner";

export async function trainNow(
  store: TrackingStore,
  settings: RunSettings,
  plan: RunPlan,
  frozen: number,
  lr: number,
  announce: (runId: number) => void,
): Promise<{ runId: number; outcome: RunOutcome }> {
  const queued = await enqueueOne(store, settings, plan, frozen, lr);
  const workerId = workerIdOf();
  const run = await store.claimRun(queued.id, workerId);
  announce(run.id);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    return { runId: run.id, outcome: await executeRun(store, run, { workerId, signal: controller.signal }) };
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}
