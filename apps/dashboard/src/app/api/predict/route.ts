// POST an image (multipart, field "file") -> the champion's class probabilities and a
// Grad-CAM overlay. The body is read with a size cap and never touches the disk.
import { env } from "../../../server/env.ts";
import { predictImage, readLimited, tooLarge, uploadedFile, UploadError } from "../../../server/predict.ts";
import { getStore } from "../../../server/store.ts";
import type { PredictResponse } from "./types.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Multipart framing around the file; the file itself is held to the configured limit. */
const MULTIPART_OVERHEAD = 64 * 1024;

function answer(status: number, body: PredictResponse): Response {
  return Response.json(body, { status });
}

export async function POST(req: Request): Promise<Response> {
  const { uploadMaxBytes } = env();
  const experimentId = Number(new URL(req.url).searchParams.get("experiment"));
  if (!Number.isInteger(experimentId) || experimentId < 1) {
    return answer(400, { ok: false, error: "Say which experiment's champion to use: ?experiment=<id>." });
  }
  try {
    if (Number(req.headers.get("content-length") ?? 0) > uploadMaxBytes + MULTIPART_OVERHEAD) {
      throw tooLarge(uploadMaxBytes);
    }
    const raw = await readLimited(req.body, uploadMaxBytes + MULTIPART_OVERHEAD);
    const bytes = await uploadedFile(raw, req.headers.get("content-type") ?? "", uploadMaxBytes);
    return answer(200, await predictImage(await getStore(), experimentId, bytes));
  } catch (error) {
    if (error instanceof UploadError) return answer(error.status, { ok: false, error: error.message });
    if (error instanceof Error && (error.name === "NoChampionError" || error.name === "NotFoundError")) {
      return answer(404, { ok: false, error: error.message });
    }
    console.error("predict failed:", error);
    return answer(500, { ok: false, error: "The model failed on this image; the server log has the details." });
  }
}
