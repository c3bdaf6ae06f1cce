// Builds the model a run trains: its base (ImageNet weights, random, or a previous run's
// checkpoint) with the new head, layers[:N] frozen.
import type { TrackingStore } from "@thaw/tracking";
import { chooseEngine, countParams, initBackend, loadBase, transfer, type CheckpointMetaInput } from "@thaw/vgg";
import { baseToLoad } from "./base-ref.ts";
import type { ExecSettings } from "./run-settings.ts";

export type TrainModel = Awaited<ReturnType<typeof loadBase>>["model"];

/** The checkpoint metadata every epoch's checkpoint shares (epoch and metrics are added per save). */
export type RunCheckpointMeta = Omit<CheckpointMetaInput, "epoch" | "metrics">;

export interface BuiltModel {
  model: TrainModel;
  baseWeightsHash: string;
  metadata: RunCheckpointMeta;
  description: string;
  dispose(): void;
}

export async function startBackend(): Promise<string> {
  return (await initBackend()).name;
}

/**
 * What the engine selection rule picks for forward-only work, known before anything is built;
 * the run's engine column holds it until fit reports the engines that actually trained.
 */
export async function plannedEngine(): Promise<string> {
  const choice = await chooseEngine();
  return `${choice.name} chosen for the frozen prefix (${choice.reason})`;
}

export async function buildRunModel(store: TrackingStore, settings: ExecSettings, classNames: string[], datasetFingerprint: string): Promise<BuiltModel> {
  const { spec, sha256 } = await baseToLoad(store, settings);
  const loaded = await loadBase(spec, {
    includeTop: settings.head === "fc2",
    inputShape: [settings.imageSize, settings.imageSize, 3],
    widthMultiplier: settings.widthMultiplier,
    seed: settings.seed,
  });
  if (sha256 !== null && loaded.baseWeightsHash !== sha256) {
    loaded.model.dispose();
    throw new Error(`The base checkpoint ${spec} has changed since this run was queued (sha256 ${loaded.baseWeightsHash.slice(0, 12)}, pinned ${sha256.slice(0, 12)}); queue the run again to start from what is there now.`);
  }
  const head = loaded.checkpointMeta?.head ?? settings.head;
  const model = transfer(loaded.model, {
    frozenLayers: settings.frozenLayers,
    classes: classNames.length,
    head,
    dropout: settings.dropout,
    seed: settings.seed,
  });
  const widthMultiplier = loaded.checkpointMeta?.widthMultiplier ?? settings.widthMultiplier;
  const params = countParams(model);
  return {
    model,
    baseWeightsHash: loaded.baseWeightsHash,
    metadata: {
      classNames,
      base: settings.base,
      baseWeightsHash: loaded.baseWeightsHash,
      frozenLayers: settings.frozenLayers,
      head,
      widthMultiplier,
      datasetFingerprint,
    },
    description:
      `VGG16 x${widthMultiplier} at ${settings.imageSize}x${settings.imageSize} from ${settings.base}, head ${head}, ` +
      `layers[:${settings.frozenLayers}] frozen: ${params.trainable.toLocaleString("en-US")} trainable, ${params.nonTrainable.toLocaleString("en-US")} non-trainable parameters`,
    dispose: () => {
      model.dispose();
    },
  };
}
