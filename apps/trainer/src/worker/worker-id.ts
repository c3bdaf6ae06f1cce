// A worker id names the process that executes a run: "<host>:<pid>". A later worker on the
// same host can then tell at once that the process is gone, without waiting for a timeout.
import os from "node:os";

export function workerIdOf(pid: number = process.pid): string {
  return `${os.hostname()}:${pid}`;
}

/** True when the id names a process on this host that no longer exists. */
export function isDeadLocalWorker(workerId: string | null): boolean {
  if (!workerId) return false;
  const match = /^(.*):(\d+)$/.exec(workerId);
  if (!match || match[1] !== os.hostname()) return false;
  try {
    process.kill(Number(match[2]), 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
