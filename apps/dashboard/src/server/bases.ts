// What a new run can start from: ImageNet weights (only when Keras' file is on disk, since
// this machine cannot download them), random weights, or the checkpoint of an earlier run.
import { existsSync } from "node:fs";
import path from "node:path";
import type { TrackingStore } from "@thaw/tracking";

export const IMAGENET_FILES = [
  "vgg16_weights_tf_dim_ordering_tf_kernels.h5",
  "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
];

export interface BaseOption {
  value: string;
  label: string;
}

export function imagenetAvailable(kerasModelsDir: string): boolean {
  return IMAGENET_FILES.some((f) => existsSync(path.join(kerasModelsDir, f)));
}

/** ImageNet (when present), random, then the 50 best finished runs with a checkpoint. */
export async function baseOptions(store: TrackingStore, kerasModelsDir: string): Promise<BaseOption[]> {
  const options: BaseOption[] = [];
  if (imagenetAvailable(kerasModelsDir)) options.push({ value: "vgg16-imagenet", label: "VGG16 ImageNet weights" });
  options.push({ value: "random", label: "Random weights (from scratch)" });
  const finished = await store.listRuns({ status: ["FINISHED"], sort: { key: "bestValAccuracy", direction: "desc" }, limit: 50 });
  for (const run of finished.items) {
    if (run.bestValAccuracy === null) continue;
    const name = run.name ?? `run ${run.id}`;
    options.push({
      value: `run:${run.id}`,
      label: `Checkpoint of #${run.id} ${name} (${run.experimentName}, val acc ${(run.bestValAccuracy * 100).toFixed(1)}%)`,
    });
  }
  return options;
}
