import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidInputError, InvalidStateError, NotFoundError } from "../errors.ts";
import { openStore } from "../open-store.ts";
import { runTogether } from "../testing/child.ts";
import { PARAMS, tempStore } from "../testing/temp-store.ts";
import type { TrackingStore } from "../tracking-store.ts";
import { testProviders } from "../testing/postgresql.ts";
import { rawRows } from "../testing/raw-query.ts";

describe.each(testProviders())("on %s", (provider) => {
  let store: TrackingStore;
  let dbPath: string;
  let dispose: () => Promise<void>;
  let experimentId: number;

  beforeEach(async () => {
    ({ store, dbPath, dispose } = await tempStore(provider));
    experimentId = (await store.createExperiment({ name: "lifecycle" })).id;
  });
  afterEach(() => dispose());

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  describe("claiming", () => {
    it("hands each of 200 queued runs to exactly one of 4 worker processes", async () => {
      const tenFrozen = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
      for (const learningRates of [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => n / 1000), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => n / 100)]) {
        await store.enqueueSweep({ experimentId, ...PARAMS, frozenLayers: tenFrozen, learningRates });
      }
      const workers = ["w1", "w2", "w3", "w4"];
      const results = await runTogether("claim.ts", workers.map((worker) => [dbPath, worker]));
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      const claims = results.map((result) => JSON.parse(result.lines[0]) as { workerId: string; claimed: number[] });
      const all = claims.flatMap((claim) => claim.claimed);
      expect(all).toHaveLength(200);
      expect(new Set(all).size).toBe(200);
      // The database agrees: every run is RUNNING under the worker that reported it.
      const rows = await rawRows<{ id: number; status: string; workerId: string }>(dbPath, `SELECT "id", "status", "workerId" FROM "Run"`);
      const ownerOf = new Map(claims.flatMap((claim) => claim.claimed.map((id) => [id, claim.workerId] as const)));
      expect(rows).toHaveLength(200);
      for (const row of rows) expect(row).toEqual({ id: row.id, status: "RUNNING", workerId: ownerOf.get(row.id) });
      // Oldest first: each worker's claims come in increasing id order.
      for (const claim of claims) expect(claim.claimed).toEqual([...claim.claimed].sort((a, b) => a - b));
    });

    it("claims the oldest queued run and sets worker, start and heartbeat", async () => {
      const first = await store.enqueueRun({ experimentId, ...PARAMS });
      await store.enqueueRun({ experimentId, ...PARAMS });
      const before = Date.now();
      const claimed = await store.claimNextRun("w1");
      expect(claimed).toMatchObject({ id: first.id, status: "RUNNING", workerId: "w1" });
      expect(claimed?.startedAt?.getTime()).toBeGreaterThanOrEqual(before - 5);
      expect(claimed?.heartbeatAt?.getTime()).toBe(claimed?.startedAt?.getTime());
      expect(await store.claimNextRun("w2")).toMatchObject({ status: "RUNNING", workerId: "w2" });
      expect(await store.claimNextRun("w3")).toBeNull();
    });

    it("refuses to claim a run that is not QUEUED, naming its state, and leaves it as it was", async () => {
      const run = await store.enqueueRun({ experimentId, ...PARAMS });
      await store.claimRun(run.id, "w1");
      const attempt = store.claimRun(run.id, "w2");
      await expect(attempt).rejects.toThrow(InvalidStateError);
      await expect(store.claimRun(run.id, "w2")).rejects.toThrow(`Cannot claim run ${run.id} because it is RUNNING (allowed: QUEUED)`);
      expect(await store.getRun(run.id)).toMatchObject({ status: "RUNNING", workerId: "w1" });
      await expect(store.claimRun(9999, "w1")).rejects.toThrow(NotFoundError);
      await expect(store.claimRun(run.id, "")).rejects.toThrow(InvalidInputError);
    });
  });

  describe("ending runs", () => {
    it("finishes only a RUNNING run, and fails or stops only a QUEUED or RUNNING one", async () => {
      const run = await store.enqueueRun({ experimentId, ...PARAMS });
      await expect(store.finishRun(run.id)).rejects.toThrow(`Cannot finish run ${run.id} because it is QUEUED (allowed: RUNNING)`);
      expect((await store.getRun(run.id)).status).toBe("QUEUED");
      await store.claimRun(run.id, "w1");
      const finished = await store.finishRun(run.id);
      expect(finished.status).toBe("FINISHED");
      expect(finished.endedAt).toBeInstanceOf(Date);
      await expect(store.failRun(run.id, { message: "late" })).rejects.toThrow(InvalidStateError);
      await expect(store.stopRun(run.id)).rejects.toThrow(/because it is FINISHED/);
      await expect(store.finishRun(424242)).rejects.toThrow("Run with id 424242 does not exist");
      expect(await store.getRun(run.id)).toMatchObject({ status: "FINISHED", error: null });
    });

    it("fails a run with its error and keeps the epochs it logged", async () => {
      const run = await store.enqueueRun({ experimentId, ...PARAMS });
      await store.claimRun(run.id, "w1");
      await store.logEpoch(run.id, { epoch: 0, loss: 1, accuracy: 0.5, valAccuracy: 0.4, durationMs: 5 });
      await store.logEpoch(run.id, { epoch: 1, loss: 0.8, accuracy: 0.6, valAccuracy: 0.5, durationMs: 5 });
      const failed = await store.failRun(run.id, { message: "out of memory", stack: "Error: out of memory\n  at fit" });
      expect(failed).toMatchObject({ status: "FAILED", error: "out of memory", errorStack: "Error: out of memory\n  at fit", epochsDone: 2, bestValAccuracy: 0.5 });
      expect((await store.getRun(run.id)).metrics.map((metric) => metric.epoch)).toEqual([0, 1]);
    });

    it("stops a queued run at once and asks a running one to stop at its next heartbeat", async () => {
      const queued = await store.enqueueRun({ experimentId, ...PARAMS });
      const running = await store.enqueueRun({ experimentId, ...PARAMS });
      await store.claimRun(running.id, "w1");
      expect(await store.requestStop(queued.id)).toMatchObject({ status: "STOPPED" });
      expect(await store.heartbeat(running.id, "w1")).toEqual({ stopRequested: false });
      expect(await store.requestStop(running.id)).toMatchObject({ status: "RUNNING", stopRequested: true });
      expect(await store.heartbeat(running.id, "w1")).toEqual({ stopRequested: true });
      expect(await store.stopRun(running.id)).toMatchObject({ status: "STOPPED" });
      await expect(store.requestStop(running.id)).rejects.toThrow(/because it is STOPPED/);
    });

    it("tells a worker that does not own a run so, by its state or owner", async () => {
      const run = await store.enqueueRun({ experimentId, ...PARAMS });
      await expect(store.heartbeat(run.id, "w1")).rejects.toThrow(`Worker "w1" no longer owns run ${run.id}: it is QUEUED`);
      await store.claimRun(run.id, "w1");
      await expect(store.heartbeat(run.id, "w2")).rejects.toThrow(`it is claimed by worker "w1", not "w2"`);
    });
  });

  describe("leases", () => {
    it("admits a run's writes only with its claim's lease, and refuses them once an observer ended the run", async () => {
      const run = await store.enqueueRun({ experimentId, ...PARAMS });
      const claimed = await store.claimRun(run.id, "w1");
      expect(claimed.leaseToken).toMatch(/^[0-9a-f-]{36}$/);
      const lease = { runId: run.id, token: claimed.leaseToken as string };
      const epoch = { epoch: 0, loss: 1, accuracy: 0.5, valAccuracy: 0.5, durationMs: 1 };
      const other = await openStore({ path: dbPath });
      try {
        // Another process knows the run id but holds no lease: refused, nothing written.
        await expect(other.logEpoch(run.id, epoch)).rejects.toThrow(
          `Cannot log an epoch of run ${run.id}: this process holds no lease on it; only the worker that claimed the run writes its results`,
        );
        await expect(other.heartbeat(run.id, "w1")).rejects.toThrow(`Worker "w1" no longer owns run ${run.id}: this process holds no lease on it`);
        // A wrong token is refused in the same statement that would have written.
        const forged = { runId: run.id, token: "00000000-0000-4000-8000-000000000000" };
        await expect(other.logEpoch(forged, epoch)).rejects.toThrow(/this worker's lease is no longer valid \(it is claimed by worker "w1" under another lease\)/);
        await expect(other.heartbeat(forged, "w1")).rejects.toThrow("its lease was replaced by a newer claim");
        expect((await store.getRun(run.id)).metrics).toEqual([]);
        // The claim's own lease works from any process of the worker.
        await other.logEpoch(lease, epoch);
        await store.logEpoch(run.id, { ...epoch, epoch: 1 });
        expect((await store.getRun(run.id)).epochsDone).toBe(2);
        // An observer ends the run by id (a lost worker noticed): the lease is cleared.
        await other.failRun(run.id, { message: "worker lost" });
        expect((await store.getRun(run.id)).leaseToken).toBeNull();
      } finally {
        await other.close();
      }
      await expect(store.finishRun(run.id)).rejects.toThrow(/because it is FAILED/);
      await expect(store.recordRunInfo(run.id, { backend: "late" })).rejects.toThrow(/this worker's lease is no longer valid \(it is FAILED/);
      await expect(store.heartbeat(lease, "w1")).rejects.toThrow(/it is FAILED/);
      expect(await store.getRun(run.id)).toMatchObject({ status: "FAILED", error: "worker lost", backend: null, epochsDone: 2 });
    });

    it("stamps claims and heartbeats with the database's clock", async () => {
      const run = await store.enqueueRun({ experimentId, ...PARAMS });
      const before = Date.now();
      const claimed = await store.claimRun(run.id, "w1");
      const after = Date.now();
      // This host is the database's host here: the two clocks agree within the call.
      expect((claimed.startedAt as Date).getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect((claimed.startedAt as Date).getTime()).toBeLessThanOrEqual(after + 1000);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await store.heartbeat(run.id, "w1");
      expect(((await store.getRun(run.id)).heartbeatAt as Date).getTime()).toBeGreaterThan((claimed.heartbeatAt as Date).getTime());
    });
  });

  describe("reaping", () => {
    it("fails a run whose heartbeat is stale as worker lost, keeps its epochs, and spares a fresh one", async () => {
      const stale = await store.enqueueRun({ experimentId, ...PARAMS });
      const fresh = await store.enqueueRun({ experimentId, ...PARAMS });
      await store.claimRun(stale.id, "gone");
      await store.claimRun(fresh.id, "alive");
      await store.logEpoch(stale.id, { epoch: 0, loss: 1, accuracy: 0.5, valAccuracy: 0.45, durationMs: 5 });
      await sleep(1300);
      await store.heartbeat(fresh.id, "alive");
      const reaped = await store.reapStaleRuns(1000);
      expect(reaped.map((run) => run.id)).toEqual([stale.id]);
      const lost = await store.getRun(stale.id);
      expect(lost.status).toBe("FAILED");
      const silence = Math.round(((lost.endedAt as Date).getTime() - (lost.heartbeatAt as Date).getTime()) / 1000);
      expect(silence).toBeGreaterThanOrEqual(1);
      expect(lost.error).toBe(`worker lost: no heartbeat from worker "gone" for ${silence} s (timeout 1 s)`);
      expect(lost.metrics.map((metric) => metric.valAccuracy)).toEqual([0.45]);
      expect(lost.bestValAccuracy).toBe(0.45);
      expect((await store.getRun(fresh.id)).status).toBe("RUNNING");
      // The lost worker, should it come back, learns it lost the run.
      await expect(store.heartbeat(stale.id, "gone")).rejects.toThrow(/it is FAILED/);
      await expect(store.logEpoch(stale.id, { epoch: 1, loss: 1, accuracy: 0.5, durationMs: 5 })).rejects.toThrow(InvalidStateError);
      expect(await store.reapStaleRuns(1000)).toEqual([]);
      await expect(store.reapStaleRuns(-5)).rejects.toThrow("Invalid timeoutMs: got -5");
    });
  });
});
