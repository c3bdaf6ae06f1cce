import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type TrackingStore } from "@thaw/tracking";
import { decodeImage } from "@thaw/data";
import { predict, renderHeatmapPng, saveCheckpoint, transfer, vgg16 } from "@thaw/vgg";
import { predictImage, readLimited, uploadedFile } from "./predict.ts";

let dir: string;
let store: TrackingStore;
let experimentId: number;
const checkpoints: number[] = [];
let png: Buffer;

/** A tiny real model (32x32, width 1/16) saved as a checkpoint and recorded in the store. */
async function tinyCheckpoint(runId: number, seed: number, classNames: string[]): Promise<number> {
  const model = transfer(vgg16({ inputShape: [32, 32, 3], widthMultiplier: 1 / 16, seed }), { frozenLayers: 19, classes: classNames.length, seed });
  const saved = await saveCheckpoint(model, path.join(dir, `ckpt-${seed}`), {
    classNames, base: "random", baseWeightsHash: "none", frozenLayers: 19, head: "fc2", widthMultiplier: 1 / 16, datasetFingerprint: "test", epoch: 0, metrics: { accuracy: 0.5 },
  });
  const row = await store.addCheckpoint(runId, { epoch: 0, path: saved.path, metrics: { accuracy: 0.5, val_accuracy: 0.5 }, sizeBytes: saved.sizeBytes, sha256: saved.sha256 });
  return row.id;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "thaw-predict-"));
  store = await openStore({ path: path.join(dir, "thaw.db") });
  experimentId = (await store.createExperiment({ name: "pets" })).id;
  const params = { frozenLayers: 19, learningRate: 0.01, optimizer: "sgd" as const, momentum: 0.9, batchSize: 4, epochs: 1, patience: 0, imageSize: 32, base: "random", augment: false, seed: 1 };
  for (const seed of [1, 2]) {
    const run = await store.enqueueRun({ ...params, experimentId });
    await store.claimRun(run.id, "w");
    await store.logEpoch(run.id, { epoch: 0, loss: 1, accuracy: 0.5, valLoss: 1, valAccuracy: 0.5, durationMs: 10 });
    checkpoints.push(await tinyCheckpoint(run.id, seed, ["cat", "dog", "fox"]));
  }
  // A real PNG: a 40x24 gradient, so decoding must also resize it to 32x32.
  const data = new Float32Array(40 * 24 * 3).map((_, i) => (i * 7) % 256);
  png = await renderHeatmapPng({ data, width: 40, height: 24 }, { heatmap: new Float32Array(40 * 24), width: 40, height: 24 }, { alpha: 0 });
}, 120_000);

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("predictImage", () => {
  it("needs a champion", async () => {
    await expect(predictImage(store, experimentId, png)).rejects.toThrow("This experiment has no champion yet");
  });

  it("returns the champion's probabilities for every class, equal to predicting directly, and a PNG overlay", async () => {
    await store.promote({ checkpointId: checkpoints[0], experimentId });
    const out = await predictImage(store, experimentId, png);
    expect(out.model).toMatchObject({ checkpointId: checkpoints[0], inputSize: [32, 32], experimentId });
    expect(out.probabilities.map((p) => p.className).sort()).toEqual(["cat", "dog", "fox"]);
    expect(out.probabilities.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 5);
    const sorted = [...out.probabilities].sort((a, b) => b.probability - a.probability);
    expect(out.probabilities).toEqual(sorted);

    const { loadCheckpoint } = await import("@thaw/vgg");
    const reference = await loadCheckpoint((await store.getCheckpoint(checkpoints[0])).path);
    const [direct] = await predict(reference.model, [await decodeImage(png, { targetSize: [32, 32] })], { topK: 3, classNames: ["cat", "dog", "fox"] });
    for (const p of direct) expect(out.probabilities.find((q) => q.className === p.className)!.probability).toBeCloseTo(p.probability, 4);

    const overlay = Buffer.from(out.heatmap.replace(/^data:image\/png;base64,/, ""), "base64");
    expect(overlay.subarray(1, 4).toString("latin1")).toBe("PNG");
  });

  it("follows the alias when another checkpoint is promoted", async () => {
    await store.promote({ checkpointId: checkpoints[1], experimentId });
    expect((await predictImage(store, experimentId, png)).model.checkpointId).toBe(checkpoints[1]);
  });

  it("refuses a file that is not an image with a clear message", async () => {
    await expect(predictImage(store, experimentId, new TextEncoder().encode("hello, not an image"))).rejects.toMatchObject({
      status: 415,
      message: "This file is not an image Thaw can read; upload a JPEG, PNG, WebP, GIF, BMP, TIFF or PPM image.",
    });
  });
});

describe("upload parsing", () => {
  const multipart = async (blob: Blob | null) => {
    const form = new FormData();
    if (blob) form.append("file", blob, "../../etc/passwd");
    const req = new Request("http://x/", { method: "POST", body: form });
    return { raw: new Uint8Array(await req.arrayBuffer()), type: req.headers.get("content-type")! };
  };

  it("takes the file's bytes and ignores its name", async () => {
    const { raw, type } = await multipart(new Blob([new Uint8Array([1, 2, 3])]));
    expect([...(await uploadedFile(raw, type, 10))]).toEqual([1, 2, 3]);
  });

  it("refuses a file over the limit, a missing file and a body that is not multipart", async () => {
    const big = await multipart(new Blob([new Uint8Array(11)]));
    await expect(uploadedFile(big.raw, big.type, 10)).rejects.toMatchObject({ status: 413 });
    const none = await multipart(null);
    await expect(uploadedFile(none.raw, none.type, 10)).rejects.toThrow("No file was uploaded");
    await expect(uploadedFile(new Uint8Array([1]), "text/plain", 10)).rejects.toThrow("not a multipart form");
  });

  it("stops reading a body as soon as it passes the cap", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    await expect(readLimited(endless, 4096)).rejects.toMatchObject({ status: 413 });
    expect(pulled).toBeLessThan(10);
    const small = new Response(new Uint8Array([9, 8])).body;
    expect([...(await readLimited(small, 4096))]).toEqual([9, 8]);
  });
});
