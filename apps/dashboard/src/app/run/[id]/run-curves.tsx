"use client";
// Loss and accuracy per epoch, train and validation, for one run.
import { memo } from "react";
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { tick } from "../../../components/format.ts";
import type { RouterOutputs } from "../../../trpc/types.ts";

type Metric = RouterOutputs["runs"]["get"]["metrics"][number];

function Chart({ title, data, train, val, bestEpoch, percent }: { title: string; data: Metric[]; train: keyof Metric; val: keyof Metric; bestEpoch: number | null; percent?: boolean }) {
  return (
    <div className="panel" data-testid={`chart-${String(train)}`} style={{ marginBottom: 0 }}>
      <h2>{title}</h2>
      {data.length === 0 ? (
        <div className="muted" style={{ height: 260, display: "grid", placeItems: "center" }}>
          No epoch finished yet.
        </div>
      ) : (
        <ResponsiveContainer width="100%" height={260}>
          <LineChart data={data} margin={{ top: 5, right: 20, bottom: 5, left: 0 }}>
            <CartesianGrid stroke="#eef1f5" />
            <XAxis dataKey="epoch" tickFormatter={(e: number) => String(e + 1)} label={{ value: "epoch", position: "insideBottomRight", offset: -2 }} />
            <YAxis domain={percent ? [0, 1] : ["auto", "auto"]} tickFormatter={(v: number) => tick(v, !!percent)} width={52} />
            <Tooltip formatter={(v) => (typeof v === "number" ? (percent ? `${(v * 100).toFixed(1)}%` : v.toFixed(4)) : String(v))} labelFormatter={(e) => `epoch ${Number(e) + 1}`} />
            <Legend />
            {bestEpoch !== null && <ReferenceLine x={bestEpoch} stroke="#d97706" strokeDasharray="4 3" />}
            <Line type="monotone" dataKey={train as string} name="train" stroke="#2563eb" dot={data.length < 30} isAnimationActive={false} />
            <Line type="monotone" dataKey={val as string} name="validation" stroke="#dc2626" dot={data.length < 30} isAnimationActive={false} connectNulls />
          </LineChart>
        </ResponsiveContainer>
      )}
    </div>
  );
}

export const RunCurves = memo(function RunCurves({ metrics, bestEpoch }: { metrics: Metric[]; bestEpoch: number | null }) {
  return (
    <div className="grid-2">
      <Chart title="Loss" data={metrics} train="loss" val="valLoss" bestEpoch={bestEpoch} />
      <Chart title="Accuracy" data={metrics} train="accuracy" val="valAccuracy" bestEpoch={bestEpoch} percent />
    </div>
  );
});
