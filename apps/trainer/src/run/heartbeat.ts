// Keeps a claimed run's heartbeat fresh and turns a stop requested from the dashboard (or
// `thaw stop`) into an abort, which fit honours at the next batch.
import type { TrackingStore } from "@thaw/tracking";

export interface Heartbeat {
  /** Beats once now (e.g. at an epoch end) and reports whether a stop was requested. */
  beat(): Promise<boolean>;
  stop(): void;
}

export function startHeartbeat(
  store: TrackingStore,
  runId: number,
  workerId: string,
  intervalMs: number,
  onStopRequested: () => void,
): Heartbeat {
  let inFlight: Promise<boolean> | null = null;
  const beat = (): Promise<boolean> => {
    inFlight ??= store
      .heartbeat(runId, workerId)
      .then(({ stopRequested }) => {
        if (stopRequested) onStopRequested();
        return stopRequested;
      })
      // A busy database must not kill the run; the next beat tries again.
      .catch(() => false)
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
  const timer = setInterval(() => void beat(), intervalMs);
  timer.unref();
  return { beat, stop: () => clearInterval(timer) };
}
