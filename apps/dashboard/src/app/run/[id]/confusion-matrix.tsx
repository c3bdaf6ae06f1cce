"use client";
// A confusion matrix (rows: true classes) with per-class figures beside it, sized to its card:
// the table is laid out to the card's width, so 8 or 20 classes shrink their columns and number
// them (the rows carry number and name, full names on hover) instead of overflowing the card.
import { pct } from "../../../components/format.ts";

const FIGURE_TITLES: Record<string, string> = { acc: "accuracy: right / images of the class", prec: "precision: right / predicted as the class", recall: "recall: right / images of the class" };

export interface MatrixColumn {
  label: string;
  values: (number | null)[];
}

export function ConfusionMatrix({ title, empty, classNames, matrix, columns, testId }: {
  title: string;
  /** Shown when there is no matrix yet. */
  empty: string;
  classNames: string[] | null;
  matrix: number[][] | null;
  columns: MatrixColumn[];
  testId: string;
}) {
  if (!classNames || !matrix) {
    return (
      <div className="panel">
        <h2>{title}</h2>
        <div className="muted">{empty}</div>
      </div>
    );
  }
  const max = Math.max(1, ...matrix.flat());
  const many = classNames.length >= 8;
  return (
    <div className="panel confusion-card" data-testid={testId}>
      <h2>{title}</h2>
      <table className={`data confusion${many ? " many" : ""}`}>
        <colgroup>
          <col className="row-head" />
          {classNames.map((c) => (
            <col key={c} />
          ))}
          {columns.map((c) => (
            <col key={c.label} className="figure" />
          ))}
        </colgroup>
        <thead>
          <tr>
            <th title="rows: true class, columns: predicted class">true \ pred</th>
            {classNames.map((c, j) => (
              <th key={c} title={c}>
                {many ? j : c}
              </th>
            ))}
            {columns.map((c) => (
              <th key={c.label} className="num" title={FIGURE_TITLES[c.label] ?? c.label}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, i) => (
            <tr key={classNames[i]}>
              <th title={classNames[i]}>{many ? `${i} ${classNames[i]}` : classNames[i]}</th>
              {row.map((n, j) => (
                <td key={j} className="cell" title={`true ${classNames[i]}, predicted ${classNames[j]}: ${n}`} style={{ background: `rgba(${i === j ? "22,163,74" : "220,38,38"},${(n / max) * 0.6})` }}>
                  {n}
                </td>
              ))}
              {columns.map((c) => (
                <td key={c.label} className="num">
                  {pct(c.values[i])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
