// Fine-tuning at real size: VGG16 width 1 at 224x224 with the seed's fc2 head, one training
// step of the layers after the frozen prefix on the engine fit picks, from cached prefix
// features (frozen 19, 17, 15, 11) or from raw images (frozen 0), with the peak RSS of the
// process; beside each, PyTorch on the same cores training the same layers
// (../shared/peer/tbench.py), run right after ours so the two never share the cores.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { cpus } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { initBackend } from "../lib/backend/init-backend.ts";
import { OnnxEngine } from "../lib/engine/onnx-engine.ts";
import { preprocessPixels } from "../lib/preprocess.ts";
import { leftRightImages } from "../lib/train/synthetic-images.ts";
import { vgg16 } from "../lib/model/vgg16.ts";
import { transfer } from "../lib/model/transfer.ts";
import { sgd } from "../lib/train/optimizers.ts";
import { planTraining } from "../lib/train/plan.ts";
import { OrtTrainingEngine } from "../lib/train/suffix/ort-training-engine.ts";
import { TRAINING_ALLOCATOR_ENV } from "./allocator.ts";
import type { BenchRow, BenchSection } from "./section.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const PEER = process.env.THAW_PEER_DIR ?? path.resolve(here, "../../../../../shared/peer");
/**
 * Untimed graph runs first: the process's heap grows to its peak over them (several GB of
 * fresh pages, each faulted and zeroed once), which made the first timed runs of frozen 15
 * 3x slower than the rest (6, 15, then 18-23 images/s on a Zen 4). Their rate is reported on
 * its own row; a real epoch pays it once.
 */
const WARMUP_RUNS = 3;
/** Timed graph runs after those (and PyTorch's timed steps); the median per-step rate is reported. */
const RUNS = Number(process.env.THAW_BENCH_RUNS ?? 7);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * PyTorch's median rate for a tbench.py measure, or undefined (with the reason printed) when
 * Debian's python3-torch is not installed. Uses OpenBLAS' OpenMP build as the README says;
 * `allocator` gives PyTorch the allocator settings Thaw trains with, else glibc's defaults
 * (how the peer's README runs it).
 */
function peer(measure: string, allocator: boolean): number | undefined {
  const script = path.join(PEER, "tbench.py");
  if (!fs.existsSync(script)) {
    console.log(`PyTorch peer skipped: ${script} not found (set THAW_PEER_DIR)`);
    return undefined;
  }
  const avx512 = cpus().length > 0 && fs.readFileSync("/proc/cpuinfo", "utf8").includes("avx512f");
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !(key in TRAINING_ALLOCATOR_ENV)));
  const env = { ...(allocator ? { ...base, ...TRAINING_ALLOCATOR_ENV } : base), LD_LIBRARY_PATH: "/usr/lib/x86_64-linux-gnu/openblas-openmp", OPENBLAS_CORETYPE: avx512 ? "SkylakeX" : "Haswell" };
  const result = spawnSync("/usr/bin/python3", [script, measure, String(RUNS)], { env, encoding: "utf8", timeout: 30 * 60_000 });
  const rates = result.stdout
    .split("\n")
    .filter((line) => line.startsWith("RESULT "))
    .map((line) => Number(line.split(" ")[3]));
  if (rates.length === 0) {
    console.log(`PyTorch peer ${measure} gave no result: ${(result.stderr || result.error?.message || "").trim().split("\n").at(-1)} (apt-get install python3-torch python3-torchvision libopenblas0-openmp)`);
    return undefined;
  }
  return median(rates);
}

interface Case {
  frozen: number;
  batch: number;
  /** tbench.py's measure of the same work, if it has one. */
  peer?: string;
  /** What the peer measures when it is not the same work. */
  peerNote?: string;
}

