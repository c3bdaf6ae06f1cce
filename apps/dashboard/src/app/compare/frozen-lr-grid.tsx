"use client";
// The question Thaw exists to answer: how many layers to freeze, at which learning rate.
// Rows are frozen-layer counts, columns learning rates, cells the best validation accuracy.
import Link from "next/link";
import type { RouterOutputs } from "../../trpc/types.ts";
import { lr, pct } from "../../components/format.ts";

type Cell = RouterOutputs["runs"]["compare"]["grid"][number];

function shade(value: number | null, lo: number, hi: number): string {
  if (value === null) return "#f3f4f6";
  const t = hi > lo ? (value - lo) / (hi - lo) : 1;
  return `hsl(${Math.round(10 + t * 120)} 70% ${Math.round(88 - t * 30)}%)`;
}

export function FrozenLrGrid({ grid }: { grid: Cell[] }) {
  const frozen = [...new Set(grid.map((c) => c.frozenLayers))].sort((a, b) => a - b);
  const rates = [...new Set(grid.map((c) => c.learningRate))].sort((a, b) => a - b);
  const values = grid.map((c) => c.bestValAccuracy).filter((v): v is number => v !== null);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const at = (f: number, r: number) => grid.find((c) => c.frozenLayers === f && c.learningRate === r);
  return (
    <div className="panel" style={{ marginBottom: 0 }} data-testid="frozen-lr-grid">
      <h2>Frozen layers x learning rate (best validation accuracy)</h2>
      <table className="data heat">
        <thead>
          <tr>
            <th>frozen \ lr</th>
            {rates.map((r) => (
              <th key={r} className="num">
                {lr(r)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {frozen.map((f) => (
            <tr key={f}>
              <th>{f}</th>
              {rates.map((r) => {
                const cell = at(f, r);
                return (
                  <td key={r} className="cell" style={{ background: shade(cell?.bestValAccuracy ?? null, lo, hi) }} title={cell ? `runs ${cell.runIds.join(", ")}` : "not run"}>
                    {cell ? (
                      cell.runIds.length === 1 ? (
                        <Link prefetch={false} href={`/run/${cell.runIds[0]}`} style={{ color: "inherit" }}>
                          {pct(cell.bestValAccuracy)}
                        </Link>
                      ) : (
                        pct(cell.bestValAccuracy)
                      )
                    ) : (
                      ""
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
