"use client";
// Selected runs side by side: overlaid curves, the frozen x learning-rate grid, a parameter
// table and per-metric statistics, with the best run marked.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "../../trpc/react.tsx";
import { errorMessage } from "../../trpc/errors.ts";
import { CompareCharts } from "./compare-charts.tsx";
import { FrozenLrGrid } from "./frozen-lr-grid.tsx";
import { ParamTable } from "./param-table.tsx";
import { StatsTable } from "./stats-table.tsx";

export function CompareView({ ids }: { ids: number[] }) {
  const trpc = useTRPC();
  const compare = useQuery({
    ...trpc.runs.compare.queryOptions({ ids: ids.length ? ids : [0] }),
    enabled: ids.length > 0,
    refetchInterval: (q) => (q.state.data?.runs.some((r) => r.status === "RUNNING" || r.status === "QUEUED") ? 3000 : false),
  });
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
  const data = compare.data;
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
      <CompareCharts runs={data.runs} bestRunId={data.bestRunId} />
      <div className="grid-2" style={{ marginTop: 16 }}>
        <FrozenLrGrid grid={data.grid} />
        <StatsTable runs={data.runs} bestRunId={data.bestRunId} />
      </div>
      <div style={{ marginTop: 16 }}>
        <ParamTable runs={data.runs} bestRunId={data.bestRunId} />
      </div>
    </>
  );
}
