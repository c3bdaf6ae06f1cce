"use client";
// The run's checkpoints; any of them can become its experiment's champion.
import { useState } from "react";
import { bytes, pct, when } from "../../../components/format.ts";
import type { RouterOutputs } from "../../../trpc/types.ts";
import { PromotePanel } from "./promote-panel.tsx";

type Run = RouterOutputs["runs"]["get"];

/** A checkpoint's metrics are the epoch's Keras logs, under Keras' keys (val_accuracy, val_loss, ...). */
function metric(metrics: unknown, key: "val_accuracy" | "val_loss"): number | null {
  const value = ((metrics ?? {}) as Record<string, unknown>)[key];
  return typeof value === "number" ? value : null;
}

export function Checkpoints({ run }: { run: Run }) {
  const [promoting, setPromoting] = useState<{ id: number; epoch: number } | null>(null);
  return (
    <div className="panel" data-testid="checkpoints">
      <h2>Checkpoints</h2>
      {run.checkpoints.length === 0 ? (
        <div className="muted">None yet: a checkpoint is written whenever validation accuracy improves.</div>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th>Epoch</th>
              <th className="num">Val accuracy</th>
              <th className="num">Val loss</th>
              <th className="num">Size</th>
              <th>Written</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {run.checkpoints.map((c) => (
              <tr key={c.id}>
                <td>{c.epoch + 1}</td>
                <td className="num">{pct(metric(c.metrics, "val_accuracy"))}</td>
                <td className="num">{metric(c.metrics, "val_loss")?.toFixed(4) ?? "—"}</td>
                <td className="num">{bytes(c.sizeBytes)}</td>
                <td>{when(c.createdAt)}</td>
                <td>
                  {run.championCheckpointId === c.id ? (
                    <span className="star">★ champion</span>
                  ) : (
                    <button disabled={promoting?.id === c.id} onClick={() => setPromoting({ id: c.id, epoch: c.epoch })}>
                      Promote…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {promoting && <PromotePanel key={promoting.id} checkpointId={promoting.id} runId={run.id} experimentId={run.experimentId} epoch={promoting.epoch} onDone={() => setPromoting(null)} />}
    </div>
  );
}
