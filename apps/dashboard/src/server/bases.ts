// What a new run can start from: ImageNet weights (only when Keras' file is on disk, since
// this machine cannot download them), random weights, or the checkpoint of an earlier run.
import type { TrackingStore } from "@thaw/tracking";
import type { LocatorOptions } from "@thaw/vgg";

export interface BaseOption {
  value: string;
  label: string;
}

/** ImageNet (when a weights file is found), random, then the 50 best finished runs with a checkpoint. */
export async function baseOptions(store: TrackingStore, weightSearch: LocatorOptions): Promise<BaseOption[]> {
  // Loaded lazily: @thaw/vgg brings TF.js, which only the launch form needs.
  const { locateWeightFile, VGG16_WEIGHT_FILES } = await import("@thaw/vgg");
  const options: BaseOption[] = [];
  const weights = [VGG16_WEIGHT_FILES.notop, VGG16_WEIGHT_FILES.top].some((spec) => locateWeightFile(spec.file, weightSearch) !== null);
  if (weights) options.push({ value: "vgg16-imagenet", label: "VGG16 ImageNet weights" });
  options.push({ value: "random", label: "Random weights (from scratch)" });
  const finished = await store.listRuns({ status: ["FINISHED"], sort: { key: "bestValAccuracy", direction: "desc" }, limit: 50 });
  for (const run of finished.items) {
    if (run.bestValAccuracy === null) continue;
    options.push({
      value: `run:${run.id}`,
      label: `Checkpoint of #${run.id} ${run.name ?? ""} (${run.experimentName}, val acc ${(run.bestValAccuracy * 100).toFixed(1)}%)`,
    });
  }
  return options;
}
