// GET ?run=<id>&file=<path in the dataset> -> a thumbnail (BMP) of one of the run's test images.
import { getStore } from "../../../server/store.ts";
import { TestImageError, testImageThumbnail } from "../../../server/test-image.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(req: Request): Promise<Response> {
  const params = new URL(req.url).searchParams;
  const runId = Number(params.get("run"));
  const file = params.get("file") ?? "";
  if (!Number.isInteger(runId) || runId < 1 || !file) return new Response("Say which image: ?run=<run id>&file=<path of a test image>.", { status: 400 });
  try {
    const bmp = await testImageThumbnail(await getStore(), runId, file);
    return new Response(Buffer.from(bmp), { headers: { "content-type": "image/bmp", "cache-control": "private, max-age=3600" } });
  } catch (error) {
    if (error instanceof TestImageError) return new Response(error.message, { status: error.status });
    if (error instanceof Error && error.name === "NotFoundError") return new Response(error.message, { status: 404 });
    if (error instanceof Error && error.name === "ImageDecodeError") return new Response(error.message, { status: 422 });
    console.error("test image failed:", error);
    return new Response("The image could not be read; the server log has the details.", { status: 500 });
  }
}
