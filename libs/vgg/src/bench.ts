// `npm run bench -w @thaw/vgg`: runs every section under src/bench, prints one table and
// writes the figures to bench-results/vgg.json at the repository root. Each section runs in
// a fresh child process, one after the other: the wasm backend's heap is capped at 4 GB and
// never shrinks, and three full-size VGG16 runs in one process fragment it until an
// allocation of fc1's 411 MB fails (measured). A worker also trains one run per process.
import { spawn } from "node:child_process";
import fs from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchRow, BenchSection } from "./bench/section.ts";
import { convBaseSection } from "./bench/conv-base.ts";
import { trainStepSection } from "./bench/train-step.ts";
import { featureCacheSection } from "./bench/feature-cache.ts";
import { finetuneSections } from "./bench/finetune.ts";
import { gradCamSection } from "./bench/grad-cam.ts";
import { benchSectionEnv } from "./bench/allocator.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.resolve(here, "../../../bench-results/vgg.json");
const ROWS_MARK = "@@bench-rows ";

function isSection(value: unknown): value is BenchSection {
  return typeof value === "object" && value !== null && typeof (value as BenchSection).run === "function" && typeof (value as BenchSection).name === "string";
}

/** Every section, in a fixed order; the ONNX engine's file joins when present in this checkout. */
async function sections(): Promise<BenchSection[]> {
  const list = [convBaseSection, trainStepSection, featureCacheSection, ...finetuneSections, gradCamSection];
  const onnx = path.join(here, "bench", "onnx.ts");
  if (fs.existsSync(onnx)) list.push(...Object.values((await import(pathToFileURL(onnx).href)) as Record<string, unknown>).filter(isSection));
  return list;
}

function format(value: number): string {
  if (value === 0 || Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

function table(rows: BenchRow[]): string {
  const cells = rows.map((r) => [r.label, format(r.value), r.unit]);
  const widths = [0, 1, 2].map((c) => Math.max(...cells.map((row) => row[c].length), ["figure", "value", "unit"][c].length));
  const line = (row: string[]) => `${row[0].padEnd(widths[0])}  ${row[1].padStart(widths[1])}  ${row[2]}`;
  return [line(["figure", "value", "unit"]), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

/** Runs section `index` in a child (same Node flags, so tsx loads it); resolves its rows. */
function runChild(index: number): Promise<BenchRow[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--section", String(index)], { stdio: ["ignore", "pipe", "inherit"], env: benchSectionEnv() });
    let rows: BenchRow[] | undefined;
    readline.createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.startsWith(ROWS_MARK)) rows = JSON.parse(line.slice(ROWS_MARK.length)) as BenchRow[];
      else console.log(`  ${line}`);
    });
    child.on("close", (code) => (code === 0 && rows ? resolve(rows) : reject(new Error(`exit code ${code}`))));
  });
}

async function main(): Promise<void> {
  const all = await sections();
  const sectionFlag = process.argv.indexOf("--section");
  if (sectionFlag !== -1) {
    const rows = await all[Number(process.argv[sectionFlag + 1])].run();
    console.log(`${ROWS_MARK}${JSON.stringify(rows)}`);
    return;
  }
  // `-- --only finetune` runs the sections whose name starts with that word
  const onlyFlag = process.argv.indexOf("--only");
  const only = onlyFlag === -1 ? undefined : process.argv[onlyFlag + 1];
  const rows: BenchRow[] = [];
  const failed: string[] = [];
  const started = performance.now();
  console.log(`CPU: ${cpus()[0]?.model ?? "unknown"}, ${cpus().length} core(s); load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  for (const [index, section] of all.entries()) {
    if (only && !section.name.startsWith(only)) continue;
    const t0 = performance.now();
    console.log(`running: ${section.name}`);
    try {
      rows.push(...(await runChild(index)));
      console.log(`  done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    } catch (error) {
      failed.push(section.name);
      console.log(`  FAILED after ${((performance.now() - t0) / 1000).toFixed(0)} s: ${(error as Error).message}`);
    }
  }
  console.log(`\n${table(rows)}\n`);
  const figures = Object.fromEntries(rows.map((r) => [r.key, r.value]));
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  // a partial run (--only) updates its own figures and keeps the others
  const previous = only && fs.existsSync(RESULTS) ? (JSON.parse(fs.readFileSync(RESULTS, "utf8")) as Record<string, unknown>) : {};
  const machine = { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, load_average_end: loadavg()[0] };
  fs.writeFileSync(RESULTS, `${JSON.stringify({ ...previous, ...machine, total_s: (performance.now() - started) / 1000, ...figures, ...(failed.length ? { failed_sections: failed } : {}) }, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), RESULTS)}`);
  if (failed.length) process.exitCode = 1;
}

await main();
