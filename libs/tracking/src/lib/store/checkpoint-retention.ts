// Which checkpoints a run keeps. Rows are marked deleted (in one transaction) before their
// folders are removed, so a crash leaves a marked row whose folder a repair removes, never an
// unmarked row pointing at a missing folder. Promoted checkpoints and checkpoints another run
// was queued from are never marked.
import type { Checkpoint } from "../../generated/prisma/client.ts";
import { idSchema, parseInput } from "../validation.ts";
import { writeTransaction, type Db, type StoreContext } from "./context.ts";
import { InvalidInputError } from "../errors.ts";

/** Default retention: the best checkpoint and the one before it (saves are best-only). */
export const DEFAULT_KEEP_CHECKPOINTS = 2;

/** Checkpoint ids that must outlive any pruning: aliased, ever promoted, or a run's pinned base. */
async function protectedIds(db: Db, ids: number[]): Promise<Set<number>> {
  const [aliases, promotions, bases] = await Promise.all([
    db.modelAlias.findMany({ where: { checkpointId: { in: ids } }, select: { checkpointId: true } }),
    db.promotion.findMany({ where: { OR: [{ checkpointId: { in: ids } }, { previousCheckpointId: { in: ids } }] }, select: { checkpointId: true, previousCheckpointId: true } }),
    db.run.findMany({ where: { baseCheckpointId: { in: ids } }, select: { baseCheckpointId: true } }),
  ]);
  const found = [...aliases.map((a) => a.checkpointId), ...promotions.flatMap((p) => [p.checkpointId, p.previousCheckpointId]), ...bases.map((b) => b.baseCheckpointId)];
  return new Set(found.filter((id): id is number => id !== null));
}

/** Marks a run's superseded checkpoints deleted, keeping the newest `keep`; returns the marked rows. */
export async function pruneCheckpoints(ctx: StoreContext, runId: number, keep: number): Promise<Checkpoint[]> {
  parseInput(idSchema, runId, "runId");
  if (!Number.isInteger(keep) || keep < 1) throw new InvalidInputError("keep", `${keep} would delete the best checkpoint`, "keep at least 1 checkpoint");
  return writeTransaction(ctx, async (tx) => {
    const live = await tx.checkpoint.findMany({ where: { runId, deletedAt: null }, orderBy: [{ epoch: "desc" }, { id: "desc" }] });
    const candidates = live.slice(keep);
    if (candidates.length === 0) return [];
    const kept = await protectedIds(tx, candidates.map((c) => c.id));
    const doomed = candidates.filter((c) => !kept.has(c.id));
    if (doomed.length === 0) return [];
    const deletedAt = new Date();
    await tx.checkpoint.updateMany({ where: { id: { in: doomed.map((c) => c.id) } }, data: { deletedAt } });
    return doomed.map((c) => ({ ...c, deletedAt }));
  });
}

/** Every checkpoint row, live or marked deleted: what a repair and `thaw gc` compare with the disk. */
export async function listCheckpoints(ctx: StoreContext, filter: { deleted: boolean }): Promise<Checkpoint[]> {
  return ctx.prisma.checkpoint.findMany({ where: { deletedAt: filter.deleted ? { not: null } : null }, orderBy: { id: "asc" } });
}

/** Marks rows deleted whose folders are gone (a repair): no row may point at a missing folder. */
export async function markCheckpointsDeleted(ctx: StoreContext, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { count } = await ctx.prisma.checkpoint.updateMany({ where: { id: { in: ids }, deletedAt: null }, data: { deletedAt: new Date() } });
  return count;
}
