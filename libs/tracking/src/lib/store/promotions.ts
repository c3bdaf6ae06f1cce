// MLflow-style aliases: (experiment, alias) -> checkpoint, with every promotion kept so the
// history of `champion` can be read back and a promotion undone by promoting the previous one.
import { CrossExperimentPromotionError, InvalidStateError, NotFoundError, PromotionReasonRequiredError } from "../errors.ts";
import { compareOnTest, type TestComparison, type TestSide } from "../test-comparison.ts";
import type { AliasView, PromoteInput, PromotionView, TestEvaluation } from "../tracking-store.ts";
import { aliasSchema, idSchema, parseInput, promoteSchema } from "../validation.ts";
import { writeTransaction, type StoreContext } from "./context.ts";
import { CHAMPION } from "./experiments.ts";

const promotionInclude = { checkpoint: { select: { runId: true, epoch: true } } } as const;

function toView<P extends { checkpoint: { runId: number; epoch: number } }>({ checkpoint, ...promotion }: P): Omit<P, "checkpoint"> & { runId: number; epoch: number } {
  return { ...promotion, runId: checkpoint.runId, epoch: checkpoint.epoch };
}

export async function promote(ctx: StoreContext, input: PromoteInput): Promise<PromotionView> {
  const { checkpointId, alias = CHAMPION, by = "unknown", reason, experimentId: expected } = parseInput(promoteSchema, input);
  const checkpoint = await ctx.prisma.checkpoint.findUnique({
    where: { id: checkpointId },
    select: { id: true, runId: true, run: { select: { experimentId: true, status: true } } },
  });
  if (!checkpoint) throw new NotFoundError("Checkpoint", checkpointId);

  const experimentId = checkpoint.run.experimentId;
  if (expected !== undefined && expected !== experimentId) {
    throw new CrossExperimentPromotionError(checkpointId, experimentId, expected);
  }
  const comparison = await promotionPreview(ctx, checkpointId, alias);
  if (comparison.worse && !reason?.trim() && comparison.champion) {
    const images = comparison.challenger.evaluation?.images.length ?? 0;
    throw new PromotionReasonRequiredError(checkpointId, comparison.challenger.evaluation?.accuracy ?? 0, comparison.champion.checkpointId, comparison.champion.evaluation?.accuracy ?? 0, images);
  }
  // The alias move and its history row commit together; the lock also makes the
  // "previous checkpoint" we record the one this promotion actually replaced.
  const promotion = await writeTransaction(ctx, async (tx) => {
    // Checked inside the write lock: retention marks rows in its own write transaction.
    const live = await tx.checkpoint.findUnique({ where: { id: checkpointId }, select: { deletedAt: true } });
    if (live?.deletedAt) {
      throw new InvalidStateError(checkpoint.runId, checkpoint.run.status, `Checkpoint ${checkpointId} was deleted by checkpoint retention; promote one of the run's kept checkpoints.`);
    }
    const key = { experimentId_alias: { experimentId, alias } };
    const previous = await tx.modelAlias.findUnique({ where: key, select: { checkpointId: true } });
    await tx.modelAlias.upsert({ where: key, create: { experimentId, alias, checkpointId }, update: { checkpointId } });
    return tx.promotion.create({
      data: { experimentId, alias, checkpointId, previousCheckpointId: previous?.checkpointId ?? null, promotedBy: by, reason: reason ?? null },
      include: promotionInclude,
    });
  });
  return toView(promotion);
}

async function testSide(ctx: StoreContext, checkpointId: number): Promise<TestSide> {
  const row = await ctx.prisma.checkpoint.findUnique({ where: { id: checkpointId }, select: { runId: true, run: { select: { testEvaluation: true } } } });
  if (!row) throw new NotFoundError("Checkpoint", checkpointId);
  const evaluation = row.run.testEvaluation as TestEvaluation | null;
  // A run's test evaluation belongs to its best checkpoint only.
  return { checkpointId, runId: row.runId, evaluation: evaluation?.checkpointId === checkpointId ? evaluation : null };
}

/** The checkpoint against the alias' current holder (same experiment) on the same test images. */
export async function promotionPreview(ctx: StoreContext, checkpointId: number, alias: string = CHAMPION): Promise<TestComparison> {
  parseInput(idSchema, checkpointId, "checkpointId");
  const name = parseInput(aliasSchema, alias, "alias");
  const challenger = await testSide(ctx, checkpointId);
  const run = await ctx.prisma.run.findUniqueOrThrow({ where: { id: challenger.runId }, select: { experimentId: true } });
  const current = await ctx.prisma.modelAlias.findUnique({ where: { experimentId_alias: { experimentId: run.experimentId, alias: name } }, select: { checkpointId: true } });
  return compareOnTest(challenger, current ? await testSide(ctx, current.checkpointId) : null);
}

async function requireExperiment(ctx: StoreContext, experimentId: number): Promise<void> {
  parseInput(idSchema, experimentId, "experimentId");
  const found = await ctx.prisma.experiment.findUnique({ where: { id: experimentId }, select: { id: true } });
  if (!found) throw new NotFoundError("Experiment", experimentId);
}

export async function getAlias(ctx: StoreContext, experimentId: number, alias: string = CHAMPION): Promise<AliasView | null> {
  const name = parseInput(aliasSchema, alias, "alias");
  await requireExperiment(ctx, experimentId);
  const row = await ctx.prisma.modelAlias.findUnique({
    where: { experimentId_alias: { experimentId, alias: name } },
    include: { checkpoint: { include: { run: true } } },
  });
  if (!row) return null;
  const { run, ...checkpoint } = row.checkpoint;
  return { experimentId, alias: name, checkpoint, run, updatedAt: row.updatedAt };
}

/** Promotions of an alias, newest first. */
export async function aliasHistory(ctx: StoreContext, experimentId: number, alias: string = CHAMPION): Promise<PromotionView[]> {
  const name = parseInput(aliasSchema, alias, "alias");
  await requireExperiment(ctx, experimentId);
  const rows = await ctx.prisma.promotion.findMany({
    where: { experimentId, alias: name },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    include: promotionInclude,
  });
  return rows.map(toView);
}
