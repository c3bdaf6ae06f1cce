/**
 * `npm run bench -w @thaw/data`: decode + resize throughput on Dogs-vs-Cats-sized JPEGs
 * (500x375, synthesized) to 224x224, one image at a time vs the flowFromDirectory pipeline,
 * and memory while streaming 5,000 images. Figures go to bench-results/data.json.
 */
import { linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fingerprintDataset, flowFromDirectory, synthesizeDataset, type FlowOptions } from "./index.ts";
import { readRgb } from "./lib/decode.ts";
import { fullBox, resizeInto } from "./lib/resize.ts";

const DISTINCT = 500;
const STREAM = 5000;
const TARGET: [number, number] = [224, 224];
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const mb = (bytes: number) => bytes / 2 ** 20;

/** Samples RSS every 10 ms; the pipeline yields to the event loop between batches, so samples land during streaming. */
function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  return {
    peek: () => Math.max(peak, process.memoryUsage().rss),
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

async function sequential(files: string[]): Promise<{ imgPerS: number; cpuMsPerImg: number }> {
  const out = new Float32Array(TARGET[0] * TARGET[1] * 3);
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (const file of files) {
    const image = await readRgb(file);
    resizeInto(image, TARGET[1], TARGET[0], "nearest", fullBox(image), out, 0);
  }
  const used = process.cpuUsage(cpu);
  return { imgPerS: files.length / ((performance.now() - start) / 1000), cpuMsPerImg: (used.user + used.system) / 1000 / files.length };
}

async function pipeline(dir: string, options: Partial<FlowOptions>): Promise<{ imgPerS: number; cores: number; cpuMsPerImg: number }> {
  const flow = await flowFromDirectory(dir, { targetSize: TARGET, batchSize: 32, seed: 1, ...options });
  const cpu = process.cpuUsage();
  const start = performance.now();
  let images = 0;
  for await (const batch of flow) images += batch.shape[0];
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return { imgPerS: images / seconds, cores: cpuSeconds / seconds, cpuMsPerImg: (cpuSeconds * 1000) / images };
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), "thaw-data-bench-"));
  try {
    console.log(`synthesizing ${DISTINCT} JPEGs of 500x375 ...`);
    const distinct = path.join(work, "distinct");
    const made = await synthesizeDataset(distinct, { classes: ["cat", "dog"], perClass: DISTINCT / 2, size: { width: 500, height: 375 }, format: "jpeg", quality: 90, seed: 1 });
    const files = made.files.map((rel) => path.join(distinct, ...rel.split("/")));
    // 5,000 paths for the streaming run: each picture hard-linked 10 times (decoding cost and
    // memory depend on the number of images decoded, not on their being different).
    const stream = path.join(work, "stream");
    for (const cls of made.classNames) {
      mkdirSync(path.join(stream, cls), { recursive: true });
      const pictures = readdirSync(path.join(distinct, cls));
      for (let i = 0; i < STREAM / made.classNames.length; i++) {
        linkSync(path.join(distinct, cls, pictures[i % pictures.length]), path.join(stream, cls, `${cls}.${i}.jpg`));
      }
    }
    await sequential(files.slice(0, 20));

    const seq = await sequential(files);
    const nearest = await pipeline(distinct, {});
    const bilinear = await pipeline(distinct, { interpolation: "bilinear" });

    const sampler = rssSampler();
    const baseline = process.memoryUsage().rss;
    const flow = await flowFromDirectory(stream, { targetSize: TARGET, batchSize: 32, seed: 2 });
    let seen = 0;
    let peakAt1000 = 0;
    const start = performance.now();
    for await (const batch of flow) {
      seen += batch.shape[0];
      if (peakAt1000 === 0 && seen >= 1000) peakAt1000 = sampler.peek();
    }
    const streamSeconds = (performance.now() - start) / 1000;
    const peak = sampler.stop();

    const fingerprintStart = performance.now();
    await fingerprintDataset(stream, { cacheDir: path.join(work, "cache") });
    const fingerprintFirst = performance.now() - fingerprintStart;
    const cachedStart = performance.now();
    const cached = await fingerprintDataset(stream, { cacheDir: path.join(work, "cache") });
    const fingerprintCached = performance.now() - cachedStart;

    const figures = {
      decode_sequential_img_per_s: Math.round(seq.imgPerS * 10) / 10,
      decode_sequential_cpu_ms_per_img: Math.round(seq.cpuMsPerImg * 100) / 100,
      decode_pipeline_img_per_s: Math.round(nearest.imgPerS * 10) / 10,
      pipeline_speedup_x: Math.round((nearest.imgPerS / seq.imgPerS) * 100) / 100,
      pipeline_cpu_cores: Math.round(nearest.cores * 100) / 100,
      pipeline_cpu_ms_per_img: Math.round(nearest.cpuMsPerImg * 100) / 100,
      pipeline_capacity_2_free_cores_img_per_s: Math.round(2000 / nearest.cpuMsPerImg),
      decode_pipeline_bilinear_img_per_s: Math.round(bilinear.imgPerS * 10) / 10,
      stream_images: seen,
      stream_img_per_s: Math.round((seen / streamSeconds) * 10) / 10,
      stream_decoded_mb: Math.round(mb(seen * TARGET[0] * TARGET[1] * 3 * 4)),
      stream_rss_before_mb: Math.round(mb(baseline)),
      stream_peak_rss_first_1000_mb: Math.round(mb(peakAt1000)),
      stream_peak_rss_mb: Math.round(mb(peak)),
      stream_rss_growth_1000_to_5000_mb: Math.round(mb(peak - peakAt1000)),
      fingerprint_5000_first_ms: Math.round(fingerprintFirst),
      fingerprint_5000_cached_ms: Math.round(fingerprintCached),
      fingerprint_cached_files: cached.cachedFiles,
      load_average_1m: Math.round(os.loadavg()[0] * 100) / 100,
      cpus: os.availableParallelism(),
    };
    const rows: [string, string][] = [
      ["images", `${DISTINCT} JPEG 500x375 (q90) -> 224x224 nearest, float32 NHWC`],
      ["one at a time (decode + resize)", `${figures.decode_sequential_img_per_s} img/s  (${figures.decode_sequential_cpu_ms_per_img} CPU ms/img)`],
      ["pipeline (batch 32, prefetch 2, 8 decodes in flight)", `${figures.decode_pipeline_img_per_s} img/s  (${figures.pipeline_speedup_x}x, ${figures.pipeline_cpu_cores} cores busy)`],
      ["pipeline CPU cost -> rate if 2 cores were free", `${figures.pipeline_cpu_ms_per_img} CPU ms/img -> ${figures.pipeline_capacity_2_free_cores_img_per_s} img/s`],
      ["pipeline, bilinear", `${figures.decode_pipeline_bilinear_img_per_s} img/s`],
      [`streaming ${seen} images`, `${figures.stream_img_per_s} img/s, ${figures.stream_decoded_mb} MiB of float32 pixels in total`],
      ["RSS before / peak in first 1,000 / peak over all", `${figures.stream_rss_before_mb} / ${figures.stream_peak_rss_first_1000_mb} / ${figures.stream_peak_rss_mb} MiB`],
      ["RSS growth from image 1,000 to 5,000", `${figures.stream_rss_growth_1000_to_5000_mb} MiB`],
      ["fingerprint of 5,000 files: first / cached", `${figures.fingerprint_5000_first_ms} / ${figures.fingerprint_5000_cached_ms} ms (${cached.cachedFiles} of ${cached.files} from cache)`],
      ["machine", `${figures.cpus} cores, load average ${figures.load_average_1m} (shared)`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n"));
    console.log(`target: >= 250 img/s on 2 cores -> ${nearest.imgPerS >= 250 ? "met" : "NOT met"}`);
    mkdirSync(path.join(repoRoot, "bench-results"), { recursive: true });
    writeFileSync(path.join(repoRoot, "bench-results", "data.json"), `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`wrote ${path.join(repoRoot, "bench-results", "data.json")}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
