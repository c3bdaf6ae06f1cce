// The champion model of an experiment, loaded once per process and kept until the alias
// moves to another checkpoint: loading a checkpoint reads and hashes every weight file,
// which a request should not pay for each time.
import "server-only";
import { artifactPath, type TrackingStore } from "@thaw/tracking";
import type { GradCamExplainer, InferenceEngine, LoadedCheckpoint } from "@thaw/vgg";

export interface Champion {
  experimentId: number;
  checkpointId: number;
  runId: number;
  epoch: number;
  name: string;
  checkpoint: LoadedCheckpoint;
  /** Probabilities and Grad-CAM in one pass on ONNX Runtime (under a second at real size). */
  explainer: GradCamExplainer | undefined;
  /** Without ONNX Runtime: probabilities from this engine, Grad-CAM on TF.js. */
  engine: InferenceEngine | undefined;
}

export class NoChampionError extends Error {
  override name = "NoChampionError";
}

const cache = globalThis as unknown as { thawChampions?: Map<number, Promise<Champion>> };
const loaded = (cache.thawChampions ??= new Map());

async function load(store: TrackingStore, experimentId: number, checkpointId: number): Promise<Champion> {
  const { loadCheckpoint, createEngine, createGradCam } = await import("@thaw/vgg");
  const stored = await store.getCheckpoint(checkpointId);
  const checkpoint = await loadCheckpoint(artifactPath(stored.path));
  const experiment = await store.getExperiment(experimentId);
  return {
    experimentId,
    checkpointId,
    runId: stored.runId,
    epoch: stored.epoch,
    name: `${experiment.name} champion (run #${stored.runId}${stored.run.name ? ` ${stored.run.name}` : ""}, epoch ${stored.epoch + 1})`,
    checkpoint,
    ...(await createGradCam(checkpoint.model).then(
      (explainer) => ({ explainer, engine: undefined }),
      async () => ({ explainer: undefined, engine: await createEngine(checkpoint.model) }),
    )),
  };
}

/** The current champion, reloaded only when the alias points at a different checkpoint. */
export async function championOf(store: TrackingStore, experimentId: number): Promise<Champion> {
  const alias = await store.getAlias(experimentId);
  if (!alias) throw new NoChampionError("This experiment has no champion yet; promote a checkpoint on the Models page first.");
  const cached = loaded.get(experimentId);
  if (cached) {
    const champion = await cached.catch(() => null);
    if (champion?.checkpointId === alias.checkpoint.id) return champion;
  }
  const next = load(store, experimentId, alias.checkpoint.id);
  loaded.set(experimentId, next);
  // A failed load is not cached, so fixing the checkpoint on disk fixes the page.
  next.catch(() => loaded.delete(experimentId));
  return next;
}
