"use client";
// Parameters of the selected runs, one column per run; "differences only" hides rows
// where every run agrees.
import Link from "next/link";
import { useMemo, useState } from "react";
import type { RouterOutputs } from "../../trpc/types.ts";
import { RunSwatch } from "./run-swatch.tsx";

type CompareRun = RouterOutputs["runs"]["compare"]["runs"][number];

export function ParamTable({ runs, bestRunId, colors }: { runs: CompareRun[]; bestRunId: number | null; colors: Map<number, string> }) {
  const [diffOnly, setDiffOnly] = useState(false);
  const rows = useMemo(() => {
    const keys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))];
    return keys.map((key) => {
      const values = runs.map((r) => (r.params[key] === undefined ? "—" : String(r.params[key])));
      return { key, values, differs: new Set(values).size > 1 };
    });
  }, [runs]);
  const shown = diffOnly ? rows.filter((r) => r.differs) : rows;
  return (
    <div className="panel" data-testid="param-table">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2>Parameters</h2>
        <label className="row">
          <input type="checkbox" checked={diffOnly} onChange={(e) => setDiffOnly(e.target.checked)} /> Differences only
        </label>
      </div>
      <div className="table-wrap" style={{ maxHeight: 420 }}>
        <table className="data">
          <thead>
            <tr>
              <th>parameter</th>
              {runs.map((r) => (
                <th key={r.id}>
                  <RunSwatch color={colors.get(r.id)} />
                  <Link prefetch={false} href={`/run/${r.id}`}>#{r.id}</Link>
                  {r.id === bestRunId && <span className="star"> ★</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <tr key={row.key} className={row.differs ? "diff" : undefined}>
                <th>{row.key}</th>
                {row.values.map((v, i) => (
                  <td key={runs[i].id}>{v}</td>
                ))}
              </tr>
            ))}
            {shown.length === 0 && (
              <tr>
                <td colSpan={runs.length + 1} className="muted">
                  Every parameter is the same in all selected runs.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
