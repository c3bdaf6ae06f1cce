"use client";
// The runs of an experiment: server-side sort, filters and cursor paging, so that the
// table stays fast with thousands of runs; live while any shown run is queued or running.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { EpochProgress } from "../../components/epoch-progress.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { baseLabel, bytes, duration, lr, pct } from "../../components/format.ts";
import { errorMessage } from "../../trpc/errors.ts";
import { useTRPC } from "../../trpc/react.tsx";
import type { RouterInputs } from "../../trpc/types.ts";
import { RunFilters, type Filters } from "./run-filters.tsx";
import { SweepSummary } from "./sweep-summary.tsx";

type SortKey = RouterInputs["runs"]["list"]["sort"] extends infer S ? (S extends { key: infer K } ? K : never) : never;

const COLUMNS: { label: string; sort?: SortKey; num?: boolean }[] = [
  { label: "Run", sort: "createdAt" },
  { label: "Status" },
  { label: "Frozen", sort: "frozenLayers", num: true },
  { label: "LR", sort: "learningRate", num: true },
  { label: "Optimizer" },
  { label: "Best val acc", sort: "bestValAccuracy", num: true },
  { label: "Last val acc", num: true },
  { label: "Epochs", sort: "epochsDone", num: true },
  { label: "Duration", num: true },
  { label: "Disk", num: true },
  { label: "Base" },
  { label: "Dataset" },
];

const EMPTY_FILTERS: Filters = { status: [], frozenMin: "", frozenMax: "", lrMin: "", lrMax: "" };

function range(min: string, max: string) {
  const r = { min: min === "" ? undefined : Number(min), max: max === "" ? undefined : Number(max) };
  return r.min === undefined && r.max === undefined ? undefined : r;
}

