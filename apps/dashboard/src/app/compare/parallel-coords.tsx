"use client";
// Parallel coordinates: one vertical axis per varied parameter plus best validation accuracy,
// one line per run in its page colour; the learning rate's axis is logarithmic. Dragging
// along an axis brushes a range; runs outside any brush fade here and are filtered out of
// every other chart and table of the page (the parent holds the filter).
import { useMemo, useRef, useState, type PointerEvent } from "react";
import type { RouterOutputs } from "../../trpc/types.ts";

type CompareRun = RouterOutputs["runs"]["compare"]["runs"][number];
type Value = number | string | boolean | null;

interface Axis {
  key: string;
  label: string;
  /** Position of a value along the axis, 0 (bottom) to 1 (top); null when it has none. */
  at(value: Value): number | null;
  ticks: { t: number; label: string }[];
}

const WIDTH = 1000;
const HEIGHT = 300;
const TOP = 28;
const BOTTOM = 30;
const SIDE = 60;
const CANDIDATES: { key: string; label: string; log?: boolean }[] = [
  { key: "frozenLayers", label: "frozen layers" },
  { key: "learningRate", label: "learning rate (log)", log: true },
  { key: "optimizer", label: "optimizer" },
  { key: "batchSize", label: "batch size" },
  { key: "momentum", label: "momentum" },
  { key: "dropout", label: "dropout" },
  { key: "augment", label: "augment" },
];
const METRIC_KEY = "bestValAccuracy";
/** The brush area reaches past both ends of an axis, so a drag from just beyond an end takes it in. */
const BRUSH_OVERHANG = 12;

