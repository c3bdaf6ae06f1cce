// One training step of the seed's configuration: full VGG16 with its top at 224x224,
// layers[:19] frozen, Dense(2, softmax) on fc2, SGD with momentum, batch 32, through fit.
import { initBackend } from "../lib/backend/init-backend.ts";
import { vgg16 } from "../lib/model/vgg16.ts";
import { transfer } from "../lib/model/transfer.ts";
import { FROZEN_ALL_CONV } from "../lib/model/layer-table.ts";
import { arrayBatches } from "../lib/train/batches.ts";
import { fit } from "../lib/train/fit.ts";
import { sgd } from "../lib/train/optimizers.ts";
import { leftRightImages } from "../lib/train/synthetic-images.ts";
import type { BenchRow, BenchSection } from "./section.ts";

const BATCH = 32;

/** Seconds of one fit epoch made of a single batch of `count` images, and the engines that ran it. */
async function step(model: ReturnType<typeof transfer>, count: number): Promise<{ seconds: number; engine: string; prefix: string }> {
  const images = leftRightImages(count, 224, count);
  const history = await fit(model, arrayBatches(images.x, images.labels, images.shape, 2, { batchSize: count }), { epochs: 1, optimizer: sgd(1e-4, 0.9) });
  return { seconds: history.epochs[0].duration, engine: history.engine.name, prefix: history.prefixEngine?.name ?? "none" };
}

async function run(): Promise<BenchRow[]> {
  const backend = (await initBackend()).name;
  const model = transfer(vgg16({ seed: 1 }), { frozenLayers: FROZEN_ALL_CONV, classes: 2, head: "fc2", seed: 2 });
  // No warm-up step: fc1's weights change every step, so the packing a first call pays recurs anyway.
  const { seconds, engine, prefix } = await step(model, BATCH);
  model.dispose();
  const label = `train step, VGG16 frozen 19, fc2 head, batch ${BATCH} (prefix on ${prefix}, head on ${engine}; TF.js backend ${backend})`;
  return [
    { key: "train_step_frozen19_batch32_img_per_s", label, value: BATCH / seconds, unit: "images/s" },
    { key: "train_step_frozen19_batch32_s", label, value: seconds, unit: "s" },
  ];
}

export const trainStepSection: BenchSection = { name: "training step (seed's configuration)", run };
