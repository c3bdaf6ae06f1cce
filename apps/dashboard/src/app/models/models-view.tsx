"use client";
// The champion of each experiment, how it got there, and promoting the best checkpoint
// after seeing what would change.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { bytes, lr, pct, when } from "../../components/format.ts";
import { errorMessage } from "../../trpc/errors.ts";
import { useTRPC } from "../../trpc/react.tsx";
import type { RouterOutputs } from "../../trpc/types.ts";

type Entry = RouterOutputs["models"]["overview"][number];

function PromoteBest({ experimentId }: { experimentId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const preview = useQuery({ ...trpc.models.preview.queryOptions({ experimentId }), enabled: open });
  const promote = useMutation(
    trpc.models.promoteBest.mutationOptions({
      onSuccess: () => {
        setOpen(false);
        return queryClient.invalidateQueries({ queryKey: trpc.models.pathKey() });
      },
    }),
  );
  if (!open) return <button onClick={() => setOpen(true)}>Promote the best checkpoint…</button>;
  const p = preview.data;
  return (
    <div className="notice" data-testid="promote-preview">
      {preview.isLoading && <span className="muted">Finding the best checkpoint…</span>}
      {preview.error && <div className="alert">{errorMessage(preview.error)}</div>}
      {p && !p.candidate && <div>No checkpoint in this experiment yet.</div>}
      {p?.alreadyChampion && <div>The best checkpoint (run #{p.candidate?.runId}, epoch {(p.candidate?.epoch ?? 0) + 1}) is already the champion.</div>}
      {p?.candidate && !p.alreadyChampion && (
        <div className="stack">
          <strong>
            Would promote run #{p.candidate.runId}, epoch {p.candidate.epoch + 1} (val acc {pct(p.candidate.bestValAccuracy)})
            {p.current ? ` in place of run #${p.current.runId}, epoch ${p.current.epoch + 1} (val acc ${pct(p.current.bestValAccuracy)})` : " as the first champion"}.
          </strong>
          {p.changes.length > 0 && (
            <table className="data">
              <thead>
                <tr>
                  <th>parameter</th>
                  <th>now</th>
                  <th>after</th>
                </tr>
              </thead>
              <tbody>
                {p.changes.map((c) => (
                  <tr key={c.param}>
                    <td>{c.param}</td>
                    <td>{String(c.from)}</td>
                    <td>
                      <strong>{String(c.to)}</strong>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <input placeholder="why (optional)" value={reason} onChange={(e) => setReason(e.target.value)} />
          <div className="row">
            <button className="primary" disabled={promote.isPending} onClick={() => promote.mutate({ experimentId, reason: reason || undefined })}>
              Confirm promotion
            </button>
          </div>
        </div>
      )}
      {promote.error && <div className="alert">{errorMessage(promote.error)}</div>}
      <button style={{ marginTop: 8 }} onClick={() => setOpen(false)}>
        {p?.candidate && !p.alreadyChampion ? "Cancel" : "Close"}
      </button>
    </div>
  );
}

function ExperimentModels({ entry }: { entry: Entry }) {
  const c = entry.champion;
  return (
    <div className="panel" data-testid={`experiment-${entry.experiment.id}`}>
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2>
          {entry.experiment.name}{" "}
          <span className="muted" data-testid="experiment-disk">
            ({entry.experiment.runCount} runs, {bytes(entry.experiment.diskBytes)} of checkpoints)
          </span>
        </h2>
        <PromoteBest experimentId={entry.experiment.id} />
      </div>
      {c ? (
        <dl className="kv" data-testid="champion">
          <dt>Champion</dt>
          <dd>
            <span className="star">★</span> <Link href={`/run/${c.runId}`}>run #{c.runId}</Link> {c.runName} — checkpoint of epoch {c.epoch + 1}
          </dd>
          <dt>Validation accuracy</dt>
          <dd>{pct(c.bestValAccuracy)}</dd>
          <dt>Frozen / learning rate</dt>
          <dd>
            {String(c.params.frozenLayers)} layers / {lr(Number(c.params.learningRate))} ({String(c.params.optimizer)})
          </dd>
          <dt>Since</dt>
          <dd>{when(entry.championSince)}</dd>
        </dl>
      ) : (
        <div className="muted">No champion yet: promote a checkpoint.</div>
      )}
      <h3 style={{ marginTop: 14 }}>Promotion history</h3>
      {entry.history.length === 0 ? (
        <div className="muted">Nothing promoted yet.</div>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th>When</th>
              <th>Run</th>
              <th>Epoch</th>
              <th>By</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {entry.history.map((h) => (
              <tr key={h.id}>
                <td>{when(h.createdAt)}</td>
                <td>
                  <Link prefetch={false} href={`/run/${h.runId}`}>#{h.runId}</Link>
                </td>
                <td>{h.epoch + 1}</td>
                <td>{h.promotedBy}</td>
                <td>{h.reason ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function ModelsView() {
  const trpc = useTRPC();
  const overview = useQuery(trpc.models.overview.queryOptions());
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Models</h1>
          <div className="muted">One champion per experiment; the Try it page uses it.</div>
        </div>
      </div>
      {overview.error && <div className="alert">{errorMessage(overview.error)}</div>}
      {overview.data?.length === 0 && <div className="muted">No experiments yet.</div>}
      {overview.data?.map((entry) => <ExperimentModels key={entry.experiment.id} entry={entry} />)}
    </>
  );
}
