// The worker's progress inside an epoch (filling the feature cache, training, validating) as a
// bar with images done, images/s and ETA; the run page shows it in full, the runs list compact.
import type { RouterOutputs } from "../trpc/types.ts";
import { duration } from "./format.ts";

export type EpochProgressValue = NonNullable<RouterOutputs["runs"]["get"]["progress"]>;

const PHASES: Record<EpochProgressValue["phase"], string> = {
  cache: "Filling the feature cache",
  train: "Training",
  validate: "Validating",
};

function rate(p: EpochProgressValue): string | null {
  if (p.imagesPerSecond === null) return null;
  return `${p.imagesPerSecond >= 100 ? p.imagesPerSecond.toFixed(0) : p.imagesPerSecond.toFixed(1)} images/s`;
}

export function EpochProgress({ progress: p, epochs, compact = false }: { progress: EpochProgressValue; epochs: number; compact?: boolean }) {
  const percent = p.total > 0 ? Math.min(100, (p.done / p.total) * 100) : 100;
  const phase = PHASES[p.phase];
  const eta = p.etaSeconds === null ? null : `ETA ${duration(p.etaSeconds * 1000)}`;
  const text = compact
    ? [`${phase} ${Math.floor(percent)}%`, eta].filter(Boolean).join(" · ")
    : [`Epoch ${p.epoch + 1}/${epochs}: ${phase.toLowerCase()} ${p.done}/${p.total} images`, rate(p), eta].filter(Boolean).join(" · ");
  return (
    <div className={compact ? "epoch-progress compact" : "epoch-progress"} data-testid="epoch-progress" data-phase={p.phase}>
      <div
        className="bar"
        role="progressbar"
        aria-label={`${phase}, epoch ${p.epoch + 1} of ${epochs}`}
        aria-valuemin={0}
        aria-valuemax={p.total}
        aria-valuenow={p.done}
      >
        <div style={{ width: `${percent}%` }} />
      </div>
      <span className="muted">{text}</span>
    </div>
  );
}
