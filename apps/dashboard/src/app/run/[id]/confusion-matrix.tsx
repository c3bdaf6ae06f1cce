"use client";
// The confusion matrix of the best checkpoint on validation data: rows are true classes.
import type { RouterOutputs } from "../../../trpc/types.ts";
import { pct } from "../../../components/format.ts";

type Evaluation = RouterOutputs["runs"]["get"]["evaluation"];

export function ConfusionMatrix({ evaluation }: { evaluation: Evaluation }) {
  if (!evaluation) {
    return (
      <div className="panel">
        <h2>Confusion matrix</h2>
        <div className="muted">Written when the run ends, from its best checkpoint.</div>
      </div>
    );
  }
  const { classNames, confusionMatrix, perClassAccuracy } = evaluation;
  const max = Math.max(1, ...confusionMatrix.flat());
  return (
    <div className="panel" data-testid="confusion-matrix">
      <h2>Confusion matrix (best checkpoint, validation)</h2>
      <table className="data confusion">
        <thead>
          <tr>
            <th>true \ predicted</th>
            {classNames.map((c) => (
              <th key={c}>{c}</th>
            ))}
            <th className="num">accuracy</th>
          </tr>
        </thead>
        <tbody>
          {confusionMatrix.map((row, i) => (
            <tr key={classNames[i]}>
              <th>{classNames[i]}</th>
              {row.map((n, j) => (
                <td key={j} className="cell" style={{ background: `rgba(${i === j ? "22,163,74" : "220,38,38"},${(n / max) * 0.6})` }}>
                  {n}
                </td>
              ))}
              <td className="num">{pct(perClassAccuracy[i])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
