"use client";
// Try the champion: drop images, see class probabilities and where the model looked.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { pct } from "../../components/format.ts";
import { useTRPC } from "../../trpc/react.tsx";
import type { PredictResponse } from "../api/predict/types.ts";

interface Result {
  key: string;
  fileName: string;
  state: "pending" | "done" | "error";
  error?: string;
  response?: Extract<PredictResponse, { ok: true }>;
}

async function predict(file: File, experimentId: number): Promise<PredictResponse> {
  const body = new FormData();
  body.append("file", file);
  const res = await fetch(`/api/predict?experiment=${experimentId}`, { method: "POST", body });
  const json = (await res.json().catch(() => null)) as PredictResponse | null;
  return json ?? { ok: false, error: `The server answered ${res.status} without a result; try again.` };
}

export function TryView({ maxBytes }: { maxBytes: number }) {
  const trpc = useTRPC();
  const overview = useQuery(trpc.models.overview.queryOptions());
  const withChampion = overview.data?.filter((e) => e.champion) ?? [];
  const [experimentId, setExperimentId] = useState<number | null>(null);
  const [results, setResults] = useState<Result[]>([]);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (experimentId === null && withChampion[0]) setExperimentId(withChampion[0].experiment.id);
  }, [experimentId, withChampion]);
  const chosen = withChampion.find((e) => e.experiment.id === experimentId);

  function update(key: string, patch: Partial<Result>) {
    setResults((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  }

  function submit(files: FileList | File[]) {
    if (experimentId === null) return;
    for (const file of Array.from(files)) {
      const key = `${Date.now()}-${Math.random()}`;
      const tooBig = file.size > maxBytes;
      setResults((rs) => [
        {
          key,
          fileName: file.name,
          state: tooBig ? "error" : "pending",
          error: tooBig ? `${file.name} is ${(file.size / 2 ** 20).toFixed(1)} MB, over the ${(maxBytes / 2 ** 20).toFixed(0)} MB limit; upload a smaller image.` : undefined,
        },
        ...rs,
      ]);
      if (tooBig) continue;
      predict(file, experimentId)
        .then((r) => (r.ok ? update(key, { state: "done", response: r }) : update(key, { state: "error", error: r.error })))
        .catch((e: unknown) => update(key, { state: "error", error: e instanceof Error ? e.message : String(e) }));
    }
  }

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Try it</h1>
          <div className="muted">Upload images and see what the champion model says, and where it looked.</div>
        </div>
        {withChampion.length > 0 && (
          <select aria-label="Experiment" value={experimentId ?? ""} onChange={(e) => setExperimentId(Number(e.target.value))}>
            {withChampion.map((e) => (
              <option key={e.experiment.id} value={e.experiment.id}>
                {e.experiment.name}
              </option>
            ))}
          </select>
        )}
      </div>
      {overview.data && withChampion.length === 0 && <div className="notice">No experiment has a champion yet; promote a checkpoint on the Models page first.</div>}
      {chosen?.champion && (
        <div className="panel row" data-testid="model-info">
          <strong>
            Model: {chosen.experiment.name} champion — run #{chosen.champion.runId}
            {chosen.champion.runName ? ` (${chosen.champion.runName})` : ""}, epoch {chosen.champion.epoch + 1}
          </strong>
          <span className="muted">
            validation accuracy {pct(chosen.champion.bestValAccuracy)}, training accuracy {pct(chosen.champion.metrics.accuracy ?? null)}
          </span>
        </div>
      )}
      <div
        className={`dropzone ${over ? "over" : ""}`}
        onClick={() => input.current?.click()}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          submit(e.dataTransfer.files);
        }}
      >
        <strong>Drop images here or click to choose</strong>
        <div className="muted">JPEG, PNG, WebP, GIF, BMP, TIFF or PPM; up to {(maxBytes / 2 ** 20).toFixed(0)} MB each</div>
        <input
          ref={input}
          type="file"
          multiple
          accept="image/*"
          data-testid="upload"
          style={{ display: "none" }}
          disabled={experimentId === null}
          onChange={(e) => {
            if (e.target.files) submit(e.target.files);
            e.target.value = "";
          }}
        />
      </div>
      <div style={{ marginTop: 16 }}>
        {results.map((r) => (
          <div key={r.key} className="panel" data-testid="prediction" data-state={r.state}>
            <h2>{r.fileName}</h2>
            {r.state === "pending" && <div className="muted">Classifying…</div>}
            {r.state === "error" && (
              <div className="alert" role="alert">
                {r.error}
              </div>
            )}
            {r.response && (
              <div className="prediction">
                <div className="stack">
                  <div className="side-by-side" data-testid="explained">
                    <figure>
                      <img src={r.response.input} alt={`${r.fileName} as the model saw it`} />
                      <figcaption className="muted">the image ({r.response.model.inputSize[1]}×{r.response.model.inputSize[0]})</figcaption>
                    </figure>
                    <figure>
                      <img src={r.response.heatmap} alt={`Grad-CAM of ${r.fileName}`} />
                      <figcaption className="muted">Grad-CAM</figcaption>
                    </figure>
                  </div>
                  <span className="muted">Warm areas pushed the top class ({r.response.probabilities[0]?.className}) most.</span>
                </div>
                <div className="stack">
                  {r.response.probabilities.map((p) => (
                    <div key={p.className} data-testid="probability">
                      <div className="row" style={{ justifyContent: "space-between" }}>
                        <strong>{p.className}</strong>
                        <span>{pct(p.probability)}</span>
                      </div>
                      <div className="bar">
                        <div style={{ width: `${(p.probability * 100).toFixed(1)}%` }} />
                      </div>
                    </div>
                  ))}
                  <span className="muted">
                    {r.response.model.name} · {r.response.elapsedMs} ms
                  </span>
                </div>
              </div>
            )}
          </div>
        ))}
      </div>
    </>
  );
}
