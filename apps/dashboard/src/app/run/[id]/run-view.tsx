"use client";
// One run, live: curves, progress inside the epoch and ETA refresh every 1.5 s while it is
// queued or running.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { baseLabel, duration, lr, pct, when } from "../../../components/format.ts";
import { EpochProgress } from "../../../components/epoch-progress.tsx";
import { StatusBadge } from "../../../components/status-badge.tsx";
import { errorMessage } from "../../../trpc/errors.ts";
import { useTRPC } from "../../../trpc/react.tsx";
import { Checkpoints } from "./checkpoints.tsx";
import { Lineage } from "./lineage.tsx";
import { ConfusionMatrix } from "./confusion-matrix.tsx";
import { RunCurves } from "./run-curves.tsx";

export function RunView({ id }: { id: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const run = useQuery(
    trpc.runs.get.queryOptions(
      { id },
      { refetchInterval: (q) => (q.state.data && ["QUEUED", "RUNNING"].includes(q.state.data.status) ? 1500 : false) },
    ),
  );
  const stop = useMutation(trpc.runs.stop.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ id }) }) }));

  if (run.error) return <div className="alert">{errorMessage(run.error)}</div>;
  const r = run.data;
  if (!r) return <div className="muted">Loading run #{id}…</div>;
  const live = r.status === "RUNNING" || r.status === "QUEUED";
  const extra = (r.params ?? {}) as Record<string, unknown>;
  const params: [string, string][] = [
    ["Frozen layers", String(r.frozenLayers)],
    ["Learning rate", lr(r.learningRate)],
    ["Optimizer", r.optimizer + (r.optimizer === "sgd" ? ` (momentum ${r.momentum})` : "")],
    ["Epochs", String(r.epochs)],
    ["Batch size", String(r.batchSize)],
    ["Patience", String(r.patience)],
    ["Image size", `${r.imageSize} px`],
    ["Base", r.baseRun ? `run #${r.baseRun.id}` : baseLabel(r.base)],
    ...(r.baseCheckpointId !== null ? [["Base checkpoint", `#${r.baseCheckpointId} (sha256 ${(r.baseCheckpointSha256 ?? "?").slice(0, 12)}), pinned when queued`] as [string, string]] : []),
    ["Augmentation", r.augment ? "on" : "off"],
    ["Seed", String(r.seed)],
    ...Object.entries(extra).map(([k, v]): [string, string] => [k, String(v)]),
    ["Dataset", r.dataset ? `${r.dataset.name} (${r.dataset.imageCount ?? "?"} images)` : "—"],
    ["Backend", [r.backend, r.engine].filter(Boolean).join(" / ") || "—"],
  ];

  return (
    <>
      <div className="page-head">
        <div>
          <h1>
            Run #{r.id} {r.name && <span className="muted">{r.name}</span>}
          </h1>
          <div className="row muted">
            <StatusBadge status={r.status} stopRequested={r.stopRequested} />
            <span>
              experiment <Link href={`/runs?experiment=${r.experimentId}`}>{r.experiment.name}</Link>
            </span>
            <span data-testid="progress">
              epoch {r.epochsDone}/{r.epochs}
            </span>
            {r.etaMs !== null && <span>ETA {duration(r.etaMs)}</span>}
            <span data-testid="best-val-acc">best val acc {pct(r.bestValAccuracy)}</span>
            {r.testAccuracy !== null && <span data-testid="test-accuracy">test acc {pct(r.testAccuracy)}</span>}
            <span>started {when(r.startedAt)}</span>
            {r.endedAt && r.startedAt && <span>took {duration(new Date(r.endedAt).getTime() - new Date(r.startedAt).getTime())}</span>}
          </div>
          {r.progress && <EpochProgress progress={r.progress} epochs={r.epochs} />}
        </div>
        <div className="row">
          <Link className="button" href={`/launch?clone=${r.id}`}>
            Clone
          </Link>
          <Link className="button" href={`/compare?ids=${r.id}`}>
            Compare
          </Link>
          {live && (
            <button className="danger" disabled={r.stopRequested || stop.isPending} onClick={() => stop.mutate({ id: r.id })}>
              {r.stopRequested ? "Stopping…" : "Stop"}
            </button>
          )}
        </div>
      </div>
      {stop.error && <div className="alert">{errorMessage(stop.error)}</div>}
      {r.status === "FAILED" && (
        <div className="panel" data-testid="run-error">
          <h2 style={{ color: "var(--bad)" }}>Failed: {r.error}</h2>
          {r.errorStack && <pre className="mono" style={{ whiteSpace: "pre-wrap", maxHeight: 300, overflow: "auto" }}>{r.errorStack}</pre>}
        </div>
      )}
      {r.pruneReason && (
        <div className="notice" data-testid="run-pruned">
          <span className="badge badge-pruned">pruned</span> Stopped early by its sweep&apos;s scheduler: {r.pruneReason}. Its epochs and checkpoints are kept and it
          counts as finished.{" "}
          {r.sweepId && (
            <Link prefetch={false} href={`/runs?sweep=${r.sweepId}`}>
              The sweep
            </Link>
          )}
        </div>
      )}
      <RunCurves metrics={r.metrics} bestEpoch={r.bestEpoch} />
      <div className="grid-2" style={{ marginTop: 16 }}>
        <div className="panel">
          <h2>Parameters</h2>
          <dl className="kv">
            {params.map(([k, v]) => (
              <div key={k} style={{ display: "contents" }}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </div>
        <ConfusionMatrix
          title="Confusion matrix (best checkpoint, validation)"
          empty="Written when the run ends, from its best checkpoint."
          classNames={r.evaluation?.classNames ?? null}
          matrix={r.evaluation?.confusionMatrix ?? null}
          columns={r.evaluation ? [{ label: "acc", values: r.evaluation.perClassAccuracy }] : []}
          testId="confusion-matrix"
        />
      </div>
      {r.testEvaluation && (
        <div className="grid-2">
          <ConfusionMatrix
            title={`Test set: ${r.testEvaluation.images.length} held-out images, accuracy ${pct(r.testEvaluation.accuracy)}`}
            empty=""
            classNames={r.testEvaluation.classNames}
            matrix={r.testEvaluation.confusionMatrix}
            columns={[
              { label: "prec", values: r.testEvaluation.precision },
              { label: "recall", values: r.testEvaluation.recall },
            ]}
            testId="test-evaluation"
          />
          <div className="panel muted">
            The best checkpoint (#{r.testEvaluation.checkpointId}) on{" "}
            {r.testEvaluation.testSplit > 0 ? `${pct(r.testEvaluation.testSplit)} of each class held out once for this dataset (seed ${r.testEvaluation.testSeed})` : "the dataset's test/ folder"}
            . These images chose nothing during training: they are kept apart from the validation images that picked the best epoch, and promotions compare on them.
          </div>
        </div>
      )}
      <Checkpoints run={r} />
      <Lineage run={r} />
      <div className="panel">
        <h2>Decode skip report</h2>
        {r.skipReport.length === 0 ? (
          <div className="muted">{r.status === "QUEUED" ? "Not read yet." : "Every image decoded."}</div>
        ) : (
          <table className="data">
            <thead>
              <tr>
                <th>File skipped</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {r.skipReport.map((s) => (
                <tr key={s.path}>
                  <td className="mono">{s.path}</td>
                  <td>{s.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
