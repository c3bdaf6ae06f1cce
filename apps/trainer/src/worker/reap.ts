// Runs whose worker died are marked FAILED ("worker lost") by whoever notices, never left
// RUNNING: silent for longer than the heartbeat timeout, or owned by a process on this host
// that no longer exists.
import { MAX_PAGE_SIZE, type Run, type TrackingStore } from "@thaw/tracking";
import { isDeadLocalWorker } from "./worker-id.ts";

export const WORKER_LOST = "worker lost";

export async function reapLostRuns(store: TrackingStore, timeoutMs: number): Promise<Run[]> {
  const reaped = await store.reapStaleRuns(timeoutMs);
  const running = await store.listRuns({ status: ["RUNNING"], limit: MAX_PAGE_SIZE });
  for (const run of running.items) {
    if (!isDeadLocalWorker(run.workerId)) continue;
    reaped.push(
      await store.failRun(run.id, {
        message: WORKER_LOST,
        stack: `The process ${run.workerId} that ran this run no longer exists; it was found by a worker starting at ${new Date().toISOString()}.`,
      }),
    );
  }
  return reaped;
}
