// VGG16's convolutional base (Keras' layers[:19]) forward at 224x224 on the TF.js backend
// in use: the cost every uncached training step pays for its frozen prefix.
import { tf, type Tensor } from "../lib/tf.ts";
import { initBackend } from "../lib/backend/init-backend.ts";
import { vgg16 } from "../lib/model/vgg16.ts";
import { preprocessInput } from "../lib/preprocess.ts";
import { leftRightImages } from "../lib/train/synthetic-images.ts";
import type { BenchRow, BenchSection } from "./section.ts";

/** Keras' figure: 15.5 G multiply-adds per 224x224 image through the conv base. */
export const CONV_BASE_GFLOP_PER_IMAGE = 31;
const BATCH = 2;
const RUNS = 2;

async function run(): Promise<BenchRow[]> {
  const backend = (await initBackend()).name;
  const base = vgg16({ includeTop: false, inputShape: [224, 224, 3], seed: 7 });
  const images = leftRightImages(BATCH, 224, 1);
  const forward = async () => {
    const y = tf.tidy(() => base.predict(preprocessInput(tf.tensor4d(images.x, images.shape))) as Tensor);
    await y.data();
    y.dispose();
  };
  await forward(); // warm-up: XNNPACK packs the filters once
  const start = performance.now();
  for (let i = 0; i < RUNS; i++) await forward();
  const imagesPerSecond = (BATCH * RUNS) / ((performance.now() - start) / 1000);
  base.dispose();
  return [
    { key: "conv_base_img_per_s", label: `VGG16 conv base forward 224x224 (${backend}, batch ${BATCH})`, value: imagesPerSecond, unit: "images/s" },
    { key: "conv_base_gflop_per_s", label: `VGG16 conv base forward 224x224 (${backend}, 31 GFLOP/image)`, value: imagesPerSecond * CONV_BASE_GFLOP_PER_IMAGE, unit: "GFLOP/s" },
  ];
}

export const convBaseSection: BenchSection = { name: "conv base forward", run };
