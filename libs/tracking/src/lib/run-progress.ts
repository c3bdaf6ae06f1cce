// The shape of a run's in-epoch progress, one JSON column written by its worker and read by
// the dashboard and the CLI. zod checks it on the way in; readers parse it back the same way.
import { z } from "zod";

export const PROGRESS_PHASES = ["cache", "train", "validate"] as const;

const count = z.number().int().min(0);
const rate = z.number().min(0).nullable();

const progressShape = {
    /** "cache": computing frozen-prefix features; "train": training batches; "validate": validation batches. */
    phase: z.enum(PROGRESS_PHASES),
    /** 0-based epoch. */
    epoch: count,
    /** Images done in this phase of this epoch. */
    done: count,
    /** Images this phase goes through in the epoch. */
    total: count,
    /** Over a short moving window; null before two measurements. */
    imagesPerSecond: rate,
    /** Seconds until this phase ends at the current rate; null while the rate is unknown. */
    etaSeconds: rate,
};

export const runProgressInputSchema = z
  .object(progressShape)
  .refine((p) => p.done <= p.total, { message: "done must not exceed total", path: ["done"] });

export type RunProgressInput = z.output<typeof runProgressInputSchema>;

/** As stored: the input plus when the worker wrote it (ISO time), so readers see a stale one. */
export type RunProgress = RunProgressInput & { updatedAt: string };

const storedSchema = z.object({ ...progressShape, updatedAt: z.iso.datetime() });

/** A run's progress column read back; null when there is none (or it is not one we wrote). */
export function parseRunProgress(value: unknown): RunProgress | null {
  const parsed = storedSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
