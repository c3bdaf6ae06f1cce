"use client";
// A sweep at a glance above its runs: sampler, budget, early-stopping rule, and what early
// stopping saved (epochs run against the epochs the budget takes when every run goes the
// distance). Sweeps queued before sweeps had records show their runs only.
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import Link from "next/link";
import { pct } from "../../components/format.ts";
import { useTRPC } from "../../trpc/react.tsx";
import type { RouterOutputs } from "../../trpc/types.ts";

type Sweep = RouterOutputs["sweeps"]["get"];

function rule(s: Sweep["scheduler"]): string {
  if (s.kind === "asha") return `ASHA (rungs from epoch ${s.minEpochs}, reduction factor ${s.reductionFactor})`;
  if (s.kind === "median") return `median rule (from epoch ${s.minEpochs}, ${s.minRuns} runs)`;
  return "no early stopping";
}

export function SweepSummary({ sweepId, onClear, live }: { sweepId: string; onClear: () => void; live: boolean }) {
  const trpc = useTRPC();
  const sweep = useQuery({ ...trpc.sweeps.get.queryOptions({ id: sweepId }), retry: false, refetchInterval: live ? 3000 : false });
  const { refetch } = sweep;
  // Polling stops when the last run ends: read the final figures once more.
  useEffect(() => {
    if (!live) void refetch();
  }, [live, refetch]);
  const s = sweep.data;
  const saved = s && s.epochsFullBudget > 0 ? 1 - s.epochsRun / s.epochsFullBudget : 0;
  return (
    <div className="notice" data-testid="sweep-summary">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <span>
          Showing the runs of sweep <span className="mono">{sweepId}</span>
          {s && (
            <>
              {" "}
              · {s.sampler}, {s.runs}/{s.budget} runs started · {rule(s.scheduler)}
            </>
          )}
        </span>
        <button onClick={onClear}>Show all runs</button>
      </div>
      {s && (
        <div style={{ marginTop: 8 }}>
          <div className="row" style={{ justifyContent: "space-between" }}>
            <span data-testid="epochs-saved">
              {s.epochsRun} of {s.epochsFullBudget} epochs run ({pct(s.epochsFullBudget ? s.epochsRun / s.epochsFullBudget : 0)}); early stopping saved {pct(saved)} ·{" "}
              <strong>{s.pruned}</strong> pruned, {s.finished} finished, {s.running} running, {s.queued} queued
              {s.bestValAccuracy !== null && <> · best {pct(s.bestValAccuracy)}</>}
            </span>
            <Link href={`/runs?sweep=${sweepId}`} prefetch={false} className="muted">
              link
            </Link>
          </div>
          <div className="saved-bar" title={`${s.epochsRun} epochs run of ${s.epochsFullBudget}`}>
            <span style={{ width: `${s.epochsFullBudget ? (100 * s.epochsRun) / s.epochsFullBudget : 0}%` }} />
          </div>
        </div>
      )}
    </div>
  );
}
