// The one function that executes a claimed run, for `thaw train` and for the worker alike:
// load data, build base + transfer, fit with the tracking hook, best-only checkpoints and early
// stopping, evaluate the best checkpoint, and end the run FINISHED, STOPPED or FAILED.
import path from "node:path";
import type { Run, TrackingStore } from "@thaw/tracking";
import { heartbeatTimings, thawPaths } from "../config.ts";
import { evaluateCheckpoint, evaluateOnTest } from "./evaluate.ts";
import { fitRun } from "./fit-run.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { buildRunModel, startBackend } from "./model-setup.ts";
import { execSettings } from "./run-settings.ts";
import { openTrainingData } from "./training-data.ts";
import { thawVersion } from "./version.ts";

export interface ExecuteOptions {
  workerId: string;
  /** Aborted by SIGINT/SIGTERM or the worker: the run stops at the next batch. */
  signal?: AbortSignal;
  /** Put before every progress line (several runs share a terminal under the worker). */
  logPrefix?: string;
  write?: (text: string) => void;
  tty?: boolean;
}

export type RunOutcome = "FINISHED" | "STOPPED" | "FAILED";

export async function executeRun(store: TrackingStore, run: Run, options: ExecuteOptions): Promise<RunOutcome> {
  const settings = execSettings(run);
  const paths = thawPaths();
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const prefix = options.logPrefix ?? "";
  const log = (line: string) => write(`${prefix}${line}\n`);
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener("abort", abort, { once: true });
  const heartbeat = startHeartbeat(store, run.id, options.workerId, heartbeatTimings().intervalMs, abort);
  let release: (() => void) | undefined;
  try {
    const backend = await startBackend();
    await store.recordRunInfo(run.id, { backend, thawVersion: thawVersion() });
    if (run.datasetId === null) throw new Error(`Run ${run.id} has no dataset; enqueue it with a data folder.`);
    const dataset = await store.getDataset(run.datasetId);
    const data = await openTrainingData(dataset.path, settings, paths.cache, { testSplit: dataset.testSplit, testSeed: dataset.testSeed });
    await store.recordRunInfo(run.id, { datasetFingerprint: data.fingerprint, skipReport: [] });
    const built = await buildRunModel(store, settings, data.classNames, data.fingerprint);
    release = built.dispose;
    await store.recordRunInfo(run.id, { baseWeightsHash: built.baseWeightsHash });
    const testPart = data.test ? `, ${data.test.files.length} test images held out` : "";
    log(`${built.description}; ${data.trainCount} training and ${data.validationCount} validation images${testPart}, backend ${backend}.`);
    const fitted = await fitRun({
      store,
      settings,
      model: built.model,
      metadata: built.metadata,
      data,
      checkpointDir: path.join(paths.checkpoints, `run-${run.id}`),
      cacheDir: path.join(paths.cache, "features"),
      signal: controller.signal,
      heartbeat,
      write: (text) => write(text.replace(/^(\r?\x1b\[2K)?/, (m) => `${m}${prefix}`)),
      tty: options.tty,
    });
    const frozenPart = fitted.featureCacheEngine ? `; features ${fitted.featureCacheEngine}` : fitted.prefixEngine ? `; prefix ${fitted.prefixEngine}` : "";
    await store.recordRunInfo(run.id, { engine: `training ${fitted.trainingEngine.name}${frozenPart}` });
    log(`trained by ${fitted.trainingEngine.name} (${fitted.trainingEngine.reason}).`);
    if (fitted.featureCacheEngine) log(`frozen-prefix features cached in ${fitted.featureCacheDir} (computed by: ${fitted.featureCacheEngine}).`);
    const skipped = data.skipReport();
    await store.recordRunInfo(run.id, { skipReport: skipped });
    if (skipped.length > 0) log(`skipped ${skipped.length} file(s) that would not decode; see \`thaw show ${run.id}\`.`);
    if (heartbeat.lost) return lostRun(run.id, log);
    if (controller.signal.aborted) {
      await store.stopRun(run.id);
      log(`run ${run.id} STOPPED at the end of a batch; finished epochs are kept.`);
      return "STOPPED";
    }
    const best = await store.bestCheckpoint(run.id);
    if (best) {
      const evaluation = await evaluateCheckpoint(best.path, data);
      await store.recordRunInfo(run.id, { evaluation: { ...evaluation, checkpointId: best.id } });
      if (data.test) {
        const test = data.test;
        const testEvaluation = await evaluateOnTest(best.path, best.id, { ...data, test });
        await store.recordRunInfo(run.id, { testEvaluation });
        log(`best checkpoint on the ${testEvaluation.images.length} held-out test images: accuracy ${testEvaluation.accuracy.toFixed(4)}.`);
      }
    }
    await store.finishRun(run.id);
    return "FINISHED";
  } catch (error) {
    if (heartbeat.lost) return lostRun(run.id, log);
    if (controller.signal.aborted && isAbort(error)) {
      await store.stopRun(run.id);
      return "STOPPED";
    }
    const err = error instanceof Error ? error : new Error(String(error));
    await store.failRun(run.id, { message: err.message, stack: err.stack ?? null });
    log(`run ${run.id} FAILED: ${err.message}`);
    return "FAILED";
  } finally {
    heartbeat.stop();
    options.signal?.removeEventListener("abort", abort);
    release?.();
  }
}

/** Another process already ended the run (reaped as lost): leave its record as it is. */
function lostRun(runId: number, log: (line: string) => void): RunOutcome {
  log(`run ${runId} was marked lost by another worker; leaving it as recorded.`);
  return "FAILED";
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || /abort/i.test(error.name));
}
