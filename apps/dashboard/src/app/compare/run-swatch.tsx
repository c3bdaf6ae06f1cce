// The small square that ties a table row to the run's colour in the charts.
export function RunSwatch({ color }: { color: string | undefined }) {
  return <span className="swatch" style={{ background: color ?? "transparent" }} data-color={color} aria-hidden />;
}
