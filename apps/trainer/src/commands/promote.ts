// `thaw promote CHECKPOINT|RUN`: gives a checkpoint the `champion` alias of its experiment, after
// showing it against the current champion on the same test images.
import type { Command } from "commander";
import { PromotionReasonRequiredError, type TestComparison } from "@thaw/tracking";
import { UsageError } from "../errors.ts";
import { fmtNumber, table } from "../format.ts";
import { parseCheckpointRef, resolveCheckpoint } from "../refs.ts";
import { withStore } from "../store.ts";

export function registerPromote(program: Command): void {
  program
    .command("promote")
    .description("promote a checkpoint (ckpt:<id> or a directory) or a run's best checkpoint to champion")
    .argument("<ref>", "run id, ckpt:<id>, or a checkpoint directory")
    .option("--alias <name>", "alias to set", "champion")
    .option("--reason <text>", "why, kept in the promotion history (required to promote a checkpoint worse on the test set)")
    .action(async (refText: string, opts: { alias: string; reason?: string }) => {
      await withStore(async (store) => {
        const checkpoint = await resolveCheckpoint(store, parseCheckpointRef(refText));
        console.log(renderTestComparison(await store.promotionPreview(checkpoint.id, opts.alias)));
        try {
          const view = await store.promote({ checkpointId: checkpoint.id, alias: opts.alias, by: "cli", reason: opts.reason });
          const experiment = await store.getExperiment(view.experimentId);
          console.log(
            `Checkpoint ${checkpoint.id} (run ${view.runId}, epoch ${view.epoch + 1}) is now "${opts.alias}" of experiment "${experiment.name}": ${checkpoint.path}`,
          );
        } catch (error) {
          if (error instanceof PromotionReasonRequiredError) throw new UsageError(error.message.replace("give a reason", "give a reason with --reason"));
          throw error;
        }
      });
    });
}

export function renderTestComparison(comparison: TestComparison): string {
  const { challenger, champion } = comparison;
  if (!comparison.comparable || !champion) return `On the test set: ${comparison.note ?? "no comparison."}`;
  const a = challenger.evaluation;
  const b = champion.evaluation;
  if (!a || !b) return `On the test set: ${comparison.note ?? "no comparison."}`;
  const delta = (x: number | null, y: number | null) => (x === null || y === null ? "-" : `${x - y >= 0 ? "+" : ""}${fmtNumber(x - y)}`);
  const rows = [
    ["accuracy", fmtNumber(a.accuracy), fmtNumber(b.accuracy), delta(a.accuracy, b.accuracy)],
    ...comparison.perClass.flatMap((c) => [
      [`${c.className} recall`, fmtNumber(c.challengerRecall), fmtNumber(c.championRecall), delta(c.challengerRecall, c.championRecall)],
      [`${c.className} precision`, fmtNumber(c.challengerPrecision), fmtNumber(c.championPrecision), delta(c.challengerPrecision, c.championPrecision)],
    ]),
  ];
  const lines = [
    `On the same ${a.images.length} test images: checkpoint ${challenger.checkpointId} (run ${challenger.runId}) against the champion, checkpoint ${champion.checkpointId} (run ${champion.runId})`,
    table(["", `ckpt ${challenger.checkpointId}`, `champion ${champion.checkpointId}`, "delta"], rows),
  ];
  if (comparison.disagreements.length) {
    const name = (i: number) => a.classNames[i] ?? String(i);
    lines.push(`they disagree on ${comparison.disagreements.length} image(s):`);
    for (const d of comparison.disagreements.slice(0, 20)) lines.push(`  ${d.file}: true ${name(d.label)}, challenger ${name(d.challenger)}, champion ${name(d.champion)}`);
    if (comparison.disagreements.length > 20) lines.push(`  ... and ${comparison.disagreements.length - 20} more`);
  }
  if (comparison.worse) lines.push("The challenger gets fewer test images right than the champion.");
  return lines.join("\n");
}