function fmt(v: number, log: boolean): string {
  if (log) return v.toExponential(0).replace("e-", "e-");
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

function valueOf(run: CompareRun, key: string): Value {
  return key === METRIC_KEY ? run.bestValAccuracy : (run.params[key] ?? null);
}

function makeAxis(runs: CompareRun[], key: string, label: string, log = false): Axis | null {
  const values = runs.map((r) => valueOf(r, key)).filter((v): v is Exclude<Value, null> => v !== null);
  const distinct = [...new Set(values.map(String))];
  if (key !== METRIC_KEY && key !== "frozenLayers" && key !== "learningRate" && distinct.length < 2) return null;
  if (values.length > 0 && values.every((v) => typeof v === "number")) {
    const nums = values as number[];
    const useLog = log && nums.every((v) => v > 0);
    const f = (v: number) => (useLog ? Math.log10(v) : v);
    const lo = key === METRIC_KEY ? Math.min(0, ...nums.map(f)) : Math.min(...nums.map(f));
    const hi = key === METRIC_KEY ? Math.max(1, ...nums.map(f)) : Math.max(...nums.map(f));
    const at = (v: Value) => (typeof v !== "number" ? null : hi === lo ? 0.5 : (f(v) - lo) / (hi - lo));
    const tickValues = useLog ? Array.from({ length: Math.floor(hi) - Math.ceil(lo) + 1 }, (_, i) => 10 ** (Math.ceil(lo) + i)) : [];
    const ends = [Math.min(...nums), Math.max(...nums)];
    const ticks = [...new Set([...ends, ...tickValues])].map((v) => ({ t: at(v) ?? 0.5, label: key === METRIC_KEY ? `${(100 * v).toFixed(0)}%` : fmt(v, useLog) }));
    return { key, label, at, ticks };
  }
  const categories = distinct.sort();
  const at = (v: Value) => (v === null ? null : categories.length === 1 ? 0.5 : categories.indexOf(String(v)) / (categories.length - 1));
  return { key, label, at, ticks: categories.map((c) => ({ t: at(c) ?? 0.5, label: c })) };
}

const yOf = (t: number) => TOP + (1 - t) * (HEIGHT - TOP - BOTTOM);
const tOf = (y: number) => Math.min(1, Math.max(0, 1 - (y - TOP) / (HEIGHT - TOP - BOTTOM)));

export function ParallelCoordinates({
  runs,
  colors,
  onFilter,
}: {
  runs: CompareRun[];
  colors: Map<number, string>;
  onFilter: (visible: Set<number> | null) => void;
}) {
  const axes = useMemo(
    () => [...CANDIDATES.map((c) => makeAxis(runs, c.key, c.label, c.log)), makeAxis(runs, METRIC_KEY, "best val accuracy")].filter((a): a is Axis => a !== null),
    [runs],
  );
  const [brushes, setBrushes] = useState<Record<string, [number, number]>>({});
  const drag = useRef<{ key: string; from: number } | null>(null);
  const svg = useRef<SVGSVGElement>(null);
  const xOf = (i: number) => SIDE + (axes.length === 1 ? 0 : (i * (WIDTH - 2 * SIDE)) / (axes.length - 1));

  const passes = (run: CompareRun, current: Record<string, [number, number]>) =>
    axes.every((axis) => {
      const brush = current[axis.key];
      if (!brush) return true;
      const t = axis.at(valueOf(run, axis.key));
      return t !== null && t >= brush[0] - 1e-9 && t <= brush[1] + 1e-9;
    });

  function update(next: Record<string, [number, number]>) {
    setBrushes(next);
    onFilter(Object.keys(next).length === 0 ? null : new Set(runs.filter((run) => passes(run, next)).map((run) => run.id)));
  }

  function svgY(event: PointerEvent): number {
    const matrix = svg.current?.getScreenCTM();
    if (!svg.current || !matrix) return 0;
    const point = svg.current.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(matrix.inverse()).y;
  }

  function onDown(key: string, event: PointerEvent<SVGRectElement>) {
    (event.target as Element).setPointerCapture(event.pointerId);
    drag.current = { key, from: tOf(svgY(event)) };
  }
  function onMove(event: PointerEvent<SVGRectElement>) {
    if (!drag.current) return;
    const to = tOf(svgY(event));
    const { key, from } = drag.current;
    setBrushes((b) => ({ ...b, [key]: [Math.min(from, to), Math.max(from, to)] }));
  }
  function onUp(event: PointerEvent<SVGRectElement>) {
    if (!drag.current) return;
    const to = tOf(svgY(event));
    const { key, from } = drag.current;
    drag.current = null;
    const next = { ...brushes };
    // A click without a drag clears the axis' brush.
    if (Math.abs(to - from) < 0.01) delete next[key];
    else next[key] = [Math.min(from, to), Math.max(from, to)];
    update(next);
  }

  const ordered = [...runs].sort((a, b) => Number(passes(a, brushes)) - Number(passes(b, brushes)));
  const brushed = Object.keys(brushes).length > 0;
  return (
    <div className="panel" style={{ marginBottom: 0 }} data-testid="parallel-coordinates">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2>Parallel coordinates</h2>
        {/* Always laid out the same, brushed or not: a line that moved the chart mid-drag would move the brush too. */}
        <span className="muted row" data-testid="brush-status">
          {runs.filter((r) => passes(r, brushes)).length} of {runs.length} runs in the brushed ranges · drag along an axis to filter; click it to clear
          <button type="button" disabled={!brushed} onClick={() => update({})}>
            Clear all
          </button>
        </span>
      </div>
      <svg ref={svg} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" role="img" aria-label="Parallel coordinates of the compared runs">
        {ordered.map((run) => {
          const inside = passes(run, brushes);
          const points = axes.map((axis, i) => {
            const t = axis.at(valueOf(run, axis.key));
            return t === null ? null : `${xOf(i)},${yOf(t)}`;
          });
          if (points.some((p) => p === null)) return null;
          return (
            <polyline
              key={run.id}
              data-run={run.id}
              data-inside={inside}
              points={points.join(" ")}
              fill="none"
              stroke={inside ? colors.get(run.id) : "#d0d5dd"}
              strokeWidth={inside ? 2 : 1}
              strokeOpacity={inside ? 0.9 : 0.6}
              strokeDasharray={run.prunedAtEpoch !== null ? "5 3" : undefined}
            >
              <title>{`#${run.id}${run.prunedAtEpoch !== null ? " (pruned)" : ""}`}</title>
            </polyline>
          );
        })}
        {axes.map((axis, i) => (
          <g key={axis.key} data-axis={axis.key}>
            <line x1={xOf(i)} x2={xOf(i)} y1={TOP} y2={HEIGHT - BOTTOM} stroke="#667085" />
            <text x={xOf(i)} y={TOP - 12} textAnchor="middle" fontSize={12} fontWeight={600}>
              {axis.label}
            </text>
            {axis.ticks.map((tick) => (
              <text key={tick.label} x={xOf(i) - 6} y={yOf(tick.t) + 4} textAnchor="end" fontSize={10} fill="#667085">
                {tick.label}
              </text>
            ))}
            {brushes[axis.key] && (
              <rect x={xOf(i) - 8} width={16} y={yOf(brushes[axis.key][1])} height={yOf(brushes[axis.key][0]) - yOf(brushes[axis.key][1])} fill="#1d4ed8" fillOpacity={0.2} stroke="#1d4ed8" />
            )}
            <rect
              data-testid={`brush-${axis.key}`}
              x={xOf(i) - 14}
              width={28}
              y={TOP - BRUSH_OVERHANG}
              height={HEIGHT - TOP - BOTTOM + 2 * BRUSH_OVERHANG}
              fill="transparent"
              style={{ cursor: "ns-resize", touchAction: "none" }}
              onPointerDown={(e) => onDown(axis.key, e)}
              onPointerMove={onMove}
              onPointerUp={onUp}
            />
          </g>
        ))}
      </svg>
    </div>
  );
}
