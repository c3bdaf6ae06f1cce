"use client";
// Overlaid curves, one chart per metric. Built for 100 runs x 100 epochs: the data is
// reshaped once per response (memoised), long series are thinned to at most 120 points,
// and animation and dots are off so a redraw stays cheap.
import { memo, useMemo } from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { tick } from "../../components/format.ts";
import type { RouterOutputs } from "../../trpc/types.ts";

type CompareRun = RouterOutputs["runs"]["compare"]["runs"][number];
type MetricKey = keyof CompareRun["series"];

const METRICS: { key: MetricKey; title: string; percent: boolean }[] = [
  { key: "valAccuracy", title: "Validation accuracy", percent: true },
  { key: "valLoss", title: "Validation loss", percent: false },
  { key: "accuracy", title: "Training accuracy", percent: true },
  { key: "loss", title: "Training loss", percent: false },
];
const MAX_POINTS = 120;

function rowsFor(runs: CompareRun[], key: MetricKey): Record<string, number | null>[] {
  const length = Math.max(0, ...runs.map((r) => r.series[key].length));
  const stride = Math.max(1, Math.ceil(length / MAX_POINTS));
  const rows: Record<string, number | null>[] = [];
  for (let epoch = 0; epoch < length; epoch += stride) {
    const row: Record<string, number | null> = { epoch };
    for (const run of runs) row[`r${run.id}`] = run.series[key][epoch] ?? null;
    rows.push(row);
  }
  // The last epoch is kept so a thinned curve still ends where the run ended.
  if (length > 0 && (length - 1) % stride !== 0) {
    const row: Record<string, number | null> = { epoch: length - 1 };
    for (const run of runs) row[`r${run.id}`] = run.series[key][length - 1] ?? null;
    rows.push(row);
  }
  return rows;
}

const MetricChart = memo(function MetricChart({
  runs,
  metric,
  bestRunId,
  colors,
}: {
  runs: CompareRun[];
  metric: (typeof METRICS)[number];
  bestRunId: number | null;
  colors: Map<number, string>;
}) {
  const rows = useMemo(() => rowsFor(runs, metric.key), [runs, metric.key]);
  const many = runs.length > 12;
  return (
    <div className="panel" style={{ marginBottom: 0 }} data-testid={`compare-${metric.key}`}>
      <h2>{metric.title}</h2>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={rows} margin={{ top: 5, right: 16, bottom: 5, left: 0 }}>
          <CartesianGrid stroke="#eef1f5" />
          <XAxis dataKey="epoch" type="number" allowDecimals={false} domain={["dataMin", "dataMax"]} tickFormatter={(e: number) => String(e + 1)} />
          <YAxis domain={metric.percent ? [0, 1] : ["auto", "auto"]} tickFormatter={(v: number) => tick(v, metric.percent)} width={52} />
          {!many && <Tooltip formatter={(v) => (typeof v === "number" ? v.toFixed(4) : String(v))} labelFormatter={(e) => `epoch ${Number(e) + 1}`} />}
          {!many && <Legend />}
          {runs.map((run) => (
            <Line
              key={run.id}
              dataKey={`r${run.id}`}
              name={`#${run.id}${run.id === bestRunId ? " ★" : ""}${run.prunedAtEpoch !== null ? " (pruned)" : ""}`}
              stroke={colors.get(run.id)}
              strokeWidth={run.id === bestRunId ? 3 : many ? 1 : 1.5}
              dot={false}
              isAnimationActive={false}
              connectNulls
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
});

export function CompareCharts({ runs, bestRunId, colors }: { runs: CompareRun[]; bestRunId: number | null; colors: Map<number, string> }) {
  return (
    <div className="grid-2">
      {METRICS.map((m) => (
        <MetricChart key={m.key} runs={runs} metric={m} bestRunId={bestRunId} colors={colors} />
      ))}
    </div>
  );
}
