// One child of `thaw worker`: claims the oldest queued run under its own process id and
// executes it. A stop message, SIGINT or SIGTERM ends it at the next batch (STOPPED); losing
// the parent ends it at once, and the next worker start marks its run FAILED ("worker lost").
import { withStore } from "../store.ts";
import { workerIdOf } from "./worker-id.ts";

/** Hidden sub-command the worker forks: `thaw __run-next`. */
export const CHILD_COMMAND = "__run-next";
/** Exit code of a child that found nothing queued (another worker was faster). */
export const NOTHING_CLAIMED_EXIT = 3;

export type ChildMessage = { type: "claimed"; runId: number };

export async function runChild(): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on("message", (message: { type?: string }) => {
    if (message?.type === "stop") stop();
  });
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  process.on("disconnect", () => process.exit(1));
  // The IPC channel alone must not keep this process alive once its run has ended.
  process.channel?.unref();
  return withStore(async (store) => {
    const workerId = workerIdOf();
    // Told to stop before claiming: leave the queue as it is.
    if (controller.signal.aborted) return NOTHING_CLAIMED_EXIT;
    const run = await store.claimNextRun(workerId);
    if (!run) return NOTHING_CLAIMED_EXIT;
    const message: ChildMessage = { type: "claimed", runId: run.id };
    process.send?.(message);
    const { executeRun } = await import("../run/execute-run.ts");
    await executeRun(store, run, {
      workerId,
      signal: controller.signal,
      logPrefix: `[run ${run.id}] `,
      // Several children share the terminal: one line per epoch, never a redrawn bar.
      tty: false,
    });
    return 0;
  });
}
