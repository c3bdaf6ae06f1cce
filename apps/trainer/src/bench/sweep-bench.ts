// `npm run bench -w @thaw/trainer`: what successive halving saves on the demo's target task.
// The 20 configurations frozen {0, 11, 15, 17, 19} x lr {1e-4, 3e-4, 1e-3, 3e-3}, each 20
// epochs from the demo's pretrained small VGG, run twice by a real `thaw worker` (one run at a
// time): as a full grid, and under ASHA (rungs at 1, 3 and 9 epochs, reduction factor 3; the
// scheduled grid is queued in a seeded random order). Target: ASHA's best
// validation accuracy within 1 point of the grid's with at most 40% of the grid's epochs.
// Writes bench-results/sweep.json. BENCH_SWEEP_EPOCHS shortens it for a smoke run.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openStore, type SchedulerConfig, type TrackingStore } from "@thaw/tracking";
import { synthesizeDataset } from "@thaw/data";
import { DEMO_PRETRAIN, demoSizes } from "../demo/demo.ts";
import { enqueueSearch, type RunSettings } from "../run/enqueue.ts";
import { planFromOptions } from "../run/plan.ts";
import { trainNow } from "../run/train-now.ts";
import { BIN } from "../testing/cli-harness.ts";

const EPOCHS = Number(process.env.BENCH_SWEEP_EPOCHS ?? 20);
const FROZEN = [0, 11, 15, 17, 19];
const LRS = [1e-4, 3e-4, 1e-3, 3e-3];
const ASHA: SchedulerConfig = { kind: "asha", minEpochs: 1, reductionFactor: 3 };

const root = path.resolve(fileURLToPath(new URL("../../../../", import.meta.url)));
const dir = mkdtempSync(path.join(os.tmpdir(), "thaw-sweep-bench-"));
process.env.THAW_HOME = path.join(dir, "home");
process.env.THAW_DB = path.join(dir, "thaw.db");

function worker(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "worker", "--once", "--concurrency", "1", "--poll", "200"], { env: process.env, stdio: ["ignore", "pipe", "inherit"] });
    child.stdout.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n")) if (/pruned at|FINISHED|FAILED/.test(line)) console.log(`  ${line.trim()}`);
    });
    child.on("exit", (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`thaw worker exited ${code}`))));
  });
}

async function summary(store: TrackingStore, sweepId: string) {
  const view = await store.getSweep(sweepId);
  const runs = (await store.listRuns({ sweepId, limit: 100 })).items;
  const best = runs.reduce((a, b) => ((b.bestValAccuracy ?? -1) > (a.bestValAccuracy ?? -1) ? b : a));
  return {
    runs: runs.length,
    failed: runs.filter((r) => r.status !== "FINISHED").length,
    pruned: view.pruned,
    epochs: view.epochsRun,
    bestValAccuracy: best.bestValAccuracy ?? 0,
    bestConfig: { frozenLayers: best.frozenLayers, learningRate: best.learningRate },
  };
}

try {
  const sizes = demoSizes(false);
  const store = await openStore({ path: process.env.THAW_DB });
  const demo = path.join(dir, "home", "demo");
  await synthesizeDataset(path.join(demo, "source"), { classes: sizes.source.classes, perClass: sizes.source.perClass, size: sizes.imageSize, seed: 1 });
  await synthesizeDataset(path.join(demo, "target"), { classes: sizes.target.classes, perClass: sizes.target.perClass, size: sizes.imageSize, seed: 2 });
  const model = { head: sizes.head, width: sizes.width, imageSize: sizes.imageSize, dropout: 0 };
  const settings = (data: typeof sizes.source, experiment: string, epochs: number): RunSettings => ({
    experiment,
    optimizer: "adam",
    momentum: 0.9,
    epochs,
    batch: data.batch,
    patience: epochs,
    imageSize: sizes.imageSize,
    augment: false,
    seed: 7,
    validationSplit: data.validationSplit,
    keepCheckpoints: 2,
    dropout: 0,
  });
  console.log("pretraining the demo's small VGG on the source data");
  const sourcePlan = await planFromOptions(store, { ...model, data: path.join(demo, "source"), base: "random" }, [0], [sizes.pretrainLr]);
  const pretrain = await trainNow(store, settings(sizes.source, DEMO_PRETRAIN, sizes.source.epochs), sourcePlan, 0, sizes.pretrainLr, () => {});
  if (pretrain.outcome !== "FINISHED") throw new Error(`pretraining ended ${pretrain.outcome}`);

  const plan = await planFromOptions(store, { ...model, data: path.join(demo, "target"), base: String(pretrain.runId) }, FROZEN, LRS);
  const space = { frozenLayers: { kind: "set" as const, values: FROZEN }, learningRate: { kind: "set" as const, values: LRS } };
  const results: Record<string, Awaited<ReturnType<typeof summary>> & { wallSeconds: number }> = {};
  for (const [name, scheduler] of [["grid", { kind: "none" }], ["asha", ASHA]] as const) {
    console.log(`${name}: ${FROZEN.length * LRS.length} configurations x ${EPOCHS} epochs`);
    const { sweep } = await enqueueSearch(store, settings(sizes.target, `bench-${name}`, EPOCHS), plan, { space, sampler: "grid", scheduler });
    const wallSeconds = await worker();
    results[name] = { ...(await summary(store, sweep.id)), wallSeconds };
  }
  await store.close();

  const { grid, asha } = results;
  const gap = (grid.bestValAccuracy - asha.bestValAccuracy) * 100;
  const epochShare = asha.epochs / grid.epochs;
  const figures = {
    task: `demo target: ${sizes.target.classes.length} classes x ${sizes.target.perClass} images, ${sizes.imageSize}px, width ${sizes.width}, head ${sizes.head}, from the demo's pretraining`,
    configurations: FROZEN.length * LRS.length,
    epochs_per_run: EPOCHS,
    scheduler: ASHA,
    grid,
    asha,
    best_gap_points: Number(gap.toFixed(2)),
    asha_epoch_share: Number(epochShare.toFixed(3)),
    target_within_1_point: gap <= 1,
    target_at_most_40_percent_epochs: epochShare <= 0.4,
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    load_average_at_end: os.loadavg().map((v) => Number(v.toFixed(2))),
  };
  console.log("");
  console.log("sweep   runs  pruned  epochs  best val_acc  best config            wall s");
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(7)} ${String(r.runs).padStart(4)} ${String(r.pruned).padStart(7)} ${String(r.epochs).padStart(7)} ${r.bestValAccuracy.toFixed(4).padStart(13)}  ` +
        `${`frozen ${r.bestConfig.frozenLayers} lr ${r.bestConfig.learningRate}`.padEnd(22)} ${r.wallSeconds.toFixed(0).padStart(6)}`,
    );
  }
  console.log(`\nASHA: best ${gap >= 0 ? gap.toFixed(2) + " points below" : (-gap).toFixed(2) + " points above"} the grid's (target <= 1), ${(epochShare * 100).toFixed(1)}% of its epochs (target <= 40%)`);
  const outDir = path.join(root, "bench-results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, "sweep.json"), JSON.stringify(figures, null, 2) + "\n");
  console.log(`figures written to ${path.join(outDir, "sweep.json")}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
