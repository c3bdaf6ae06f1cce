// Checks that need the disk or the store, done before anything is written: the data folder,
// the base, the frozen count against the model's layers, the image size against the top.
import type { TrackingStore } from "@thaw/tracking";
import { UsageError } from "../errors.ts";
import { baseString, readCheckpointMeta, resolveBaseRef, type BaseRef } from "./base-ref.ts";
import { scanDataset, type DatasetScan } from "./dataset.ts";

export interface PreflightInput {
  data: string;
  base: string;
  head: "fc2" | "pooled";
  width: number;
  imageSize: number;
  dropout: number;
  frozen: number[];
  kerasCompatible?: boolean;
  testSplit?: number;
}

export interface Plan {
  dataset: DatasetScan;
  base: BaseRef;
  baseString: string;
  baseRunId: number | null;
  head: "fc2" | "pooled";
  width: number;
}

/** Layers of the model being trained: VGG16 with the new predictions layer (23), or the
 *  convolutional base plus global pooling and the new classifier (21); a dropout adds one. */
export function modelLayerCount(head: "fc2" | "pooled", dropout: number): number {
  return (head === "fc2" ? 23 : 21) + (dropout > 0 ? 1 : 0);
}

export async function preflight(store: TrackingStore, input: PreflightInput): Promise<Plan> {
  const dataset = await scanDataset(input.data, { kerasCompatible: input.kerasCompatible, testSplit: input.testSplit });
  const base = await resolveBaseRef(store, input.base);
  let { head, width } = input;
  if (base.kind === "checkpoint") {
    const meta = readCheckpointMeta(base.path);
    // The base's architecture is fixed by its weights: take its head and width.
    head = meta.head;
    width = meta.widthMultiplier;
    if (meta.inputSize[0] !== input.imageSize) {
      const why = head === "fc2" ? "its fc1 layer was trained on" : "the checkpoint's model takes";
      throw new UsageError(
        `--image-size ${input.imageSize} does not fit the base: ${why} ${meta.inputSize[0]}x${meta.inputSize[1]} inputs; use --image-size ${meta.inputSize[0]}.`,
      );
    }
  }
  if (base.kind === "imagenet" && head === "fc2" && input.imageSize !== 224) {
    throw new UsageError(
      `--image-size ${input.imageSize} does not fit the fc2 head: the seed's fc1 layer needs 224x224 inputs; use --image-size 224, or --head pooled for other sizes.`,
    );
  }
  const layers = modelLayerCount(head, input.dropout);
  const tooMany = input.frozen.find((n) => n >= layers);
  if (tooMany !== undefined) {
    throw new UsageError(
      `--frozen ${tooMany} is not below the model's ${layers} layers (head ${head}), so nothing would train; use at most ${layers - 1} (19 freezes the whole convolutional base).`,
    );
  }
  if (base.kind === "imagenet") {
    // Find (or download and check) Keras' file now, so that a missing file is refused here
    // with its name, URL and folder rather than recorded as a failed run.
    const { fetchWeights } = await import("@thaw/vgg");
    await fetchWeights({ includeTop: head === "fc2" });
  }
  return { dataset, base, baseString: baseString(base), baseRunId: base.kind === "checkpoint" ? base.runId : null, head, width };
}
