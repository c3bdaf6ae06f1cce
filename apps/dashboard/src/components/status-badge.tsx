// A run's status; RUNNING gets a pulsing dot so live runs stand out in a long table.
export function StatusBadge({ status, stopRequested }: { status: string; stopRequested?: boolean }) {
  return (
    <span className={`badge badge-${status.toLowerCase()}`} data-status={status}>
      {status === "RUNNING" && <span className="pulse" aria-hidden />}
      {status === "RUNNING" && stopRequested ? "STOPPING" : status}
    </span>
  );
}
