// Fitting one run: the tracking hook (epoch rows, heartbeat, progress), best-only checkpoints
// recorded as Checkpoint rows, and early stopping with the run's patience, all on val_accuracy.
import path from "node:path";
import { artifactUri, type TrackingStore } from "@thaw/tracking";
import { adam, earlyStopping, fit, hook, modelCheckpoint, saveCheckpoint, sgd } from "@thaw/vgg";
import { pruneRunCheckpoints } from "../disk/checkpoint-files.ts";
import { KerasProgress } from "../progress.ts";
import { ProgressMeter, describeProgress } from "./progress-meter.ts";
import type { Heartbeat } from "./heartbeat.ts";
import type { RunCheckpointMeta, TrainModel } from "./model-setup.ts";
import type { ExecSettings } from "./run-settings.ts";
import { sweepPruning } from "./sweep-pruning.ts";
import type { TrainingData } from "./training-data.ts";

export interface FitRunInput {
  store: TrackingStore;
  settings: ExecSettings;
  model: TrainModel;
  metadata: RunCheckpointMeta;
  data: TrainingData;
  /** run-<id>; each checkpoint goes to epoch-<n> inside (n 1-based, as Keras names files). */
  checkpointDir: string;
  /** Root of the frozen-prefix feature cache. */
  cacheDir: string;
  signal: AbortSignal;
  heartbeat: Heartbeat;
  write: (text: string) => void;
  tty?: boolean;
  /** The run's sweep, whose scheduler may stop it early; null outside a sweep. */
  sweepId?: string | null;
}

const MONITOR = "val_accuracy";

export interface FitRunResult {
  /** Engine that computed the frozen prefix's features ("none": all were on disk); null without the cache. */
  featureCacheEngine: string | null;
  featureCacheDir: string | null;
  /** Engine that trained the unfrozen layers, and why it was chosen. */
  trainingEngine: { name: string; reason: string; provider?: string };
  /** Engine that ran the frozen prefix every batch (runs without the cache); null otherwise. */
  prefixEngine: string | null;
  /** Why the sweep's scheduler stopped the run early; null when it was not. */
  pruneReason: string | null;
}

export async function fitRun(input: FitRunInput): Promise<FitRunResult> {
  const { store, settings, data } = input;
  const progress = new KerasProgress({ epochs: settings.epochs, stepsPerEpoch: data.stepsPerEpoch, write: input.write, tty: input.tty });
  const meter = new ProgressMeter({ trainCount: data.trainCount, validationCount: data.validationCount });
  let seen = 0;
  let lossSum = 0;
  let correctSum = 0;
  let batches = 0;
  const tracking = hook({
    onEpochBegin: (epoch) => {
      seen = lossSum = correctSum = batches = 0;
      meter.epochBegin();
      progress.epochBegin(epoch);
    },
    onBatchEnd: (batch, logs) => {
      // Running means over the epoch so far, weighted by batch size, as Keras' bar shows them.
      seen += logs.size;
      lossSum += logs.loss * logs.size;
      correctSum += logs.accuracy * logs.size;
      batches = batch + 1;
    },
    // Every training batch reports here right after onBatchEnd: the terminal line is drawn
    // once the meter has its rate; while the cache fills, the line shows the fill instead.
    onProgress: async (report) => {
      const due = meter.update(report);
      const now = meter.current();
      if (report.phase === "train" && !meter.filling(report.epoch)) {
        progress.batchEnd(report.epoch, batches - 1, { loss: lossSum / seen, accuracy: correctSum / seen }, now?.imagesPerSecond);
      } else if (now && now.phase !== "train") {
        progress.phase(now.epoch, now.done, now.total, describeProgress(now));
      }
      // Progress is advisory: a busy database must not fail the run; the next write catches up.
      if (due) await store.recordProgress(settings.runId, due).catch(() => undefined);
    },
    onEpochEnd: async (epoch, logs) => {
      progress.epochEnd(epoch, logs, batches || data.stepsPerEpoch);
      await store.logEpoch(settings.runId, {
        epoch,
        loss: logs.loss,
        accuracy: logs.accuracy,
        valLoss: logs.val_loss ?? null,
        valAccuracy: logs.val_accuracy ?? null,
        learningRate: settings.learningRate,
        durationMs: Math.round(logs.duration * 1000),
      });
      await input.heartbeat.beat();
    },
  });
  const checkpoints = modelCheckpoint({
    monitor: MONITOR,
    mode: "max",
    saveBestOnly: true,
    save: async (model, epoch, logs) => {
      const metrics = Object.fromEntries(Object.entries(logs).filter((e): e is [string, number] => typeof e[1] === "number"));
      const saved = await saveCheckpoint(model, path.join(input.checkpointDir, `epoch-${epoch + 1}`), { ...input.metadata, epoch: epoch + 1, metrics });
      const row = await store.addCheckpoint(settings.runId, { epoch, path: artifactUri(saved.path), metrics, sizeBytes: saved.sizeBytes, sha256: saved.sha256 });
      // Retention after every save, as Keras' save_best_only overwrites its one file.
      await pruneRunCheckpoints(store, settings.runId, settings.keepCheckpoints);
      return row;
    },
  });
  const stopping = earlyStopping({ monitor: MONITOR, mode: "max", patience: settings.patience });
  let pruneReason: string | null = null;
  // Last, so that the epoch that decides has been logged and its checkpoint saved.
  const pruning = input.sweepId ? [sweepPruning(store, settings.runId, (reason) => (pruneReason = reason))] : [];
  // Without augmentation the frozen prefix sees the same pixels every epoch: compute it once
  // per image (shared by every run that freezes the same prefix of the same weights).
  const cached = !settings.augment && settings.frozenLayers >= 2;
  const history = await fit(input.model, () => data.train, {
    epochs: settings.epochs,
    optimizer: settings.optimizer === "adam" ? adam(settings.learningRate) : sgd(settings.learningRate, settings.momentum),
    validation: () => data.validation,
    callbacks: [tracking, checkpoints, stopping, ...pruning],
    signal: input.signal,
    batchSize: settings.batchSize,
    featureCache: cached
      ? { dir: input.cacheDir, datasetFingerprint: input.metadata.datasetFingerprint, baseWeightsHash: input.metadata.baseWeightsHash, augmented: false }
      : undefined,
  });
  // Nothing is in progress while the best checkpoint is evaluated; ending the run clears it too.
  await store.recordProgress(settings.runId, null).catch(() => undefined);
  return { featureCacheEngine: history.featureCache?.engine ?? null, featureCacheDir: history.featureCache?.dir ?? null, trainingEngine: history.engine, prefixEngine: history.prefixEngine?.name ?? null, pruneReason };
}
