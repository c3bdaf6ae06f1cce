import { once } from "node:events";
import { createInterface } from "node:readline";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidInputError, InvalidStateError } from "../errors.ts";
import { openStore } from "../open-store.ts";
import { parseRunProgress } from "../run-progress.ts";
import { spawnChild } from "../testing/child.ts";
import { PARAMS, tempStore } from "../testing/temp-store.ts";
import type { Run, TrackingStore } from "../tracking-store.ts";
import { testProviders } from "../testing/postgresql.ts";
import { rawRows } from "../testing/raw-query.ts";

describe.each(testProviders())("on %s", (provider) => {
  let store: TrackingStore;
  let dbPath: string;
  let dispose: () => Promise<void>;
  let run: Run;

  beforeEach(async () => {
    ({ store, dbPath, dispose } = await tempStore(provider));
    const experiment = await store.createExperiment({ name: "records" });
    run = await store.enqueueRun({ experimentId: experiment.id, ...PARAMS, epochs: 5 });
  });
  afterEach(() => dispose());

  const SHA = "ab".repeat(32);

  describe("logEpoch", () => {
    it("keeps best, best epoch, last and count in step with the rows, also when an epoch is logged again", async () => {
      await store.claimRun(run.id, "w1");
      const accuracies = [0.5, 0.8, 0.7];
      for (const [epoch, valAccuracy] of accuracies.entries()) {
        await store.logEpoch(run.id, { epoch, loss: 1 - valAccuracy, accuracy: valAccuracy, valAccuracy, valLoss: 0.3, learningRate: 0.001, durationMs: 10 });
      }
      expect(await store.getRun(run.id)).toMatchObject({ bestValAccuracy: 0.8, bestEpoch: 1, lastValAccuracy: 0.7, epochsDone: 3 });
      // Epoch 1 again (a resumed worker): the row is replaced, the best moves to epoch 2.
      const replaced = await store.logEpoch(run.id, { epoch: 1, loss: 0.6, accuracy: 0.6, valAccuracy: 0.6, durationMs: 12 });
      expect(replaced).toMatchObject({ runId: run.id, epoch: 1, valAccuracy: 0.6, durationMs: 12, valLoss: null });
      const detail = await store.getRun(run.id);
      expect(detail).toMatchObject({ bestValAccuracy: 0.7, bestEpoch: 2, lastValAccuracy: 0.7, epochsDone: 3 });
      expect(detail.metrics.map((metric) => [metric.epoch, metric.valAccuracy])).toEqual([[0, 0.5], [1, 0.6], [2, 0.7]]);
    });

    it("refuses an epoch beyond the run's count, or on a run that is not RUNNING, and writes nothing", async () => {
      const epoch = { epoch: 0, loss: 1, accuracy: 0.5, durationMs: 1 };
      await expect(store.logEpoch(run.id, epoch)).rejects.toThrow(`Cannot log an epoch of run ${run.id} because it is QUEUED (allowed: RUNNING)`);
      await store.claimRun(run.id, "w1");
      await expect(store.logEpoch(run.id, { ...epoch, epoch: 5 })).rejects.toThrow(
        `Invalid epoch: got 5 but run ${run.id} has 5 epochs; use a 0-based epoch from 0 to 4.`,
      );
      await expect(store.logEpoch(run.id, { ...epoch, loss: Number.NaN })).rejects.toThrow("Invalid loss: got NaN; use a finite number.");
      await expect(store.logEpoch(run.id, { ...epoch, epoch: -1 })).rejects.toThrow(InvalidInputError);
      expect(await store.getRun(run.id)).toMatchObject({ epochsDone: 0, metrics: [] });
    });

    it("when refused, does not roll back writes the same process made meanwhile on the shared connection", async () => {
      // Prisma's adapter runs every query of a process on one connection, so writes issued while a
      // transaction is open land inside it; a transaction that threw would silently undo them.
      const attempts = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          Promise.allSettled([
            store.logEpoch(run.id, { epoch: 0, loss: 1, accuracy: 1, durationMs: 1 }),
            store.enqueueRun({ experimentId: run.experimentId, ...PARAMS, name: `meanwhile ${i}` }),
          ]),
        ),
      );
      for (const [refused, enqueued] of attempts) {
        expect(refused.status).toBe("rejected");
        expect(enqueued.status).toBe("fulfilled");
      }
      const { items } = await store.listRuns({ limit: 100 });
      expect(items.map((item) => item.name).filter((name) => name?.startsWith("meanwhile"))).toHaveLength(10);
    });

    it("survives a worker killed mid-write: the store holds every epoch it reported, the run is reaped on the database clock and the dead worker's lease is refused", async () => {
      const long = await store.enqueueRun({ experimentId: run.experimentId, ...PARAMS, epochs: 100_000 });
      await store.close();
      const child = spawnChild("log-epochs.ts", [dbPath, String(long.id)]);
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const reported: number[] = [];
      let token = "";
      const closed = once(child, "close");
      for await (const line of createInterface({ input: child.stdout })) {
        if (line.startsWith("lease ")) token = line.slice("lease ".length);
        else reported.push(Number(line.replace("committed ", "")));
        if (reported.length === 40) child.kill("SIGKILL");
      }
      const [, signal] = await closed;
      expect(signal, stderr).toBe("SIGKILL");
      expect(reported.length).toBeGreaterThanOrEqual(40);

      if (provider === "sqlite") {
        const [check] = await rawRows<{ integrity_check: string }>(dbPath, "PRAGMA integrity_check");
        expect(check.integrity_check).toBe("ok");
      }
      const stored = (await rawRows<{ epoch: number }>(dbPath, `SELECT "epoch" FROM "EpochMetric" WHERE "runId" = $1 ORDER BY "epoch"`, [long.id])).map((row) => row.epoch);
      const [summary] = await rawRows<{ epochsDone: number }>(dbPath, `SELECT "epochsDone" FROM "Run" WHERE "id" = $1`, [long.id]);
      expect(stored.slice(0, reported.length)).toEqual(reported);
      // At most the one epoch in flight when the signal came may be there without being reported,
      // and the summary was written in the same transaction as the rows.
      expect(stored.length - reported.length).toBeLessThanOrEqual(1);
      expect(summary.epochsDone).toBe(stored.length);

      const reopened = await openStore({ path: dbPath });
      expect((await reopened.getRun(long.id)).metrics).toHaveLength(stored.length);
      // Nobody beats for the dead worker: after the timeout the run is reaped as lost.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      expect((await reopened.reapStaleRuns(1000)).map((lost) => lost.id)).toEqual([long.id]);
      // Its lease replayed (as a worker that was only frozen and wakes up would) is refused.
      expect(token).toMatch(/^[0-9a-f-]{36}$/);
      const lease = { runId: long.id, token };
      const next = { epoch: stored.length, loss: 1, accuracy: 0.5, durationMs: 1 };
      await expect(reopened.logEpoch(lease, next)).rejects.toThrow(`Cannot log an epoch of run ${long.id} because it is FAILED`);
      await expect(reopened.addCheckpoint(lease, { epoch: 0, path: "/late", metrics: {}, sizeBytes: 1, sha256: SHA })).rejects.toThrow(InvalidStateError);
      await expect(reopened.finishRun(lease)).rejects.toThrow(InvalidStateError);
      await expect(reopened.recordRunInfo(lease, { backend: "late" })).rejects.toThrow(/lease is no longer valid/);
      await expect(reopened.heartbeat(lease, "doomed-worker")).rejects.toThrow(/it is FAILED/);
      const after = await reopened.getRun(long.id);
      expect(after).toMatchObject({ status: "FAILED", epochsDone: stored.length, backend: null, leaseToken: null });
      expect(after.metrics).toHaveLength(stored.length);
      await reopened.close();
    });
  });

  describe("checkpoints and run facts", () => {
    it("stores checkpoints of a running run and finds the best as the latest", async () => {
      await store.claimRun(run.id, "w1");
      expect(await store.bestCheckpoint(run.id)).toBeNull();
      await store.addCheckpoint(run.id, { epoch: 0, path: "/ckpt/0", metrics: { val_accuracy: 0.5 }, sizeBytes: 10, sha256: SHA });
      const second = await store.addCheckpoint(run.id, { epoch: 2, path: "/ckpt/2", metrics: { val_accuracy: 0.7 }, sizeBytes: 11, sha256: SHA.toUpperCase() });
      expect(second).toMatchObject({ runId: run.id, epoch: 2, metrics: { val_accuracy: 0.7 }, sha256: SHA });
      expect((await store.bestCheckpoint(run.id))?.id).toBe(second.id);
      expect(await store.getCheckpoint(second.id)).toMatchObject({ id: second.id, run: { id: run.id } });
      await expect(store.addCheckpoint(run.id, { epoch: 3, path: "/x", metrics: {}, sizeBytes: 1, sha256: "nothex" })).rejects.toThrow(
        "Invalid sha256: got \"nothex\"; use the 64-character hex sha256 of the checkpoint.",
      );
      await expect(store.getCheckpoint(999)).rejects.toThrow("Checkpoint with id 999 does not exist");
    });

    it("keeps checkpoint sizes beyond 32 bits exact: 5 GiB read back as a bigint everywhere sizes are read", async () => {
      const fiveGiB = 5 * 1024 ** 3;
      const huge = 2n ** 60n;
      await store.claimRun(run.id, "w1");
      const written = await store.addCheckpoint(run.id, { epoch: 0, path: "/ckpt/big", metrics: {}, sizeBytes: fiveGiB, sha256: SHA });
      const larger = await store.addCheckpoint(run.id, { epoch: 1, path: "/ckpt/bigger", metrics: {}, sizeBytes: huge, sha256: SHA });
      expect(written.sizeBytes).toBe(5368709120n);
      expect((await store.getCheckpoint(written.id)).sizeBytes).toBe(5368709120n);
      expect((await store.getCheckpoint(larger.id)).sizeBytes).toBe(huge);
      expect((await store.getRun(run.id)).checkpoints.map((checkpoint) => checkpoint.sizeBytes)).toEqual([5368709120n, huge]);
      expect((await store.listRuns({})).items[0].diskBytes).toBe(5368709120n + huge);
      expect((await store.listExperiments())[0].diskBytes).toBe(5368709120n + huge);
      // What the database itself holds, read around the store (PostgreSQL's driver returns BIGINT as text).
      const rows = await rawRows<{ sizeBytes: number | string }>(dbPath, `SELECT "sizeBytes" FROM "Checkpoint" WHERE id = $1`, [written.id]);
      expect(String(rows[0].sizeBytes)).toBe("5368709120");
      await expect(store.addCheckpoint(run.id, { epoch: 2, path: "/x", metrics: {}, sizeBytes: -1n, sha256: SHA })).rejects.toThrow("Invalid sizeBytes: got -1; use a whole number of bytes, 0 or more.");
    });

    it("records execution facts of a started run and refuses them for a queued one", async () => {
      await expect(store.recordRunInfo(run.id, { backend: "wasm" })).rejects.toThrow(InvalidStateError);
      await store.claimRun(run.id, "w1");
      const checkpoint = await store.addCheckpoint(run.id, { epoch: 1, path: "/c", metrics: {}, sizeBytes: 1, sha256: SHA });
      await store.recordRunInfo(run.id, { backend: "wasm", engine: "onnxruntime", skipReport: [{ path: "a.jpg", reason: "truncated" }] });
      const evaluation = { classNames: ["cat", "dog"], confusionMatrix: [[3, 1], [0, 4]], perClassAccuracy: [0.75, 1], checkpointId: checkpoint.id };
      const updated = await store.recordRunInfo(run.id, { evaluation });
      expect(updated).toMatchObject({ backend: "wasm", engine: "onnxruntime", skipReport: [{ path: "a.jpg", reason: "truncated" }], evaluation });
      await expect(store.recordRunInfo(run.id, { evaluation: { ...evaluation, checkpointId: 999 } })).rejects.toThrow(
        `Invalid evaluation.checkpointId: checkpoint 999 is not a checkpoint of run ${run.id}`,
      );
    });
  });

  describe("progress", () => {
    const progress = { phase: "train" as const, epoch: 1, done: 48, total: 200, imagesPerSecond: 12.5, etaSeconds: 12.16 };

    it("round-trips through the database, as the list and the detail read it, and clears when the run ends", async () => {
      await store.claimRun(run.id, "w1");
      const before = Date.now();
      await store.recordProgress(run.id, progress);
      // Read back by another connection, as the dashboard's process does.
      const reopened = await openStore({ path: dbPath });
      const detail = await reopened.getRun(run.id);
      const stored = parseRunProgress(detail.progress);
      expect(stored).toMatchObject(progress);
      expect(Date.parse(stored!.updatedAt)).toBeGreaterThanOrEqual(before - 1000);
      const [row] = await rawRows<{ progress: unknown }>(dbPath, `SELECT "progress" FROM "Run" WHERE id = $1`, [run.id]);
      expect(typeof row.progress === "string" ? JSON.parse(row.progress) : row.progress).toMatchObject(progress);
      const listed = (await reopened.listRuns({})).items.find((item) => item.id === run.id);
      expect(parseRunProgress(listed?.progress)).toEqual(stored);
      // another process holds no lease: its progress writes are refused
      await expect(reopened.recordProgress(run.id, progress)).rejects.toThrow(`Cannot record progress of run ${run.id}: this process holds no lease on it`);
      await reopened.close();

      await store.recordProgress(run.id, { ...progress, phase: "validate", done: 10, total: 50, imagesPerSecond: null, etaSeconds: null });
      expect(parseRunProgress((await store.getRun(run.id)).progress)).toMatchObject({ phase: "validate", done: 10, imagesPerSecond: null });
      await store.finishRun(run.id);
      expect((await store.getRun(run.id)).progress).toBeNull();
      await expect(store.recordProgress(run.id, progress)).rejects.toThrow(`Cannot record progress of run ${run.id}`);
    });

    it("clears on a stop, a failure and a reaped worker, and can be cleared by its worker", async () => {
      const others = await Promise.all([1, 2, 3].map((i) => store.enqueueRun({ experimentId: run.experimentId, ...PARAMS, name: `p${i}` })));
      for (const r of [run, ...others]) {
        await store.claimRun(r.id, "w1");
        await store.recordProgress(r.id, progress);
      }
      await store.recordProgress(run.id, null);
      await store.stopRun(others[0].id);
      await store.failRun(others[1].id, { message: "boom" });
      await new Promise((resolve) => setTimeout(resolve, 20));
      await store.reapStaleRuns(1);
      for (const r of [run, ...others]) expect((await store.getRun(r.id)).progress, `run ${r.id}`).toBeNull();
    });

    it("refuses a malformed report, naming the field and the fix", async () => {
      await store.claimRun(run.id, "w1");
      await expect(store.recordProgress(run.id, { ...progress, done: 201 })).rejects.toThrow(
        "Invalid progress.done: done must not exceed total; use the images done so far, a whole number from 0 up to total.",
      );
      await expect(store.recordProgress(run.id, { ...progress, phase: "fit" as "train" })).rejects.toThrow(`Invalid progress.phase: got "fit"; use "cache", "train" or "validate".`);
      await expect(store.recordProgress(run.id, { ...progress, imagesPerSecond: -1 })).rejects.toThrow(InvalidInputError);
      expect((await store.getRun(run.id)).progress).toBeNull();
    });
  });
});
