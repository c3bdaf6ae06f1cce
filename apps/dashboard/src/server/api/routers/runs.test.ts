import path from "node:path";
import superjson from "superjson";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bytes } from "../../../components/format.ts";
import { harness, makeDatasetFolder, RUN_DEFAULTS, trainFake, type Harness } from "../../../test/harness.ts";

let h: Harness;
let experimentId: number;
let datasetId: number;

beforeEach(async () => {
  h = await harness();
  experimentId = (await h.store.createExperiment({ name: "e" })).id;
  datasetId = (await h.store.registerDataset({ name: "d", path: makeDatasetFolder(path.join(h.dir, "data"), "d", ["a", "b"]) })).id;
});
afterEach(() => h.close());

async function launch(frozenLayers: number, learningRate: number) {
  return (await h.caller.launch.run({ ...RUN_DEFAULTS, experimentId, datasetId, frozenLayers, learningRate })).runId;
}

describe("runs.list", () => {
  it("sorts, filters and pages on the server", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push(await launch(i * 3, 10 ** -(1 + (i % 3))));
    await trainFake(h.store, ids[2], [0.9]);
    await trainFake(h.store, ids[4], [0.7]);

    const first = await h.caller.runs.list({ experimentId, limit: 3, sort: { key: "frozenLayers", direction: "asc" } });
    expect(first.items.map((r) => r.frozenLayers)).toEqual([0, 3, 6]);
    const second = await h.caller.runs.list({ experimentId, limit: 3, sort: { key: "frozenLayers", direction: "asc" }, cursor: first.nextCursor });
    expect(second.items.map((r) => r.frozenLayers)).toEqual([9, 12, 15]);

    const finished = await h.caller.runs.list({ status: ["FINISHED"], sort: { key: "bestValAccuracy", direction: "desc" } });
    expect(finished.items.map((r) => r.id)).toEqual([ids[2], ids[4]]);
    // Disk use per run: trainFake records 2048 bytes per checkpoint, one each here.
    expect(finished.items.map((r) => r.diskBytes)).toEqual([2048n, 2048n]);
    const ranged = await h.caller.runs.list({ frozenLayers: { min: 5, max: 13 }, learningRate: { max: 0.01 } });
    expect(ranged.items.map((r) => r.frozenLayers).sort((a, b) => a - b)).toEqual([6, 12]);
  });

  it("rejects a range whose minimum exceeds its maximum, and a bad limit", async () => {
    await expect(h.caller.runs.list({ frozenLayers: { min: 10, max: 2 } })).rejects.toThrow(/smallest frozen-layer count must not exceed/);
    await expect(h.caller.runs.list({ limit: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("runs.get", () => {
  it("returns metrics, checkpoints and an ETA from the mean epoch time while running", async () => {
    const id = await launch(15, 0.001);
    await trainFake(h.store, id, [0.5, 0.6], false);
    const run = await h.caller.runs.get({ id });
    expect(run.status).toBe("RUNNING");
    expect(run.metrics.map((m) => m.valAccuracy)).toEqual([0.5, 0.6]);
    expect(run.checkpoints).toHaveLength(2);
    // Epochs took 1000 and 1100 ms; 3 of 5 remain.
    expect(run.etaMs).toBe(3150);
    expect(run.championCheckpointId).toBeNull();
  });

  it("returns the worker's progress inside the epoch while running, in the list too, and none once the run ended", async () => {
    const id = await launch(15, 0.001);
    await trainFake(h.store, id, [0.5], false);
    const written = { phase: "cache" as const, epoch: 1, done: 40, total: 160, imagesPerSecond: 8, etaSeconds: 15 };
    await h.store.recordProgress(id, written);
    expect((await h.caller.runs.get({ id })).progress).toMatchObject(written);
    expect((await h.caller.runs.list({ experimentId })).items.find((r) => r.id === id)?.progress).toMatchObject(written);
    await h.store.finishRun(id);
    expect((await h.caller.runs.get({ id })).progress).toBeNull();
    expect((await h.caller.runs.list({ experimentId })).items.find((r) => r.id === id)?.progress).toBeNull();
  });

  it("sends checkpoint sizes over 2 GiB exact: bigints cross the wire with superjson, and show in GiB", async () => {
    const id = await launch(15, 0.001);
    await h.store.claimRun(id, "w");
    await h.store.addCheckpoint(id, { epoch: 0, path: "/tmp/big", metrics: { val_accuracy: 0.5 }, sizeBytes: 5 * 1024 ** 3, sha256: "0".repeat(64) });
    // What the browser's client receives: the procedure's output through the router's transformer.
    const wire = superjson.parse<Awaited<ReturnType<typeof h.caller.runs.get>>>(superjson.stringify(await h.caller.runs.get({ id })));
    expect(wire.checkpoints[0].sizeBytes).toBe(5368709120n);
    expect(bytes(wire.checkpoints[0].sizeBytes)).toBe("5.00 GiB");
    const listed = superjson.parse<Awaited<ReturnType<typeof h.caller.runs.list>>>(superjson.stringify(await h.caller.runs.list({ experimentId })));
    expect(listed.items.find((r) => r.id === id)?.diskBytes).toBe(5368709120n);
  });

  it("answers NOT_FOUND for an unknown run and BAD_REQUEST for an invalid id", async () => {
    await expect(h.caller.runs.get({ id: 999 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(h.caller.runs.get({ id: -3 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("runs.compare", () => {
  it("gives per-metric series, statistics, the grid and the best run", async () => {
    const a = await launch(11, 0.01);
    const b = await launch(15, 0.01);
    const c = await launch(15, 0.01);
    await trainFake(h.store, a, [0.5, 0.8, 0.7]);
    await trainFake(h.store, b, [0.6, 0.65]);
    await trainFake(h.store, c, [0.9]);
    const out = await h.caller.runs.compare({ ids: [a, b, c] });
    const ra = out.runs.find((r) => r.id === a)!;
    expect(ra.series.valAccuracy).toEqual([0.5, 0.8, 0.7]);
    expect(ra.stats.valAccuracy).toEqual({ best: 0.8, last: 0.7, min: 0.5, max: 0.8 });
    expect(ra.stats.valLoss.best).toBeCloseTo(0.2);
    expect(out.bestRunId).toBe(c);
    expect(out.grid).toEqual([
      { frozenLayers: 11, learningRate: 0.01, bestValAccuracy: 0.8, runIds: [a] },
      { frozenLayers: 15, learningRate: 0.01, bestValAccuracy: 0.9, runIds: expect.arrayContaining([b, c]) },
    ]);
  });

  it("compares up to 100 runs at once, past the store's 50 per call", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 75; i++) ids.push(await launch(i % 20, 0.01));
    const out = await h.caller.runs.compare({ ids: [...ids, ids[0]] });
    expect(out.runs.map((r) => r.id).sort((a, b) => a - b)).toEqual(ids);
  });

  it("refuses more than 100 runs, none, and unknown ones", async () => {
    await expect(h.caller.runs.compare({ ids: Array.from({ length: 101 }, (_, i) => i + 1) })).rejects.toThrow(/at most 100 runs/);
    await expect(h.caller.runs.compare({ ids: [] })).rejects.toThrow(/at least one run/);
    await expect(h.caller.runs.compare({ ids: [12345] })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("runs.stop and runs.stopMany", () => {
  it("stops a queued run at once and asks a running one to stop", async () => {
    const queued = await launch(1, 0.1);
    const running = await launch(2, 0.1);
    await h.store.claimRun(running, "w");
    expect(await h.caller.runs.stop({ id: queued })).toMatchObject({ status: "STOPPED" });
    expect(await h.caller.runs.stop({ id: running })).toMatchObject({ status: "RUNNING", stopRequested: true });
    expect(await h.store.heartbeat(running, "w")).toEqual({ stopRequested: true });
    await expect(h.caller.runs.stop({ id: 999 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("stops what it can in bulk and reports the rest", async () => {
    const a = await launch(1, 0.1);
    const b = await launch(2, 0.1);
    await trainFake(h.store, b, [0.5]);
    const out = await h.caller.runs.stopMany({ ids: [a, b, 999] });
    expect(out.stopped).toEqual([a]);
    expect(out.skipped.map((s) => s.id)).toEqual([b, 999]);
    expect((await h.store.getRun(a)).status).toBe("STOPPED");
    expect((await h.store.getRun(b)).status).toBe("FINISHED");
    await expect(h.caller.runs.stopMany({ ids: [] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
