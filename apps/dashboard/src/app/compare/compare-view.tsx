"use client";
// Selected runs side by side: overlaid curves, the frozen x learning-rate grid, a parameter
// table and per-metric statistics, with the best run marked.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import { useTRPC } from "../../trpc/react.tsx";
import { errorMessage } from "../../trpc/errors.ts";
import { CompareCharts } from "./compare-charts.tsx";
import { FrozenLrGrid } from "./frozen-lr-grid.tsx";
import { ImportanceTable } from "./importance-table.tsx";
import { ParallelCoordinates } from "./parallel-coords.tsx";
import { runColors } from "./run-colors.ts";
import { ParamTable } from "./param-table.tsx";
import { StatsTable } from "./stats-table.tsx";

export function CompareView({ ids }: { ids: number[] }) {
  const trpc = useTRPC();
  const compare = useQuery({
    ...trpc.runs.compare.queryOptions({ ids: ids.length ? ids : [0] }),
    enabled: ids.length > 0,
    refetchInterval: (q) => (q.state.data?.runs.some((r) => r.status === "RUNNING" || r.status === "QUEUED") ? 3000 : false),
  });
  // Runs inside the parallel-coordinates brushes; null when nothing is brushed.
  const [brushed, setBrushed] = useState<Set<number> | null>(null);
  const data = compare.data;
  const colors = useMemo(() => runColors(data?.runs.map((r) => r.id) ?? []), [data]);
  const shown = useMemo(() => (data && brushed ? data.runs.filter((r) => brushed.has(r.id)) : (data?.runs ?? [])), [data, brushed]);
  const grid = useMemo(() => {
    if (!data || !brushed) return data?.grid ?? [];
    const best = new Map(shown.map((r) => [r.id, r.bestValAccuracy]));
    return data.grid
      .map((cell) => {
        const runIds = cell.runIds.filter((id) => best.has(id));
        const values = runIds.map((id) => best.get(id)).filter((v): v is number => v !== null && v !== undefined);
        return { ...cell, runIds, bestValAccuracy: values.length ? Math.max(...values) : null };
      })
      .filter((cell) => cell.runIds.length > 0);
  }, [data, brushed, shown]);
  if (ids.length === 0) {
    return (
      <div className="panel">
        <h1>Compare</h1>
        <p className="muted">
          Pick runs on the <Link href="/runs">Runs</Link> page and press Compare.
        </p>
      </div>
    );
  }
  if (compare.error) return <div className="alert">{errorMessage(compare.error)}</div>;
  if (!data) return <div className="muted">Loading {ids.length} runs…</div>;
  const best = data.runs.find((r) => r.id === data.bestRunId);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Compare {data.runs.length} runs</h1>
          <div className="muted">
            {best ? (
              <>
                Best: <span className="star">★</span> <Link href={`/run/${best.id}`}>#{best.id}</Link> with {(100 * (best.bestValAccuracy ?? 0)).toFixed(1)}% validation accuracy
                (frozen {String(best.params.frozenLayers)}, lr {String(best.params.learningRate)})
              </>
            ) : (
              "No run has a validation accuracy yet."
            )}
          </div>
        </div>
      </div>
      <div className="grid-2">
        <ParallelCoordinates runs={data.runs} colors={colors} onFilter={setBrushed} />
        <ImportanceTable importance={data.importance} runCount={data.runs.length} />
      </div>
      <CompareCharts runs={shown} bestRunId={data.bestRunId} colors={colors} />
      <div className="grid-2" style={{ marginTop: 16 }}>
        <FrozenLrGrid grid={grid} />
        <StatsTable runs={shown} bestRunId={data.bestRunId} colors={colors} />
      </div>
      <div style={{ marginTop: 16 }}>
        <ParamTable runs={shown} bestRunId={data.bestRunId} colors={colors} />
      </div>
    </>
  );
}
