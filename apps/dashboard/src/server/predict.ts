// Classifies one uploaded image with an experiment's champion: decoded in memory by
// libs/data exactly as training decodes (never written to disk), class probabilities from
// the champion's engine, and a Grad-CAM overlay of the top class.
import "server-only";
import type { TrackingStore } from "@thaw/tracking";
import type { PredictResponse } from "../app/api/predict/types.ts";
import { championOf } from "./champion.ts";
import { encodeBmp } from "./bmp.ts";

export class UploadError extends Error {
  override name = "UploadError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Reads a request body, refusing it as soon as it grows past `maxBytes`. */
export async function readLimited(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  if (!body) throw new UploadError("The request has no body; send the image as multipart/form-data in a field named file.", 400);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export function tooLarge(maxBytes: number): UploadError {
  return new UploadError(`The file is larger than the ${(maxBytes / 2 ** 20).toFixed(0)} MB limit; upload a smaller image.`, 413);
}

/** The one file of a multipart body; its name is never used. */
export async function uploadedFile(raw: Uint8Array, contentType: string, maxBytes: number): Promise<Uint8Array> {
  let form: FormData;
  try {
    form = await new Response(raw as BodyInit, { headers: { "content-type": contentType } }).formData();
  } catch {
    throw new UploadError("The upload is not a multipart form; send the image in a field named file.", 400);
  }
  const file = form.get("file");
  if (!(file instanceof Blob)) throw new UploadError("No file was uploaded; send the image in a field named file.", 400);
  if (file.size > maxBytes) throw tooLarge(maxBytes);
  if (file.size === 0) throw new UploadError("The file is empty; upload an image.", 400);
  return new Uint8Array(await file.arrayBuffer());
}

export async function predictImage(store: TrackingStore, experimentId: number, bytes: Uint8Array): Promise<Extract<PredictResponse, { ok: true }>> {
  const started = performance.now();
  const champion = await championOf(store, experimentId);
  const [{ decodeImage }, { predict, gradCam, renderHeatmapPng }] = await Promise.all([import("@thaw/data"), import("@thaw/vgg")]);
  const { inputSize, classNames } = champion.checkpoint.meta;
  let image;
  try {
    image = await decodeImage(bytes, { targetSize: inputSize });
  } catch (error) {
    if (error instanceof Error && error.name === "ImageDecodeError") {
      throw new UploadError("This file is not an image Thaw can read; upload a JPEG, PNG, WebP, GIF, BMP, TIFF or PPM image.", 415);
    }
    throw error;
  }
  let probabilities: Array<{ className: string; probability: number }>;
  let cam;
  if (champion.explainer) {
    const explained = await champion.explainer.explain(image);
    probabilities = Array.from(explained.probabilities, (probability, i) => ({ className: classNames[i], probability })).sort((a, b) => b.probability - a.probability);
    cam = explained;
  } else {
    const [predictions] = await predict(champion.checkpoint.model, [image], { topK: classNames.length, classNames, engine: champion.engine });
    probabilities = predictions.map((p) => ({ className: p.className, probability: p.probability }));
    cam = gradCam(champion.checkpoint.model, image, { classIndex: predictions[0].index });
  }
  const png = await renderHeatmapPng(image, cam);
  return {
    ok: true,
    model: { name: champion.name, experimentId, runId: champion.runId, checkpointId: champion.checkpointId, epoch: champion.epoch, inputSize },
    probabilities,
    input: `data:image/bmp;base64,${Buffer.from(encodeBmp(image.data, image.width, image.height)).toString("base64")}`,
    heatmap: `data:image/png;base64,${png.toString("base64")}`,
    elapsedMs: Math.round(performance.now() - started),
  };
}
