"use client";
// Best, last, min and max of one metric for every selected run; the best run is marked.
import Link from "next/link";
import { useState } from "react";
import type { RouterOutputs } from "../../trpc/types.ts";
import { num } from "../../components/format.ts";
import { RunSwatch } from "./run-swatch.tsx";

type CompareRun = RouterOutputs["runs"]["compare"]["runs"][number];
type MetricKey = keyof CompareRun["stats"];

const LABELS: Record<MetricKey, string> = { valAccuracy: "val accuracy", valLoss: "val loss", accuracy: "accuracy", loss: "loss" };

export function StatsTable({ runs, bestRunId, colors }: { runs: CompareRun[]; bestRunId: number | null; colors: Map<number, string> }) {
  const [metric, setMetric] = useState<MetricKey>("valAccuracy");
  return (
    <div className="panel" style={{ marginBottom: 0 }} data-testid="stats-table">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2>Per-run statistics</h2>
        <select aria-label="Metric" value={metric} onChange={(e) => setMetric(e.target.value as MetricKey)}>
          {(Object.keys(LABELS) as MetricKey[]).map((k) => (
            <option key={k} value={k}>
              {LABELS[k]}
            </option>
          ))}
        </select>
      </div>
      <div style={{ maxHeight: 320, overflow: "auto" }}>
        <table className="data">
          <thead>
            <tr>
              <th>Run</th>
              <th className="num">best</th>
              <th className="num">last</th>
              <th className="num">min</th>
              <th className="num">max</th>
              <th className="num">epochs</th>
              <th className="num" title="best checkpoint on the held-out test images">test acc</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => {
              const s = run.stats[metric];
              return (
                <tr key={run.id} className={run.id === bestRunId ? "best" : undefined} data-run={run.id}>
                  <td>
                    <RunSwatch color={colors.get(run.id)} />
                    <Link prefetch={false} href={`/run/${run.id}`}>#{run.id}</Link> {run.id === bestRunId && <span className="star">★ best</span>}
                    {run.prunedAtEpoch !== null && (
                      <span className="badge badge-pruned" title={run.pruneReason ?? undefined} style={{ marginLeft: 6 }}>
                        pruned @{run.prunedAtEpoch + 1}
                      </span>
                    )}
                  </td>
                  <td className="num">{num(s.best)}</td>
                  <td className="num">{num(s.last)}</td>
                  <td className="num">{num(s.min)}</td>
                  <td className="num">{num(s.max)}</td>
                  <td className="num">{run.epochsDone}</td>
                  <td className="num">{num(run.testAccuracy)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
