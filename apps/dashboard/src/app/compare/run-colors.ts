// One colour per compared run, the same in every chart and table of the page. Up to ten runs
// get Tableau 10, a palette designed so that its colours stay apart; beyond that, hues spread
// evenly around the wheel with alternating lightness, so no two runs share a colour (the old
// golden-angle hues put 7 runs' #3 and #8 in the same green).
const TABLEAU_10 = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

/** Colours keyed by run id; assigned in id order so a run's colour does not depend on sorting. */
export function runColors(ids: readonly number[]): Map<number, string> {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const n = sorted.length;
  return new Map(
    sorted.map((id, i) => [id, n <= TABLEAU_10.length ? TABLEAU_10[i] : `hsl(${Math.round((i * 360) / n)} 70% ${i % 2 ? 58 : 40}%)`]),
  );
}
