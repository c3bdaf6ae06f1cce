// The one function that executes a claimed run, for `thaw train` and for the worker alike:
// load data, build base + transfer, fit with the tracking hook, best-only checkpoints and early
// stopping, evaluate the best checkpoint, and end the run FINISHED, STOPPED or FAILED.
import path from "node:path";
import { artifactPath, type Dataset, type Run, type TrackingStore } from "@thaw/tracking";
import { cacheCapBytes, evictFeatureCaches } from "@thaw/vgg";
import { heartbeatTimings, thawPaths } from "../config.ts";
import { evaluateCheckpoint, evaluateOnTest } from "./evaluate.ts";
import { fitRun } from "./fit-run.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { buildRunModel, plannedEngine, startBackend } from "./model-setup.ts";
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
  const outcome = await executeOnce(store, run, options);
  // A slot of the sweep has freed: its sampler picks the next run(s) from the results so far.
  // A stopped run does not refill, so stopping a sweep's runs stops the sweep.
  if (run.sweepId && outcome !== "STOPPED") {
    try {
      await store.refillSweep(run.sweepId);
    } catch (error) {
      (options.write ?? ((text: string) => process.stdout.write(text)))(
        `${options.logPrefix ?? ""}could not queue the next runs of sweep ${run.sweepId}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
  }
  return outcome;
}

async function executeOnce(store: TrackingStore, run: Run, options: ExecuteOptions): Promise<RunOutcome> {
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
  // What is known of the execution is recorded as soon as it is known, so that a run failing
  // before its first epoch still says which backend and engine it was on.
  let backendRecorded = false;
  try {
    await store.recordRunInfo(run.id, { thawVersion: thawVersion() });
    const backend = await startBackend();
    await store.recordRunInfo(run.id, { backend });
    backendRecorded = true;
    await store.recordRunInfo(run.id, { engine: await plannedEngine() });
    if (run.datasetId === null) throw new Error(`Run ${run.id} has no dataset; enqueue it with a data folder.`);
    const dataset = await store.getDataset(run.datasetId);
    const data = await openTrainingData(artifactPath(dataset.path), settings, paths.cache, { testSplit: dataset.testSplit, testSeed: dataset.testSeed });
    await checkDatasetFingerprint(store, dataset, data.fingerprint);
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
      sweepId: run.sweepId,
    });
    if (fitted.pruneReason) log(`run ${run.id} ${fitted.pruneReason}; it ends FINISHED with its epochs and checkpoints.`);
    const frozenPart = fitted.featureCacheEngine ? `; features ${fitted.featureCacheEngine}` : fitted.prefixEngine ? `; prefix ${fitted.prefixEngine}` : "";
    const provider = fitted.trainingEngine.provider ? ` (${fitted.trainingEngine.provider})` : "";
    await store.recordRunInfo(run.id, { engine: `training ${fitted.trainingEngine.name}${provider}${frozenPart}` });
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
      const evaluation = await evaluateCheckpoint(artifactPath(best.path), data);
      await store.recordRunInfo(run.id, { evaluation: { ...evaluation, checkpointId: best.id } });
      if (data.test) {
        const test = data.test;
        const testEvaluation = await evaluateOnTest(artifactPath(best.path), best.id, { ...data, test });
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
    if (!backendRecorded) await store.recordRunInfo(run.id, { backend: "none (it did not start)" });
    await store.failRun(run.id, { message: err.message, stack: err.stack ?? null });
    log(`run ${run.id} FAILED: ${err.message}`);
    return "FAILED";
  } finally {
    // The cache stays under its cap: least recently used first, never one a live run uses.
    evictCaches(path.join(paths.cache, "features"), log);
    heartbeat.stop();
    options.signal?.removeEventListener("abort", abort);
    release?.();
  }
}

function evictCaches(root: string, log: (line: string) => void): void {
  try {
    for (const folder of evictFeatureCaches(root, cacheCapBytes())) log(`feature cache ${folder.dir} removed (least recently used; THAW_CACHE_MAX_GB).`);
  } catch (error) {
    // The run's outcome is already recorded; a cache that could not be pruned waits for the next run.
    log(`feature caches not pruned: ${(error as Error).message}`);
  }
}

/**
 * The first worker to read a dataset records its content fingerprint; a worker on another host
 * whose copy differs refuses the run rather than train on other images under the same name.
 */
async function checkDatasetFingerprint(store: TrackingStore, dataset: Dataset, fingerprint: string): Promise<void> {
  if (dataset.fingerprint === null) {
    await store.registerDataset({ name: dataset.name, path: dataset.path, fingerprint });
    return;
  }
  if (dataset.fingerprint !== fingerprint) {
    throw new Error(
      `Dataset "${dataset.name}" at ${artifactPath(dataset.path)} differs on this host: recorded fingerprint ${dataset.fingerprint}, this host's copy ${fingerprint}; sync this host's copy with the one the dataset was recorded from (or register the changed folder as a new dataset) and enqueue the run again.`,
    );
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
