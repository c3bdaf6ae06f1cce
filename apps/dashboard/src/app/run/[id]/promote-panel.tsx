"use client";
// Before a checkpoint becomes champion: it against the current champion on the same test
// images (accuracy, per-class deltas, the images they disagree on), and a reason, required
// when it gets fewer of them right; the reason is kept in the promotion history.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { pct } from "../../../components/format.ts";
import { errorMessage } from "../../../trpc/errors.ts";
import { useTRPC } from "../../../trpc/react.tsx";

function delta(a: number | null, b: number | null): string {
  if (a === null || b === null) return "—";
  const d = (a - b) * 100;
  return `${d >= 0 ? "+" : ""}${d.toFixed(1)} pt`;
}

export function PromotePanel({ checkpointId, runId, experimentId, epoch, onDone }: { checkpointId: number; runId: number; experimentId: number; epoch: number; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const preview = useQuery(trpc.models.testPreview.queryOptions({ checkpointId }));
  const promote = useMutation(
    trpc.models.promote.mutationOptions({
      onSuccess: async () => {
        await Promise.all([queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ id: runId }) }), queryClient.invalidateQueries({ queryKey: trpc.models.pathKey() })]);
        onDone();
      },
    }),
  );
  const p = preview.data;
  const worse = p?.worse ?? false;
  const a = p?.challenger.evaluation ?? null;
  const b = p?.champion?.evaluation ?? null;
  const name = (i: number) => a?.classNames[i] ?? String(i);
  const thumb = (file: string) => `/api/test-image?run=${runId}&file=${encodeURIComponent(file)}`;
  return (
    <div className="panel" data-testid="promote-panel">
      <h2>Promote checkpoint #{checkpointId} (epoch {epoch + 1}) to champion</h2>
      {preview.error && <div className="alert">{errorMessage(preview.error)}</div>}
      {!p ? (
        <div className="muted">Comparing with the champion on the test set…</div>
      ) : !p.comparable || !a || !b || !p.champion ? (
        <div className="muted" data-testid="promote-note">{p.note}</div>
      ) : (
        <>
          <div className="row" data-testid="promote-accuracy">
            On the same {a.images.length} test images: this checkpoint <strong>{pct(a.accuracy)}</strong>, the champion (checkpoint #{p.champion.checkpointId}, run #{p.champion.runId}) <strong>{pct(b.accuracy)}</strong> ({delta(a.accuracy, b.accuracy)}).
          </div>
          <table className="data" style={{ marginTop: 8 }}>
            <thead>
              <tr>
                <th>class</th>
                <th className="num">recall</th>
                <th className="num">champion</th>
                <th className="num">delta</th>
                <th className="num">precision</th>
                <th className="num">champion</th>
                <th className="num">delta</th>
              </tr>
            </thead>
            <tbody>
              {p.perClass.map((c) => (
                <tr key={c.className}>
                  <th>{c.className}</th>
                  <td className="num">{pct(c.challengerRecall)}</td>
                  <td className="num">{pct(c.championRecall)}</td>
                  <td className="num">{delta(c.challengerRecall, c.championRecall)}</td>
                  <td className="num">{pct(c.challengerPrecision)}</td>
                  <td className="num">{pct(c.championPrecision)}</td>
                  <td className="num">{delta(c.challengerPrecision, c.championPrecision)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3 style={{ marginTop: 12 }}>They disagree on {p.disagreements.length} image{p.disagreements.length === 1 ? "" : "s"}</h3>
          <div className="row" data-testid="disagreements" style={{ alignItems: "flex-start" }}>
            {p.disagreements.slice(0, 48).map((d) => (
              <figure key={d.file} className="thumb" title={d.file}>
                {/* eslint-disable-next-line @next/next/no-img-element -- a generated BMP, not an asset for next/image */}
                <img src={thumb(d.file)} alt={d.file} width={96} height={96} />
                <figcaption>
                  true {name(d.label)}
                  <br />
                  <span className={d.challenger === d.label ? "good" : "bad"}>this: {name(d.challenger)}</span>
                  <br />
                  <span className={d.champion === d.label ? "good" : "bad"}>champion: {name(d.champion)}</span>
                </figcaption>
              </figure>
            ))}
            {p.disagreements.length > 48 && <div className="muted">and {p.disagreements.length - 48} more</div>}
          </div>
        </>
      )}
      {worse && <div className="alert">This checkpoint gets fewer test images right than the champion. Say why you promote it anyway; the reason is kept in the promotion history.</div>}
      <div className="row" style={{ marginTop: 12 }}>
        <input aria-label="Reason" placeholder={worse ? "Reason (required)" : "Reason (optional)"} value={reason} onChange={(e) => setReason(e.target.value)} style={{ flex: 1, minWidth: 240 }} />
        <button
          className="primary"
          disabled={!p || promote.isPending || (worse && reason.trim() === "")}
          onClick={() => promote.mutate({ checkpointId, experimentId, reason: reason.trim() || `promoted from run ${runId}, epoch ${epoch + 1}` })}
        >
          Promote
        </button>
        <button onClick={onDone}>Cancel</button>
      </div>
      {promote.error && <div className="alert">{errorMessage(promote.error)}</div>}
    </div>
  );
}