export function RunsView({ initialExperimentId, initialSweepId }: { initialExperimentId: number | null; initialSweepId: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [experimentId, setExperimentId] = useState<number | null>(initialExperimentId);
  const [filters, setFilters] = useState<Filters>(EMPTY_FILTERS);
  const [sort, setSort] = useState<{ key: SortKey; direction: "asc" | "desc" }>({ key: "createdAt", direction: "desc" });
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [sweepId, setSweepId] = useState<string | null>(initialSweepId);

  const experiments = useQuery(trpc.experiments.list.queryOptions());
  const input = {
    experimentId: experimentId ?? undefined,
    status: filters.status.length ? filters.status : undefined,
    sweepId: sweepId ?? undefined,
    frozenLayers: range(filters.frozenMin, filters.frozenMax),
    learningRate: range(filters.lrMin, filters.lrMax),
    sort,
    limit: 50,
  };
  const runs = useInfiniteQuery(
    trpc.runs.list.infiniteQueryOptions(input, {
      getNextPageParam: (page) => page.nextCursor,
      refetchInterval: (query) =>
        query.state.data?.pages.some((p) => p.items.some((r) => r.status === "RUNNING" || r.status === "QUEUED")) ? 2000 : false,
    }),
  );
  const rows = useMemo(() => runs.data?.pages.flatMap((p) => p.items) ?? [], [runs.data]);
  const stopMany = useMutation(
    trpc.runs.stopMany.mutationOptions({
      onSuccess: () => {
        setSelected(new Set());
        return queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() });
      },
    }),
  );

  function toggle(id: number) {
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }
  function sortBy(key: SortKey) {
    setSort((s) => ({ key, direction: s.key === key && s.direction === "desc" ? "asc" : "desc" }));
  }
  const ids = [...selected];

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Runs</h1>
          <div className="muted">Every training run, newest first. Click a column to sort; pick runs to compare or stop.</div>
        </div>
        <div className="row">
          <select aria-label="Experiment" value={experimentId ?? ""} onChange={(e) => setExperimentId(e.target.value ? Number(e.target.value) : null)}>
            <option value="">All experiments</option>
            {experiments.data?.map((e) => (
              <option key={e.id} value={e.id}>
                {e.name} ({e.runCount} runs)
              </option>
            ))}
          </select>
          <button className="primary" disabled={ids.length < 1 || ids.length > 100} onClick={() => router.push(`/compare?ids=${ids.join(",")}`)}>
            Compare {ids.length || ""}
          </button>
          <button className="danger" disabled={ids.length === 0 || stopMany.isPending} onClick={() => stopMany.mutate({ ids })}>
            Stop selected
          </button>
          <Link className="button" href="/launch">
            New run
          </Link>
        </div>
      </div>
      {sweepId && <SweepSummary sweepId={sweepId} onClear={() => setSweepId(null)} live={rows.some((r) => r.status === "QUEUED" || r.status === "RUNNING")} />}
      <RunFilters value={filters} onChange={setFilters} onReset={() => setFilters(EMPTY_FILTERS)} />
      {runs.error && <div className="alert">{errorMessage(runs.error)}</div>}
      {stopMany.error && <div className="alert">{errorMessage(stopMany.error)}</div>}
      {stopMany.data && stopMany.data.skipped.length > 0 && (
        <div className="notice">Not stopped: {stopMany.data.skipped.map((s) => `#${s.id} (${s.reason})`).join(", ")}</div>
      )}
      <div className="table-wrap">
        <table className="data" data-testid="runs-table">
          <thead>
            <tr>
              <th>
                <input
                  type="checkbox"
                  aria-label="Select all shown"
                  checked={rows.length > 0 && rows.every((r) => selected.has(r.id))}
                  onChange={(e) => setSelected(e.target.checked ? new Set(rows.map((r) => r.id)) : new Set())}
                />
              </th>
              {COLUMNS.map((c) => (
                <th key={c.label} className={c.num ? "num" : undefined}>
                  {c.sort ? (
                    <button className="sort" onClick={() => sortBy(c.sort!)}>
                      {c.label} {sort.key === c.sort ? (sort.direction === "desc" ? "▼" : "▲") : ""}
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((run) => (
              <tr key={run.id} data-run-id={run.id}>
                <td>
                  <input type="checkbox" aria-label={`Select run ${run.id}`} checked={selected.has(run.id)} onChange={() => toggle(run.id)} />
                </td>
                <td>
                  <Link prefetch={false} href={`/run/${run.id}`}>#{run.id}</Link> {run.name && <span className="muted">{run.name}</span>}
                  {experimentId === null && <div className="muted">{run.experimentName}</div>}
                </td>
                <td>
                  <StatusBadge status={run.status} stopRequested={run.stopRequested} />
                  {run.progress && <EpochProgress progress={run.progress} epochs={run.epochs} compact />}
                  {run.prunedAtEpoch !== null && (
                    <span className="badge badge-pruned" data-pruned={run.id} title={run.pruneReason ?? undefined} style={{ marginLeft: 4 }}>
                      pruned @{run.prunedAtEpoch + 1}
                    </span>
                  )}
                </td>
                <td className="num">{run.frozenLayers}</td>
                <td className="num">{lr(run.learningRate)}</td>
                <td>{run.optimizer}</td>
                <td className="num">{pct(run.bestValAccuracy)}</td>
                <td className="num">{pct(run.lastValAccuracy)}</td>
                <td className="num">
                  {run.epochsDone}/{run.epochs}
                </td>
                <td className="num">{duration(run.durationMs)}</td>
                <td className="num">{bytes(run.diskBytes)}</td>
                <td>{baseLabel(run.base)}</td>
                <td>{run.datasetName ?? "—"}</td>
                <td>
                  <Link prefetch={false} href={`/launch?clone=${run.id}`}>Clone</Link>
                </td>
              </tr>
            ))}
            {rows.length === 0 && !runs.isLoading && (
              <tr>
                <td colSpan={COLUMNS.length + 2} className="muted">
                  No runs match. <Link href="/launch">Launch one.</Link>
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <div className="row" style={{ marginTop: 10 }}>
        <span className="muted">{rows.length} shown</span>
        {runs.hasNextPage && (
          <button onClick={() => runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
            {runs.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        )}
      </div>
    </>
  );
}
