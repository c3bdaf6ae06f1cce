// Fault tolerance of the worker, through the real CLI: a worker killed with SIGKILL in the
// middle of an epoch leaves its run to the next worker start, which marks it FAILED ("worker
// lost") with its finished epochs kept and then takes the next queued run; SIGTERM stops the
// run at the next batch (STOPPED) and the worker exits 0.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrackingStore } from "@thaw/tracking";
import { killBackground, removeSandbox, sandbox, thaw, thawBackground, waitFor, withTestStore, type Sandbox } from "../testing/cli-harness.ts";

let box: Sandbox;

function pidOf(workerId: string | null): number {
  return Number(/:(\d+)$/.exec(workerId ?? "")?.[1]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function run(store: TrackingStore, id: number) {
  return store.getRun(id);
}

afterAll(() => {
  killBackground();
  removeSandbox(box);
});

beforeAll(() => {
  box = sandbox("thaw-fault-");
  const data = path.join(box.dir, "shapes");
  expect(thaw(box, ["data", "synth", data, "--classes", "circle,square", "--per-class", "60", "--size", "32"]).status).toBe(0);
  // Two queued runs, oldest first: the one to kill and the one the next worker takes.
  const sweep = thaw(box, [
    "sweep", "--data", data, "--experiment", "fault", "--base", "random", "--head", "pooled", "--width", "0.0625",
    "--image-size", "32", "--batch", "4", "--optimizer", "adam", "--frozen", "0", "--lr", "1e-3,2e-3",
  ]);
  expect(sweep.status, sweep.stderr).toBe(0);
  expect(sweep.stdout).toMatch(/2 run\(s\)/);
});

describe("thaw worker under faults", () => {
  it("SIGKILL mid-epoch: the next worker marks the run FAILED (worker lost), keeps its epochs, takes the next run", async () => {
    // A long first run to kill, a short second one for the next worker.
    const [first, second] = await withTestStore(box, async (store) => {
      const ids = (await store.listRuns({ sort: { key: "createdAt", direction: "asc" } })).items.map((r) => r.id);
      await store.updateRunParams(ids[0], { epochs: 50 });
      await store.updateRunParams(ids[1], { epochs: 2 });
      return ids;
    });
    const worker = thawBackground(box, ["worker", "--concurrency", "1", "--poll", "200"]);
    const childPid = await withTestStore(box, (store) =>
      waitFor(async () => {
        const r = await run(store, first);
        return r.status === "RUNNING" && r.epochsDone >= 1 ? pidOf(r.workerId) : undefined;
      }, 90_000, `run ${first} to finish an epoch`),
    );
    // Mid-epoch: a little after an epoch row was written, before the next one.
    const epochsBefore = await withTestStore(box, async (store) => (await run(store, first)).epochsDone);
    await new Promise((r) => setTimeout(r, 150));
    worker.child.kill("SIGKILL");
    await worker.exited;
    // The run's process notices that its parent is gone and ends at once.
    await waitFor(async () => (alive(childPid) ? undefined : true), 30_000, "the run's process to end");

    const stale = await withTestStore(box, (store) => run(store, first));
    expect(stale.status).toBe("RUNNING");

    const next = thaw(box, ["worker", "--once", "--concurrency", "1", "--poll", "200"]);
    expect(next.status, next.stdout + next.stderr).toBe(0);
    expect(next.stdout).toContain(`run ${first}: marked FAILED (worker lost)`);
    await withTestStore(box, async (store) => {
      const lost = await run(store, first);
      expect(lost.status).toBe("FAILED");
      expect(lost.error).toBe("worker lost");
      expect(lost.metrics.length).toBeGreaterThanOrEqual(epochsBefore);
      expect(lost.metrics.map((m) => m.epoch)).toEqual([...Array(lost.metrics.length).keys()]);
      const taken = await run(store, second);
      expect(taken.status).toBe("FINISHED");
      expect(taken.metrics).toHaveLength(2);
    });
  });
});

/** Queues one more long run like the sweep's, for the stop tests. */
function enqueueLongRun(): Promise<number> {
  return withTestStore(box, async (store) => {
    const fault = await store.getExperiment("fault");
    const source = await run(store, (await store.listRuns({ experimentId: fault.id, limit: 1 })).items[0].id);
    const queued = await store.enqueueRun({
      experimentId: fault.id,
      datasetId: source.datasetId,
      frozenLayers: 0,
      learningRate: 1e-3,
      optimizer: "adam",
      momentum: 0.9,
      batchSize: 4,
      epochs: 50,
      patience: 50,
      imageSize: 32,
      base: "random",
      augment: false,
      seed: 5,
      extra: source.params as Record<string, unknown>,
    });
    return queued.id;
  });
}

async function waitForFirstEpoch(runId: number): Promise<void> {
  await withTestStore(box, (store) =>
    waitFor(async () => {
      const r = await run(store, runId);
      return r.status === "RUNNING" && r.epochsDone >= 1 ? true : undefined;
    }, 90_000, `run ${runId} to finish an epoch`),
  );
}

describe("thaw worker on SIGTERM", () => {
  it("finishes the batch, marks the run STOPPED and exits 0", async () => {
    const target = await enqueueLongRun();
    const worker = thawBackground(box, ["worker", "--concurrency", "1", "--poll", "200"]);
    await waitForFirstEpoch(target);
    worker.child.kill("SIGTERM");
    const code = await worker.exited;
    expect(code, worker.output()).toBe(0);
    await withTestStore(box, async (store) => {
      const stopped = await run(store, target);
      expect(stopped.status).toBe("STOPPED");
      expect(stopped.epochsDone).toBeGreaterThanOrEqual(1);
      expect(stopped.epochsDone).toBeLessThan(50);
    });
  });
});

describe("thaw stop", () => {
  it("asks the worker of a running run to stop; the run ends STOPPED with its epochs", async () => {
    const target = await enqueueLongRun();
    const worker = thawBackground(box, ["worker", "--once", "--concurrency", "1", "--poll", "200"]);
    await waitForFirstEpoch(target);
    const stop = thaw(box, ["stop", String(target)]);
    expect(stop.status, stop.stderr).toBe(0);
    expect(stop.stdout).toContain(`Asked run ${target} to stop`);
    // --once: with its run stopped and nothing queued, the worker ends by itself.
    expect(await worker.exited, worker.output()).toBe(0);
    await withTestStore(box, async (store) => {
      const stopped = await run(store, target);
      expect(stopped.status).toBe("STOPPED");
      expect(stopped.stopRequested).toBe(true);
      expect(stopped.epochsDone).toBeGreaterThanOrEqual(1);
      expect(stopped.epochsDone).toBeLessThan(50);
    });
  });
});
