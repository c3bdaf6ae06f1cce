import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PromotionReasonRequiredError } from "../errors.ts";
import { PARAMS, tempStore } from "../testing/temp-store.ts";
import type { Checkpoint, TestEvaluation, TrackingStore } from "../tracking-store.ts";

let store: TrackingStore;
let dispose: () => Promise<void>;
beforeEach(async () => {
  ({ store, dispose } = await tempStore());
});
afterEach(() => dispose());

const FILES = ["test/cat/1.jpg", "test/cat/2.jpg", "test/dog/1.jpg", "test/dog/2.jpg"];
const LABELS = [0, 0, 1, 1];

/** A finished run whose best checkpoint predicted `predicted` for the four test images. */
async function testedCheckpoint(experimentId: number, predicted: number[]): Promise<Checkpoint> {
  const run = await store.enqueueRun({ experimentId, ...PARAMS });
  await store.claimRun(run.id, "w");
  await store.logEpoch(run.id, { epoch: 0, loss: 1, accuracy: 0.5, valAccuracy: 0.5, durationMs: 1 });
  const checkpoint = await store.addCheckpoint(run.id, { epoch: 0, path: `/ckpt/${run.id}`, metrics: { val_accuracy: 0.5 }, sizeBytes: 1, sha256: "0".repeat(64) });
  const right = predicted.filter((p, i) => p === LABELS[i]).length;
  const evaluation: TestEvaluation = {
    checkpointId: checkpoint.id,
    classNames: ["cat", "dog"],
    accuracy: right / 4,
    precision: [null, null],
    recall: [null, null],
    confusionMatrix: [[0, 0], [0, 0]],
    images: FILES.map((file, i) => ({ file, label: LABELS[i], predicted: predicted[i], confidence: 0.9 })),
    testSplit: 0,
    testSeed: 0,
  };
  await store.recordRunInfo(run.id, { testEvaluation: evaluation });
  await store.finishRun(run.id);
  return checkpoint;
}

describe("promotion on the test set", () => {
  it("shows the challenger against the champion on the same images and asks a reason to promote a worse one", async () => {
    const experiment = await store.createExperiment({ name: "pets" });
    const champion = await testedCheckpoint(experiment.id, [0, 0, 1, 1]);
    const worse = await testedCheckpoint(experiment.id, [0, 1, 1, 0]);
    expect((await store.getRun(champion.runId)).testAccuracy).toBe(1);

    const first = await store.promotionPreview(champion.id);
    expect(first).toMatchObject({ comparable: false, champion: null, worse: false });
    await store.promote({ checkpointId: champion.id, by: "ana" });

    const preview = await store.promotionPreview(worse.id);
    expect(preview).toMatchObject({ comparable: true, accuracyDelta: -0.5, worse: true });
    expect(preview.disagreements).toEqual([
      { file: "test/cat/2.jpg", label: 0, challenger: 1, champion: 0 },
      { file: "test/dog/2.jpg", label: 1, challenger: 0, champion: 1 },
    ]);

    await expect(store.promote({ checkpointId: worse.id, by: "ana" })).rejects.toThrow(PromotionReasonRequiredError);
    await expect(store.promote({ checkpointId: worse.id, by: "ana", reason: "  " })).rejects.toThrow(/50\.0% against 100\.0% on the same 4 images; give a reason/);
    expect((await store.getAlias(experiment.id))?.checkpoint.id).toBe(champion.id);

    await store.promote({ checkpointId: worse.id, by: "ana", reason: "smaller model, fits the device" });
    const [latest] = await store.aliasHistory(experiment.id);
    expect(latest).toMatchObject({ checkpointId: worse.id, reason: "smaller model, fits the device" });

    // Promoting the better one back needs no reason.
    await store.promote({ checkpointId: champion.id, by: "ana" });
    expect((await store.getAlias(experiment.id))?.checkpoint.id).toBe(champion.id);
  });

  it("does not compare checkpoints tested on different images, and refuses a test evaluation of another run's checkpoint", async () => {
    const experiment = await store.createExperiment({ name: "pets" });
    const champion = await testedCheckpoint(experiment.id, [0, 0, 1, 1]);
    await store.promote({ checkpointId: champion.id });
    const run = await store.enqueueRun({ experimentId: experiment.id, ...PARAMS });
    await store.claimRun(run.id, "w");
    const own = await store.addCheckpoint(run.id, { epoch: 0, path: "/ckpt/x", metrics: {}, sizeBytes: 1, sha256: "0".repeat(64) });
    const other = { checkpointId: own.id, classNames: ["cat", "dog"], accuracy: 0, precision: [0, 0], recall: [0, 0], confusionMatrix: [[0, 1], [1, 0]], testSplit: 0.2, testSeed: 0 };
    await store.recordRunInfo(run.id, { testEvaluation: { ...other, images: [{ file: "cat/9.jpg", label: 0, predicted: 1, confidence: 0.6 }, { file: "dog/9.jpg", label: 1, predicted: 0, confidence: 0.6 }] } });
    const preview = await store.promotionPreview(own.id);
    expect(preview).toMatchObject({ comparable: false, worse: false });
    expect(preview.note).toMatch(/different images/);
    await expect(store.recordRunInfo(run.id, { testEvaluation: { ...other, checkpointId: champion.id, images: [] } })).rejects.toThrow(/testEvaluation\.checkpointId: checkpoint \d+ is not a checkpoint of run/);
  });
});
