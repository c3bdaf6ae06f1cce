"use client";
// The run's checkpoints; any of them can become its experiment's champion.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { pct, when } from "../../../components/format.ts";
import { errorMessage } from "../../../trpc/errors.ts";
import { useTRPC } from "../../../trpc/react.tsx";
import type { RouterOutputs } from "../../../trpc/types.ts";

type Run = RouterOutputs["runs"]["get"];

function metric(metrics: unknown, ...keys: string[]): number | null {
  const m = (metrics ?? {}) as Record<string, unknown>;
  for (const k of keys) if (typeof m[k] === "number") return m[k] as number;
  return null;
}

export function Checkpoints({ run }: { run: Run }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const promote = useMutation(
    trpc.models.promote.mutationOptions({
      onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ id: run.id }) }), queryClient.invalidateQueries({ queryKey: trpc.models.pathKey() })]),
    }),
  );
  return (
    <div className="panel" data-testid="checkpoints">
      <h2>Checkpoints</h2>
      {promote.error && <div className="alert">{errorMessage(promote.error)}</div>}
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
                <td className="num">{pct(metric(c.metrics, "valAccuracy", "val_accuracy", "val_acc"))}</td>
                <td className="num">{metric(c.metrics, "valLoss", "val_loss")?.toFixed(4) ?? "—"}</td>
                <td className="num">{(c.sizeBytes / 1024).toFixed(0)} KiB</td>
                <td>{when(c.createdAt)}</td>
                <td>
                  {run.championCheckpointId === c.id ? (
                    <span className="star">★ champion</span>
                  ) : (
                    <button
                      disabled={promote.isPending}
                      onClick={() => promote.mutate({ checkpointId: c.id, experimentId: run.experimentId, reason: `promoted from run ${run.id}, epoch ${c.epoch + 1}` })}
                    >
                      Promote
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
