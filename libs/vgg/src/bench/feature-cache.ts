// The feature cache's payoff: 5 epochs over 200 images at 224x224 with VGG16's conv base
// frozen (layers[:19]) and the seed's fc2 head, in one process: uncached as fit runs it
// (the prefix every batch on the inference engine fit picks, ONNX Runtime on CPU here),
// uncached with the prefix on TF.js (the backend in use), and cached (the prefix once per
// image, then the head alone). With the prefix on one engine, 5 uncached epochs compute
// it 5 times and the cached run once, so that ratio stays below 5 whatever the speed.
// The TF.js-prefix run takes about 35 minutes on 2 cores: by default one batch of 32 is
// timed and scaled per image to 5 x 200 images; the label says so.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { initBackend } from "../lib/backend/init-backend.ts";
import { vgg16 } from "../lib/model/vgg16.ts";
import { transfer } from "../lib/model/transfer.ts";
import { FROZEN_ALL_CONV } from "../lib/model/layer-table.ts";
import { arrayBatches } from "../lib/train/batches.ts";
import { fit, type FitHistory } from "../lib/train/fit.ts";
import { sgd } from "../lib/train/optimizers.ts";
import { leftRightImages } from "../lib/train/synthetic-images.ts";
import type { BenchRow, BenchSection } from "./section.ts";

const IMAGES = 200;
const EPOCHS = 5;
const BATCH = 32;
/** THAW_BENCH_UNCACHED_FULL=1 times the whole TF.js-prefix run instead of one batch. */
const FULL = process.env.THAW_BENCH_UNCACHED_FULL === "1";

async function run(): Promise<BenchRow[]> {
  const backend = (await initBackend()).name;
  const model = transfer(vgg16({ seed: 1 }), { frozenLayers: FROZEN_ALL_CONV, classes: 2, head: "fc2", seed: 2 });
  const images = leftRightImages(IMAGES, 224, 5);
  const source = (count: number) => arrayBatches(images.x.subarray(0, count * 224 * 224 * 3), images.labels.slice(0, count), [count, 224, 224, 3], 2, { batchSize: BATCH, shuffleSeed: 1 });
  const seconds = (history: FitHistory) => history.epochs.reduce((sum, e) => sum + e.duration, 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "thaw-bench-features-"));
  try {
    const uncached = await fit(model, source(IMAGES), { epochs: EPOCHS, optimizer: sgd(1e-4, 0.9) });
    const uncachedTotal = seconds(uncached);

    const tfjsPrefix = await fit(model, source(FULL ? IMAGES : BATCH), { epochs: FULL ? EPOCHS : 1, optimizer: sgd(1e-4, 0.9), prefixEngine: "tfjs" });
    const tfjsPrefixTotal = FULL ? seconds(tfjsPrefix) : (seconds(tfjsPrefix) / BATCH) * IMAGES * EPOCHS;

    const start = performance.now();
    const cached = await fit(model, source(IMAGES), {
      epochs: EPOCHS,
      optimizer: sgd(1e-4, 0.9),
      featureCache: { dir, datasetFingerprint: "bench-left-right-200", augmented: false },
    });
    const cachedTotal = (performance.now() - start) / 1000;
    const later = cached.epochs.slice(1).map((e) => e.duration);
    const derived = FULL ? "measured" : `derived: one batch of ${BATCH} measured, x ${(IMAGES * EPOCHS) / BATCH} per image`;
    model.dispose();
    const head = cached.engine.name;
    return [
      { key: "uncached_5ep_200img_s", label: `${EPOCHS} epochs x ${IMAGES} images, uncached (measured; prefix on ${uncached.prefixEngine?.name}, head on ${uncached.engine.name})`, value: uncachedTotal, unit: "s" },
      { key: "uncached_tfjs_prefix_5ep_200img_s", label: `${EPOCHS} epochs x ${IMAGES} images, uncached, prefix on TF.js ${backend} (${derived})`, value: tfjsPrefixTotal, unit: "s" },
      { key: "cached_5ep_200img_s", label: `${EPOCHS} epochs x ${IMAGES} images, feature cache (measured; filled by ${cached.featureCache?.engine}, head on ${head})`, value: cachedTotal, unit: "s" },
      { key: "cached_epoch1_fill_s", label: "  of which epoch 1 (computes and stores the 200 prefix outputs)", value: cached.epochs[0].duration, unit: "s" },
      { key: "cached_later_epoch_s", label: "  each later epoch (head only, features read from disk)", value: later.reduce((a, b) => a + b, 0) / later.length, unit: "s" },
      { key: "uncached_tfjs_prefix_over_cached_ratio", label: "uncached with the prefix on TF.js / cached (target >= 10)", value: tfjsPrefixTotal / cachedTotal, unit: "x" },
      { key: "uncached_over_cached_ratio", label: "uncached as fit runs it / cached (one engine for the prefix: below 5 at 5 epochs)", value: uncachedTotal / cachedTotal, unit: "x" },
    ];
  } finally {
    // No dispose here on failure: a wasm abort leaves the heap unusable and disposing would hide the error.
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const featureCacheSection: BenchSection = { name: "feature cache: 5 epochs x 200 images, uncached vs cached", run };
