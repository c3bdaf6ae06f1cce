// TF.js against ONNX Runtime on VGG16's convolutional base at 224x224 (Keras' layers[:19]),
// measured in one process: throughput, GFLOP/s, their ratio, the agreement of the two outputs,
// and the time each engine takes to fill a feature cache of 200 images.
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { initBackend } from "../lib/backend/init-backend.ts";
import type { LayersModel } from "../lib/tf.ts";
import { vgg16 } from "../lib/model/vgg16.ts";
import { FROZEN_ALL_CONV } from "../lib/model/layer-table.ts";
import type { EngineOutput, InferenceEngine } from "../lib/engine/inference-engine.ts";
import { TfjsEngine } from "../lib/engine/tfjs-engine.ts";
import { OnnxEngine } from "../lib/engine/onnx-engine.ts";
import { maxRelativeError } from "../lib/engine/compare-outputs.ts";
import type { BenchRow, BenchSection } from "./section.ts";

const SIZE = 224;
const BATCH = 4;
/** Timed batches per engine for the throughput figure (after one warm-up batch). */
const RATE_BATCHES = 3;
const FILL_IMAGES = 200;
const IMAGE_VALUES = SIZE * SIZE * 3;

/** Floating-point operations of one image through the model's convolutions (2 per multiply-add). */
export function convFlopsPerImage(model: LayersModel): number {
  let flops = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== "Conv2D") continue;
    const [, h, w, cout] = layer.outputShape as number[];
    const kernel = layer.getWeights()[0].shape as number[]; // [kh, kw, cin, cout]
    flops += 2 * h * w * cout * kernel[0] * kernel[1] * kernel[2];
  }
  return flops;
}

/** Caffe-range pixels, different per seed, so no engine can reuse a result. */
function batchOfImages(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: count * IMAGE_VALUES }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 255 - 124;
  });
}

/**
 * Seconds each engine spends on the same batches, taking turns batch by batch, so that both
 * see the same machine: on a shared box a load spike then slows both instead of skewing the ratio.
 */
async function interleaved(
  engines: InferenceEngine[],
  batches: number,
  input: (i: number) => Float32Array,
  keep: (engine: number, batch: number, out: EngineOutput) => void = () => {},
): Promise<number[]> {
  const seconds = engines.map(() => 0);
  for (let i = 0; i < batches; i++) {
    const x = input(i);
    for (const [e, engine] of engines.entries()) {
      const start = performance.now();
      const out = await engine.run(x, x.length / IMAGE_VALUES);
      seconds[e] += (performance.now() - start) / 1000;
      keep(e, i, out);
    }
  }
  return seconds;
}

/** The GFLOP/s target assumes AVX-512 cores; say whether these have it (Linux only). */
function avx512Row(): BenchRow[] {
  if (!existsSync("/proc/cpuinfo")) return [];
  const value = /\bavx512f\b/.test(readFileSync("/proc/cpuinfo", "utf8")) ? 1 : 0;
  return [{ key: "cpu_avx512", label: "CPU has AVX-512 (1) or not (0)", value, unit: "" }];
}

async function run(): Promise<BenchRow[]> {
  const backend = (await initBackend()).name;
  const base = vgg16({ includeTop: false, inputShape: [SIZE, SIZE, 3], seed: 7 });
  const gflop = convFlopsPerImage(base) / 1e9;
  const tfjs = TfjsEngine.create(base, { prefixLayers: FROZEN_ALL_CONV });
  const ort = await OnnxEngine.create(base, { prefixLayers: FROZEN_ALL_CONV });
  const engines = [tfjs, ort];
  const loadBefore = loadavg()[0];
  try {
    const probe = batchOfImages(2, 99);
    const outputs: Float32Array[] = [];
    await interleaved(engines, 1, () => probe, (e, _i, out) => (outputs[e] = out.data)); // also the warm-up
    const agreement = maxRelativeError(outputs[1], outputs[0]);
    const perImage = outputs[0].length / 2; // 7 x 7 x 512

    const same = batchOfImages(BATCH, 1);
    const [tfjsRate, ortRate] = (await interleaved(engines, RATE_BATCHES, () => same)).map((s) => (RATE_BATCHES * BATCH) / s);

    // FILL_IMAGES distinct images; every activation is kept, as the cache keeps them
    const features = engines.map(() => new Float32Array(FILL_IMAGES * perImage));
    const fillInput = (i: number) => batchOfImages(Math.min(BATCH, FILL_IMAGES - i * BATCH), 1000 + i);
    const keep = (e: number, i: number, out: EngineOutput) => features[e].set(out.data, i * BATCH * perImage);
    const [tfjsFill, ortFill] = await interleaved(engines, Math.ceil(FILL_IMAGES / BATCH), fillInput, keep);

    const tf = `TF.js ${backend}`;
    return [
      { key: "conv_base_tfjs_img_per_s", label: `conv base 224x224, ${tf}`, value: tfjsRate, unit: "images/s" },
      { key: "conv_base_onnxruntime_img_per_s", label: "conv base 224x224, ONNX Runtime", value: ortRate, unit: "images/s" },
      { key: "conv_base_tfjs_gflop_per_s", label: `conv base 224x224, ${tf}`, value: tfjsRate * gflop, unit: "GFLOP/s" },
      { key: "conv_base_onnxruntime_gflop_per_s", label: "conv base 224x224, ONNX Runtime (target >= 120)", value: ortRate * gflop, unit: "GFLOP/s" },
      { key: "conv_base_onnxruntime_over_tfjs_ratio", label: `ONNX Runtime / ${tf} speed (target >= 4)`, value: ortRate / tfjsRate, unit: "x" },
      { key: "conv_base_onnxruntime_vs_tfjs_max_rel_error", label: "ONNX Runtime vs TF.js conv-base output, max relative error", value: agreement, unit: "" },
      { key: "feature_cache_fill_200_tfjs_s", label: `fill feature cache, ${FILL_IMAGES} images, ${tf}`, value: tfjsFill, unit: "s" },
      { key: "feature_cache_fill_200_onnxruntime_s", label: `fill feature cache, ${FILL_IMAGES} images, ONNX Runtime`, value: ortFill, unit: "s" },
      { key: "feature_cache_fill_tfjs_over_onnxruntime_ratio", label: `fill time ${tf} / ONNX Runtime`, value: tfjsFill / ortFill, unit: "x" },
      // context for the figures above: these cores are shared with whatever else runs
      { key: "onnx_section_load_avg_1m", label: "1-min load average, higher of start and end of this section", value: Math.max(loadBefore, loadavg()[0]), unit: "" },
      ...avx512Row(),
    ];
  } finally {
    await Promise.all(engines.map((e) => e.dispose()));
    base.dispose();
  }
}

export const onnxSection: BenchSection = { name: "ONNX Runtime vs TF.js (conv base, feature-cache fill)", run };
