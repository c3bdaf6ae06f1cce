"use client";
// The chain a run sits in: the checkpoint it started from (pinned when it was queued) and
// the runs queued from this run's checkpoints.
import Link from "next/link";
import type { RouterOutputs } from "../../../trpc/types.ts";

type Run = RouterOutputs["runs"]["get"];

export function Lineage({ run }: { run: Run }) {
  if (!run.baseRun && run.derivedRuns.length === 0) return null;
  return (
    <div className="panel" data-testid="lineage">
      <h2>Lineage</h2>
      {run.baseRun && (
        <p>
          Started from <Link href={`/run/${run.baseRun.id}`}>run #{run.baseRun.id}</Link>
          {run.baseCheckpointId !== null ? (
            <>
              {" "}
              checkpoint #{run.baseCheckpointId} <span className="mono muted">sha256 {(run.baseCheckpointSha256 ?? "?").slice(0, 12)}</span>
            </>
          ) : (
            " (its best checkpoint when this run started)"
          )}
          .
        </p>
      )}
      {run.derivedRuns.length > 0 && (
        <table className="data">
          <thead>
            <tr>
              <th>Derived run</th>
              <th>Status</th>
              <th>From checkpoint</th>
            </tr>
          </thead>
          <tbody>
            {run.derivedRuns.map((d) => (
              <tr key={d.id}>
                <td>
                  <Link href={`/run/${d.id}`}>#{d.id}</Link> {d.name}
                </td>
                <td>{d.status}</td>
                <td>{d.baseCheckpointId !== null ? `#${d.baseCheckpointId}` : "best at start"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
