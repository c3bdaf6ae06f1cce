// Number and time formatting shared by the pages.

export function pct(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(digits)}%`;
}

export function lr(value: number): string {
  return value >= 0.01 ? String(value) : value.toExponential(0).replace("e-", "e-");
}

export function num(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined ? "—" : Number(value.toPrecision(digits)).toString();
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** Bytes in binary units, as `thaw runs` prints them; sizes from the store arrive as bigints. */
export function bytes(size: number | bigint): string {
  const value = Number(size);
  if (value < 1024) return `${value} B`;
  if (value < 1024 ** 2) return `${(value / 1024).toFixed(1)} KiB`;
  if (value < 1024 ** 3) return `${(value / 1024 ** 2).toFixed(1)} MiB`;
  return `${(value / 1024 ** 3).toFixed(2)} GiB`;
}

export function when(date: Date | string | null | undefined): string {
  if (!date) return "—";
  const d = typeof date === "string" ? new Date(date) : date;
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function baseLabel(base: string): string {
  if (base === "vgg16-imagenet") return "ImageNet";
  if (base === "random") return "random";
  if (base.startsWith("run:")) return `run #${base.slice(4)}`;
  return base.split("/").slice(-2).join("/");
}

/** Axis ticks: three significant digits, so that close values stay distinct. */
export function tick(value: number, percent: boolean): string {
  return percent ? `${Math.round(value * 100)}%` : Number(value.toPrecision(3)).toString();
}
