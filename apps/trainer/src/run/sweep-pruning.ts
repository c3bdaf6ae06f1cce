// The worker's side of a sweep's early stopping: after each epoch is logged, ask the store
// whether the run goes on (the sweep's ASHA or median rule over every worker's curves) and,
// when it is pruned, stop training as Keras' callbacks do, after this epoch's checkpoint.
import type { TrackingStore } from "@thaw/tracking";
import type { Callback, TrainingState } from "@thaw/vgg";

export function sweepPruning(store: TrackingStore, runId: number, onPrune: (reason: string) => void): Callback {
  let state: TrainingState | undefined;
  return {
    setTrainingState(current) {
      state = current;
    },
    async onEpochEnd(epoch) {
      const decision = await store.decideEpoch(runId, epoch);
      if (!decision.prune || !state) return;
      state.stopTraining = true;
      onPrune(decision.reason);
    },
  };
}
