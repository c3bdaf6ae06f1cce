// A small picture of one of a run's test images, for the promotion comparison. Only files the
// run's test evaluation lists are served, so no path from a request reaches the disk unchecked.
import "server-only";
import path from "node:path";
import { decodeImage } from "@thaw/data";
import { artifactPath, type TestEvaluation, type TrackingStore } from "@thaw/tracking";
import { encodeBmp } from "./bmp.ts";

export const THUMBNAIL_SIZE = 96;

export class TestImageError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export async function testImageThumbnail(store: TrackingStore, runId: number, file: string): Promise<Uint8Array> {
  const run = await store.getRun(runId);
  const evaluation = run.testEvaluation as TestEvaluation | null;
  if (!evaluation || !run.dataset) throw new TestImageError(`Run ${runId} has no test evaluation; only a finished run on a dataset with a test set has one.`, 404);
  if (!evaluation.images.some((image) => image.file === file)) throw new TestImageError(`"${file}" is not one of run ${runId}'s test images.`, 404);
  const image = await decodeImage(path.join(artifactPath(run.dataset.path), ...file.split("/")), { targetSize: [THUMBNAIL_SIZE, THUMBNAIL_SIZE], keepAspect: true, interpolation: "bilinear" });
  return encodeBmp(image.data, image.width, image.height);
}
