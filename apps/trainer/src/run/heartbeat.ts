// Keeps a claimed run's heartbeat fresh and turns a stop requested from the dashboard (or
// `thaw stop`) into an abort, which fit honours at the next batch.
import type { TrackingStore } from "@thaw/tracking";

export interface Heartbeat {
  /** Beats once now (e.g. at an epoch end) and reports whether a stop was requested. */
  beat(): Promise<boolean>;
  stop(): void;
  /** True once the store says this worker no longer owns the run (it was reaped meanwhile). */
  readonly lost: boolean;
}

export function startHeartbeat(
  store: TrackingStore,
  runId: number,
  workerId: string,
  intervalMs: number,
  onStopRequested: () => void,
): Heartbeat {
  let inFlight: Promise<boolean> | null = null;
  let lost = false;
  const beat = (): Promise<boolean> => {
    inFlight ??= store
      .heartbeat(runId, workerId)
      .then(({ stopRequested }) => {
        if (stopRequested) onStopRequested();
        return stopRequested;
      })
      .catch((error: unknown) => {
        // Someone marked the run lost: stop working on it. Any other error (a busy
        // database) must not kill the run; the next beat tries again.
        if ((error as { code?: unknown }).code === "CONFLICT") {
          lost = true;
          onStopRequested();
        }
        return false;
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
  const timer = setInterval(() => void beat(), intervalMs);
  timer.unref();
  return {
    beat,
    stop: () => clearInterval(timer),
    get lost() {
      return lost;
    },
  };
}
