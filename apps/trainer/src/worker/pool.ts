// `thaw worker`: reaps lost runs, then keeps up to N child processes busy, one run each
// (TF.js wasm uses one thread per process in Node, so parallel runs need processes). On
// SIGINT/SIGTERM every child finishes its batch, marks its run STOPPED, and the worker exits 0.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TrackingStore } from "@thaw/tracking";
import { thawPaths } from "../config.ts";
import { repairCheckpoints } from "../disk/checkpoint-files.ts";
import { withStore } from "../store.ts";
import { describeBudget, type CpuBudget } from "./cpu-budget.ts";
import { reapLostRuns } from "./reap.ts";
import { trainingProcessEnv } from "../run/training-allocator.ts";
import { CHILD_COMMAND, NOTHING_CLAIMED_EXIT, type ChildMessage } from "./child.ts";

export interface WorkerOptions {
  once: boolean;
  /** Runs at a time, and the engine threads each run's process may use (THAW_THREADS). */
  budget: CpuBudget;
  pollMs: number;
  heartbeatTimeoutMs: number;
  log: (line: string) => void;
}

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "thaw.mjs");

interface Slot {
  process: ChildProcess;
  runId: number | null;
  exited: Promise<void>;
}

export async function runWorker(options: WorkerOptions): Promise<void> {
  const childEnv = trainingProcessEnv({ ...process.env, THAW_THREADS: String(options.budget.threads) });
  await withStore(async (store) => {
    // At start, and again every half timeout: whoever notices a lost run ends it.
    let lastReap = 0;
    const reap = async () => {
      lastReap = Date.now();
      const reaped = await reapLostRuns(store, options.heartbeatTimeoutMs);
      for (const run of reaped) options.log(`run ${run.id}: marked FAILED (worker lost); its ${run.epochsDone} finished epochs are kept.`);
    };
    await reap();
    // A deletion a crash interrupted is finished, and folders and rows brought back in step.
    const repaired = await repairCheckpoints(store, thawPaths().checkpoints);
    const fixed = repaired.finishedDeletions.length + repaired.missingFolders.length + repaired.orphans.length;
    if (fixed > 0) options.log(`repaired checkpoints: ${repaired.finishedDeletions.length} interrupted deletion(s) finished, ${repaired.missingFolders.length} missing folder(s) marked, ${repaired.orphans.length} orphan folder(s) removed.`);
    const slots = new Set<Slot>();
    let stopping = false;
    let wake: () => void = () => {};
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      options.log(`${signal}: finishing the current batch of ${slots.size} run(s), then stopping.`);
      for (const slot of slots) if (slot.process.connected) slot.process.send({ type: "stop" });
      wake();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    try {
      options.log(`worker ${process.pid}: ${describeBudget(options.budget)}${options.once ? ", until the queue is empty" : ""}.`);
      while (!stopping) {
        if (Date.now() - lastReap > options.heartbeatTimeoutMs / 2) await reap();
        const unclaimed = [...slots].filter((s) => s.runId === null).length;
        const queued = await queuedCount(store, options.budget.concurrency + 1);
        if (slots.size < options.budget.concurrency && queued > unclaimed) {
          const slot = startChild(store, options, childEnv, () => wake());
          slots.add(slot);
          slot.exited.then(() => slots.delete(slot));
          continue;
        }
        if (options.once && slots.size === 0 && queued === 0) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, options.pollMs);
        });
      }
      await Promise.all([...slots].map((s) => s.exited));
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    }
    options.log(stopping ? "worker stopped." : "worker done: the queue is empty.");
  });
}

async function queuedCount(store: TrackingStore, limit: number): Promise<number> {
  return (await store.listRuns({ status: ["QUEUED"], limit, sort: { key: "createdAt", direction: "asc" } })).items.length;
}

function startChild(store: TrackingStore, options: WorkerOptions, env: Record<string, string | undefined>, onChange: () => void): Slot {
  const child = fork(BIN, [CHILD_COMMAND], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env,
  });
  const slot: Slot = { process: child, runId: null, exited: Promise.resolve() };
  child.on("message", (message: ChildMessage) => {
    if (message.type === "claimed") slot.runId = message.runId;
  });
  slot.exited = new Promise<void>((resolve) => {
    child.on("exit", (code, signal) => {
      void settleChild(store, slot, code, signal, options).finally(() => {
        resolve();
        onChange();
      });
    });
  });
  return slot;
}

/** A child that died without ending its run leaves it RUNNING: end it here, keeping its epochs. */
async function settleChild(store: TrackingStore, slot: Slot, code: number | null, signal: NodeJS.Signals | null, options: WorkerOptions): Promise<void> {
  if (code === 0 || code === NOTHING_CLAIMED_EXIT || slot.runId === null) return;
  const run = await store.getRun(slot.runId);
  if (run.status !== "RUNNING") return;
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  await store.failRun(slot.runId, { message: `worker lost: the run's process ${how}`, stack: null });
  options.log(`run ${slot.runId}: its process ${how}; marked FAILED.`);
}