async function measure({ frozen, batch, peer: measureName, peerNote }: Case): Promise<BenchRow[]> {
  await initBackend("wasm");
  const model = transfer(vgg16({ seed: 1 }), { frozenLayers: frozen, classes: 2, head: "fc2", seed: 2 });
  const plan = await planTraining(model, { batchSize: batch });
  const engine = await OrtTrainingEngine.create(model, plan.suffix!, sgd(1e-4, 0.9), plan.reason);
  // a separable batch (left-bright vs right-bright images) through the frozen prefix, as the cache holds it
  const images = leftRightImages(batch, 224, 7);
  let x = preprocessPixels(images.x, 3);
  if (plan.prefixLayers > 1) {
    const prefix = await OnnxEngine.create(model, { prefixLayers: plan.prefixLayers });
    x = (await prefix.run(x, batch)).data;
    await prefix.dispose();
  }
  const y = new Float32Array(batch * 2);
  images.labels.forEach((label, i) => (y[i * 2 + label] = 1));
  const feeds = Array.from({ length: engine.stepsPerRun }, () => ({ x, shape: [batch, ...plan.inputShape], y, classes: 2 }));
  const losses: number[] = [];
  const rates: number[] = [];
  const cpuMs: number[] = [];
  let warmupSeconds = 0;
  for (let run = 0; run < WARMUP_RUNS + RUNS; run++) {
    const [t0, c0] = [performance.now(), process.cpuUsage()];
    const results = await engine.trainBatches(feeds);
    const [seconds, cpu] = [(performance.now() - t0) / 1000, process.cpuUsage(c0)];
    losses.push(...results.map((r) => r.loss));
    if (run < WARMUP_RUNS) warmupSeconds += seconds;
    else {
      rates.push((batch * feeds.length) / seconds);
      cpuMs.push((cpu.user + cpu.system) / 1000 / (batch * feeds.length));
    }
  }
  const warmupRate = (WARMUP_RUNS * batch * feeds.length) / warmupSeconds;
  await engine.dispose();
  model.dispose();
  // the same batch again and again: a training step that learns must lower its loss
  if (!losses.every(Number.isFinite) || !(losses.at(-1)! < losses[0])) throw new Error(`frozen ${frozen}: the loss did not fall over ${losses.length} steps on one separable batch: ${losses.map((l) => l.toFixed(4)).join(", ")}`);
  const rss = process.resourceUsage().maxRSS / 2 ** 20;
  const ours = median(rates);
  // PyTorch twice: as its README runs it, and with Thaw's allocator settings (on VMs where fresh
  // pages are dear they speed PyTorch up too); the ratio is taken against the faster of the two
  const [plain, tuned] = measureName ? [peer(measureName, false), peer(measureName, true)] : [undefined, undefined];
  const theirs = plain === undefined || tuned === undefined ? (plain ?? tuned) : Math.max(plain, tuned);
  const source = frozen === 0 ? "raw images" : "cached features";
  const label = `frozen ${frozen}, fc2 head, batch ${batch}, from ${source} (${engine.stepsPerRun} step(s)/run)`;
  const key = `finetune_frozen${frozen}_batch${batch}`;
  console.log(`${label}: first ${WARMUP_RUNS} runs ${warmupRate.toFixed(1)} images/s, then ${rates.map((r) => r.toFixed(1)).join(" ")} images/s, CPU ${median(cpuMs).toFixed(1)} ms/image, loss ${losses[0].toFixed(3)} -> ${losses.at(-1)!.toFixed(3)}, peak RSS ${rss.toFixed(2)} GB`);
  const rows: BenchRow[] = [
    { key: `${key}_img_per_s`, label: `Thaw ${label}`, value: ours, unit: "images/s" },
    { key: `${key}_cpu_ms_per_img`, label: `Thaw ${label}, CPU time`, value: median(cpuMs), unit: "ms/image" },
    { key: `${key}_first_runs_img_per_s`, label: `Thaw ${label}, first ${WARMUP_RUNS} runs (heap growing)`, value: warmupRate, unit: "images/s" },
    { key: `${key}_peak_rss_gb`, label: `Thaw ${label}, peak RSS`, value: rss, unit: "GB" },
  ];
  if (theirs !== undefined) {
    const note = peerNote ? ` (${peerNote})` : "";
    if (plain !== undefined) rows.push({ key: `${key}_pytorch_img_per_s`, label: `PyTorch ${measureName}, glibc malloc defaults${note}`, value: plain, unit: "images/s" });
    if (tuned !== undefined) rows.push({ key: `${key}_pytorch_tuned_malloc_img_per_s`, label: `PyTorch ${measureName}, Thaw's allocator settings${note}`, value: tuned, unit: "images/s" });
    if (!peerNote) rows.push({ key: `${key}_ratio_vs_pytorch`, label: `ratio Thaw / PyTorch (the faster of the two), frozen ${frozen}`, value: ours / theirs, unit: "x" });
  }
  return rows;
}

const CASES: Case[] = [
  { frozen: 19, batch: 32, peer: "train_cls" },
  { frozen: 17, batch: 16 },
  { frozen: 15, batch: 16, peer: "ft15_cached" },
  { frozen: 11, batch: 16, peer: "ft11_cached" },
  { frozen: 0, batch: 16, peer: "train_full", peerNote: "frozen conv base + head from raw images: a lower bound of frozen 0's work, not a peer" },
];

/** One section per case: each runs in its own process, so its peak RSS is its own. */
export const finetuneSections: BenchSection[] = CASES.map((c) => ({ name: `finetune frozen ${c.frozen}`, run: () => measure(c) }));
