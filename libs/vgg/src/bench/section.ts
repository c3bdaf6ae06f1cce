// A bench section measures some figures; src/bench.ts runs every section in one process and
// prints one table, so that ratios compare numbers measured under the same conditions.
export interface BenchRow {
  /** JSON key with its unit in the name, e.g. `conv_base_img_per_s`. */
  key: string;
  label: string;
  value: number;
  unit: string;
}

export interface BenchSection {
  name: string;
  run(): Promise<BenchRow[]>;
}
