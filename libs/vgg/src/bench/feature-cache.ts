// The feature cache's payoff: 5 epochs over 200 images at 224x224 with VGG16's conv base
// frozen (layers[:19]) and the seed's fc2 head, uncached against cached, in one process.
// The uncached run recomputes the conv base every batch (~2-4 s per image on 2 cores, an
// hour for the whole run), so by default one batch of 32 is timed and scaled per image to
// 5 x 200 images; the label says so. The cached run is timed whole, filling included.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { initBackend } from "../lib/backend/init-backend.ts";
import { vgg16 } from "../lib/model/vgg16.ts";
import { transfer } from "../lib/model/transfer.ts";
import { FROZEN_ALL_CONV } from "../lib/model/layer-table.ts";
import { arrayBatches } from "../lib/train/batches.ts";
import { fit } from "../lib/train/fit.ts";
import { sgd } from "../lib/train/optimizers.ts";
import { leftRightImages } from "../lib/train/synthetic-images.ts";
import type { BenchRow, BenchSection } from "./section.ts";

const IMAGES = 200;
const EPOCHS = 5;
const BATCH = 32;
/** THAW_BENCH_UNCACHED_FULL=1 times the whole uncached run (about an hour on 2 cores) instead of one batch. */
const FULL = process.env.THAW_BENCH_UNCACHED_FULL === "1";

async function run(): Promise<BenchRow[]> {
  const backend = (await initBackend()).name;
  const model = transfer(vgg16({ seed: 1 }), { frozenLayers: FROZEN_ALL_CONV, classes: 2, head: "fc2", seed: 2 });
  const images = leftRightImages(IMAGES, 224, 5);
  const source = (count: number) => arrayBatches(images.x.subarray(0, count * 224 * 224 * 3), images.labels.slice(0, count), [count, 224, 224, 3], 2, { batchSize: BATCH, shuffleSeed: 1 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "thaw-bench-features-"));
  try {
    const uncached = await fit(model, source(FULL ? IMAGES : BATCH), { epochs: FULL ? EPOCHS : 1, optimizer: sgd(1e-4, 0.9) });
    const uncachedSeconds = uncached.epochs.reduce((sum, e) => sum + e.duration, 0);
    const uncachedTotal = FULL ? uncachedSeconds : (uncachedSeconds / BATCH) * IMAGES * EPOCHS;

    const start = performance.now();
    const cached = await fit(model, source(IMAGES), {
      epochs: EPOCHS,
      optimizer: sgd(1e-4, 0.9),
      featureCache: { dir, datasetFingerprint: "bench-left-right-200", augmented: false },
    });
    const cachedTotal = (performance.now() - start) / 1000;
    const later = cached.epochs.slice(1).map((e) => e.duration);
    const laterEpoch = later.reduce((a, b) => a + b, 0) / later.length;
    const derived = FULL ? "measured" : `derived: one batch of ${BATCH} measured, x ${(IMAGES * EPOCHS) / BATCH} per image`;
    // What the uncached run would take if its prefix ran on the fill's engine too: the fill
    // (epoch 1 less one head-only epoch) every epoch. At 5 epochs such a ratio cannot pass 5.
    const fillSeconds = cached.epochs[0].duration - laterEpoch;
    const sameEngineUncached = EPOCHS * (fillSeconds + laterEpoch);
    model.dispose();
    return [
      { key: "uncached_5ep_200img_s", label: `${EPOCHS} epochs x ${IMAGES} images, uncached (prefix on ${backend}, head on ${uncached.engine.name}; ${derived})`, value: uncachedTotal, unit: "s" },
      { key: "cached_5ep_200img_s", label: `${EPOCHS} epochs x ${IMAGES} images, feature cache (measured; filled by ${cached.featureCache?.engine}, head on ${cached.engine.name})`, value: cachedTotal, unit: "s" },
      { key: "cached_epoch1_fill_s", label: "  of which epoch 1 (computes and stores the 200 prefix outputs)", value: cached.epochs[0].duration, unit: "s" },
      { key: "cached_later_epoch_s", label: "  each later epoch (head only, features read from disk)", value: laterEpoch, unit: "s" },
      { key: "uncached_over_cached_ratio", label: "uncached / cached time (target >= 10)", value: uncachedTotal / cachedTotal, unit: "x" },
      { key: "same_engine_uncached_over_cached_ratio", label: `  reference: uncached with the prefix on ${cached.featureCache?.engine} too (derived from the cached run) / cached`, value: sameEngineUncached / cachedTotal, unit: "x" },
    ];
  } finally {
    // No dispose here on failure: a wasm abort leaves the heap unusable and disposing would hide the error.
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const featureCacheSection: BenchSection = { name: "feature cache: 5 epochs x 200 images, uncached vs cached", run };
