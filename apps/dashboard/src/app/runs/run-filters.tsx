"use client";
// Filters of the runs table: statuses and hyperparameter ranges, all applied by the server.
const STATUSES = ["QUEUED", "RUNNING", "FINISHED", "FAILED", "STOPPED"] as const;
export type Status = (typeof STATUSES)[number];

export interface Filters {
  status: Status[];
  frozenMin: string;
  frozenMax: string;
  lrMin: string;
  lrMax: string;
}

export function RunFilters({ value, onChange, onReset }: { value: Filters; onChange: (f: Filters) => void; onReset: () => void }) {
  const set = (patch: Partial<Filters>) => onChange({ ...value, ...patch });
  return (
    <div className="panel row" style={{ gap: 18 }}>
      <div className="row">
        <strong>Status</strong>
        {STATUSES.map((s) => (
          <label key={s} className="row" style={{ gap: 4 }}>
            <input
              type="checkbox"
              checked={value.status.includes(s)}
              onChange={(e) => set({ status: e.target.checked ? [...value.status, s] : value.status.filter((x) => x !== s) })}
            />
            {s.toLowerCase()}
          </label>
        ))}
      </div>
      <div className="row">
        <strong>Frozen</strong>
        <input aria-label="Frozen min" type="number" min={0} max={22} style={{ width: 70 }} placeholder="min" value={value.frozenMin} onChange={(e) => set({ frozenMin: e.target.value })} />
        –
        <input aria-label="Frozen max" type="number" min={0} max={22} style={{ width: 70 }} placeholder="max" value={value.frozenMax} onChange={(e) => set({ frozenMax: e.target.value })} />
      </div>
      <div className="row">
        <strong>Learning rate</strong>
        <input aria-label="Learning rate min" type="number" step="any" style={{ width: 100 }} placeholder="min" value={value.lrMin} onChange={(e) => set({ lrMin: e.target.value })} />
        –
        <input aria-label="Learning rate max" type="number" step="any" style={{ width: 100 }} placeholder="max" value={value.lrMax} onChange={(e) => set({ lrMax: e.target.value })} />
      </div>
      <button onClick={onReset}>Reset</button>
    </div>
  );
}
