// Promotion decided on the test set, through the tRPC callers and the thumbnail the page shows.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeImage } from "@thaw/data";
import type { TestEvaluation } from "@thaw/tracking";
import { harness, RUN_DEFAULTS, trainFake, type Harness } from "../../../test/harness.ts";
import { TestImageError, testImageThumbnail } from "../../test-image.ts";

let h: Harness;
let experimentId: number;
let datasetId: number;
const FILES = ["test/a/1.ppm", "test/a/2.ppm", "test/b/1.ppm", "test/b/2.ppm"];
const LABELS = [0, 0, 1, 1];
/** Each test image one flat colour, so a thumbnail's pixels are known without decoding it here. */
const COLOURS: [number, number, number][] = [[200, 10, 10], [180, 30, 30], [10, 10, 200], [30, 30, 180]];

beforeEach(async () => {
  h = await harness();
  experimentId = (await h.store.createExperiment({ name: "e" })).id;
  const root = path.join(h.dir, "data", "d");
  for (const cls of ["a", "b"]) mkdirSync(path.join(root, "train", cls), { recursive: true });
  FILES.forEach((file, i) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    const pixels = Buffer.alloc(40 * 30 * 3);
    for (let p = 0; p < 40 * 30; p++) pixels.set(COLOURS[i], p * 3);
    writeFileSync(path.join(root, file), Buffer.concat([Buffer.from("P6 40 30 255\n"), pixels]));
  });
  datasetId = (await h.store.registerDataset({ name: "d", path: root })).id;
});
afterEach(() => h.close());

/** A finished fake run whose best checkpoint predicted `predicted` on the four test images. */
async function tested(valAccuracy: number, predicted: number[]): Promise<{ runId: number; checkpointId: number }> {
  const { runId } = await h.caller.launch.run({ ...RUN_DEFAULTS, experimentId, datasetId, frozenLayers: 15, learningRate: 0.001 });
  await trainFake(h.store, runId, [valAccuracy]);
  const checkpointId = (await h.store.bestCheckpoint(runId))!.id;
  const right = predicted.filter((p, i) => p === LABELS[i]).length;
  const evaluation: TestEvaluation = {
    checkpointId,
    classNames: ["a", "b"],
    accuracy: right / 4,
    precision: [1, 1],
    recall: [1, 1],
    confusionMatrix: [[2, 0], [0, 2]],
    images: FILES.map((file, i) => ({ file, label: LABELS[i], predicted: predicted[i], confidence: 0.8 })),
    testSplit: 0,
    testSeed: 0,
  };
  await h.store.recordRunInfo(runId, { testEvaluation: evaluation });
  return { runId, checkpointId };
}

describe("promotion on the test set", () => {
  it("previews against the champion on the same images and refuses a worse checkpoint without a reason", async () => {
    const champion = await tested(0.7, [0, 0, 1, 1]);
    await h.caller.models.promote({ checkpointId: champion.checkpointId, experimentId });
    // Best on validation, worse on the test set.
    const challenger = await tested(0.95, [0, 1, 1, 1]);

    const preview = await h.caller.models.testPreview({ checkpointId: challenger.checkpointId });
    expect(preview).toMatchObject({ comparable: true, worse: true, accuracyDelta: -0.25 });
    expect(preview.disagreements).toEqual([{ file: "test/a/2.ppm", label: 0, challenger: 1, champion: 0 }]);
    expect((await h.caller.runs.get({ id: challenger.runId })).testEvaluation?.images).toHaveLength(4);

    await expect(h.caller.models.promote({ checkpointId: challenger.checkpointId, experimentId })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/75\.0% against 100\.0% on the same 4 images; give a reason/),
    });
    // Promote-best's written-in reason must not stand in for one.
    await expect(h.caller.models.promoteBest({ experimentId })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const promoted = await h.caller.models.promote({ checkpointId: challenger.checkpointId, experimentId, reason: "better on the new camera" });
    expect(promoted.reason).toBe("better on the new camera");
    const [entry] = await h.caller.models.overview();
    expect(entry.history[0]).toMatchObject({ checkpointId: challenger.checkpointId, reason: "better on the new camera" });
  });

  it("serves a listed test image as a 96-pixel thumbnail, and nothing it does not list", async () => {
    const { runId } = await tested(0.7, [0, 0, 1, 1]);
    const bmp = await testImageThumbnail(h.store, runId, "test/b/1.ppm");
    expect([bmp[0], bmp[1]]).toEqual([0x42, 0x4d]);
    const image = await decodeImage(bmp);
    expect([image.width, image.height]).toEqual([96, 96]);
    for (let c = 0; c < 3; c++) expect(image.data[(48 * 96 + 48) * 3 + c]).toBe(COLOURS[2][c]);
    await expect(testImageThumbnail(h.store, runId, "../../etc/passwd")).rejects.toThrow(TestImageError);
    await expect(testImageThumbnail(h.store, runId, "train/a/x.ppm")).rejects.toThrow(/is not one of run \d+'s test images/);
  });
});
