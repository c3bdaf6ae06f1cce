// `thaw promote CHECKPOINT|RUN`: gives a checkpoint the `champion` alias of its experiment.
import type { Command } from "commander";
import { parseCheckpointRef, resolveCheckpoint } from "../refs.ts";
import { withStore } from "../store.ts";

export function registerPromote(program: Command): void {
  program
    .command("promote")
    .description("promote a checkpoint (ckpt:<id> or a directory) or a run's best checkpoint to champion")
    .argument("<ref>", "run id, ckpt:<id>, or a checkpoint directory")
    .option("--alias <name>", "alias to set", "champion")
    .option("--reason <text>", "why, kept in the promotion history")
    .action(async (refText: string, opts: { alias: string; reason?: string }) => {
      await withStore(async (store) => {
        const checkpoint = await resolveCheckpoint(store, parseCheckpointRef(refText));
        const view = await store.promote({ checkpointId: checkpoint.id, alias: opts.alias, by: "cli", reason: opts.reason });
        const experiment = await store.getExperiment(view.experimentId);
        console.log(
          `Checkpoint ${checkpoint.id} (run ${view.runId}, epoch ${view.epoch + 1}) is now "${opts.alias}" of experiment "${experiment.name}": ${checkpoint.path}`,
        );
      });
    });
}
