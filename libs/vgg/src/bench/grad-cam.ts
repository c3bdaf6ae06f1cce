// Grad-CAM at real size (VGG16 width 1, 224x224, fc2 head, block5_conv3): one image explained
// on ONNX Runtime once the explainer is built (the dashboard keeps it with the champion),
// against TF.js' tf.grad on the backend at hand, on the same image.
import { initBackend } from "../lib/backend/init-backend.ts";
import { vgg16 } from "../lib/model/vgg16.ts";
import { transfer } from "../lib/model/transfer.ts";
import { gradCam } from "../lib/explain/grad-cam.ts";
import { createGradCam } from "../lib/explain/grad-cam-onnx.ts";
import { leftRightImages } from "../lib/train/synthetic-images.ts";
import type { BenchRow, BenchSection } from "./section.ts";

const IMAGES = 5;

async function run(): Promise<BenchRow[]> {
  const backend = (await initBackend()).name;
  const model = transfer(vgg16({ seed: 1 }), { frozenLayers: 19, classes: 2, head: "fc2", seed: 2 });
  const images = leftRightImages(IMAGES, 224, 3);
  const pixels = (i: number) => ({ data: images.x.subarray(i * 224 * 224 * 3, (i + 1) * 224 * 224 * 3), height: 224, width: 224 });
  let t0 = performance.now();
  const explainer = await createGradCam(model);
  const buildSeconds = (performance.now() - t0) / 1000;
  const times: number[] = [];
  for (let i = 0; i < IMAGES; i++) {
    t0 = performance.now();
    await explainer.explain(pixels(i));
    times.push((performance.now() - t0) / 1000);
  }
  const onnx = [...times].sort((a, b) => a - b)[Math.floor(IMAGES / 2)];
  const rows: BenchRow[] = [
    { key: "grad_cam_224_onnx_s", label: "Grad-CAM, VGG16 fc2 at 224, one image on ONNX Runtime (median of 5)", value: onnx, unit: "s" },
    { key: "grad_cam_224_onnx_build_s", label: "Grad-CAM explainer build (once per champion)", value: buildSeconds, unit: "s" },
  ];
  // TF.js' tf.grad on the same image, where this backend can (wasm lacks Gather's gradient kernel)
  try {
    const ours = await explainer.explain(pixels(0));
    t0 = performance.now();
    const theirs = gradCam(model, pixels(0), { classIndex: ours.classIndex });
    const tfjs = (performance.now() - t0) / 1000;
    const difference = Math.max(...Array.from(ours.heatmap, (v, j) => Math.abs(v - theirs.heatmap[j])));
    rows.push(
      { key: "grad_cam_224_tfjs_s", label: `Grad-CAM, same image on TF.js (${backend})`, value: tfjs, unit: "s" },
      { key: "grad_cam_224_speedup", label: "ratio TF.js / ONNX Runtime", value: tfjs / onnx, unit: "x" },
      { key: "grad_cam_224_max_difference", label: "largest heat-map difference between the two", value: difference, unit: "" },
    );
  } catch (error) {
    console.log(`TF.js Grad-CAM on "${backend}" failed: ${(error as Error).message.split("\n")[0]}`);
  }
  await explainer.dispose();
  model.dispose();
  console.log(`Grad-CAM per image on ONNX Runtime: ${times.map((t) => t.toFixed(3)).join(" ")} s`);
  rows.push({ key: "grad_cam_224_peak_rss_gb", label: "peak RSS of the Grad-CAM process", value: process.resourceUsage().maxRSS / 2 ** 20, unit: "GB" });
  return rows;
}

export const gradCamSection: BenchSection = { name: "grad-cam at real size", run };
