"use client";
// Which parameter mattered for the best validation accuracy over the compared runs: the share
// of its variance each parameter explains alone, with a 90% bootstrap interval over runs.
import type { RouterOutputs } from "../../trpc/types.ts";

type Importance = RouterOutputs["runs"]["compare"]["importance"];

export function ImportanceTable({ importance, runCount }: { importance: Importance; runCount: number }) {
  return (
    <div className="panel" style={{ marginBottom: 0 }} data-testid="importance">
      <h2>Parameter importance</h2>
      <div className="muted" style={{ marginBottom: 8 }}>
        Share of the variance of best validation accuracy each parameter explains alone (epsilon² of a one-way ANOVA), with a 90% bootstrap interval
        over the {runCount} runs; wide bars mean too few runs to be sure.
      </div>
      {importance.length === 0 ? (
        <div className="muted">Needs at least 3 runs with a validation accuracy and a parameter that varies.</div>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th>parameter</th>
              <th className="num">importance</th>
              <th style={{ width: "45%" }}>90% interval</th>
            </tr>
          </thead>
          <tbody>
            {importance.map((entry) => (
              <tr key={entry.param} data-param={entry.param}>
                <th>{entry.param}</th>
                <td className="num">{(100 * entry.importance).toFixed(0)}%</td>
                <td>
                  <div className="interval" title={`${(100 * entry.low).toFixed(0)}% to ${(100 * entry.high).toFixed(0)}%`}>
                    <span className="interval-range" style={{ left: `${100 * entry.low}%`, width: `${Math.max(1, 100 * (entry.high - entry.low))}%` }} />
                    <span className="interval-point" style={{ left: `${100 * entry.importance}%` }} />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
