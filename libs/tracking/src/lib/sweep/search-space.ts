// A sweep's search space: for each hyperparameter either a set of values or a numeric range
// (uniform or log-uniform). Grid sweeps are spaces of sets only; random and TPE also sample ranges.
import { z } from "zod";
import { InvalidInputError } from "../errors.ts";

/** The hyperparameters a sweep may vary, with the type of their values. */
export interface SweepValues {
  frozenLayers: number;
  learningRate: number;
  optimizer: "sgd" | "adam";
  batchSize: number;
  dropout: number;
  augment: boolean;
}
export type SweepParam = keyof SweepValues;
export const SWEEP_PARAMS = ["frozenLayers", "learningRate", "optimizer", "batchSize", "dropout", "augment"] as const satisfies readonly SweepParam[];

export type SetDomain<T> = { kind: "set"; values: T[] };
export type RangeDomain = { kind: "range"; min: number; max: number; scale: "linear" | "log"; integer?: boolean };
export type Domain<T> = [T] extends [number] ? SetDomain<T> | RangeDomain : SetDomain<T>;

/** frozenLayers and learningRate are required; the others default to the run's own value. */
export type SearchSpace = { frozenLayers: Domain<number>; learningRate: Domain<number> } & {
  [K in Exclude<SweepParam, "frozenLayers" | "learningRate">]?: Domain<SweepValues[K]>;
};

/** One sampled configuration: the varied parameters only. */
export type Config = Partial<SweepValues> & Pick<SweepValues, "frozenLayers" | "learningRate">;

const range = z
  .object({ kind: z.literal("range"), min: z.number().finite(), max: z.number().finite(), scale: z.enum(["linear", "log"]), integer: z.boolean().optional() })
  .refine((r) => r.max >= r.min, { message: "a range needs min <= max; swap the two bounds" })
  .refine((r) => r.scale === "linear" || r.min > 0, { message: "a log-scale range needs a minimum above 0, e.g. 1e-5..1e-2:log" });

function numberDomain(check: (v: number) => boolean, rule: string, integer = false) {
  const value = z.number().finite().refine((v) => check(v) && (!integer || Number.isInteger(v)), { message: `each value must be ${rule}` });
  return z.union([
    z.object({ kind: z.literal("set"), values: z.array(value).min(1, { message: "a set needs at least one value" }) }),
    range.refine((r) => check(r.min) && check(r.max), { message: `the range's bounds must be ${rule}` }),
  ]);
}

export const searchSpaceSchema = z.object({
  frozenLayers: numberDomain((v) => v >= 0, "a whole number of layers, 0 or more", true),
  learningRate: numberDomain((v) => v > 0, "a positive number such as 1e-4"),
  optimizer: z.object({ kind: z.literal("set"), values: z.array(z.enum(["sgd", "adam"])).min(1) }).optional(),
  batchSize: numberDomain((v) => v >= 1, "a whole number of at least 1", true).optional(),
  dropout: numberDomain((v) => v >= 0 && v < 1, "a fraction from 0 up to (not including) 1").optional(),
  augment: z.object({ kind: z.literal("set"), values: z.array(z.boolean()).min(1) }).optional(),
}) satisfies z.ZodType<SearchSpace>;

/** The parameters the space varies, in SWEEP_PARAMS order. */
export function spaceParams(space: SearchSpace): SweepParam[] {
  return SWEEP_PARAMS.filter((param) => space[param] !== undefined);
}

export function domainOf(space: SearchSpace, param: SweepParam): SetDomain<SweepValues[SweepParam]> | RangeDomain | undefined {
  return space[param] as SetDomain<SweepValues[SweepParam]> | RangeDomain | undefined;
}

/** Number of cells of the grid, or null when a parameter is a continuous range. */
export function gridSize(space: SearchSpace): number | null {
  let size = 1;
  for (const param of spaceParams(space)) {
    const domain = domainOf(space, param);
    if (!domain) continue;
    if (domain.kind === "range") {
      if (!domain.integer) return null;
      size *= Math.floor(domain.max) - Math.ceil(domain.min) + 1;
    } else size *= new Set(domain.values).size;
  }
  return size;
}

/** Every cell of a grid space in a stable order (frozen layers outermost, as today's sweeps). */
export function gridConfigs(space: SearchSpace): Config[] {
  let configs: Record<string, unknown>[] = [{}];
  for (const param of spaceParams(space)) {
    const domain = domainOf(space, param);
    if (!domain) continue;
    if (domain.kind === "range" && !domain.integer) {
      throw new InvalidInputError(param, "a grid cannot enumerate a continuous range", "give a set of values, or use the random or tpe sampler");
    }
    const values: unknown[] =
      domain.kind === "set" ? [...new Set<unknown>(domain.values)] : Array.from({ length: Math.floor(domain.max) - Math.ceil(domain.min) + 1 }, (_, i) => Math.ceil(domain.min) + i);
    configs = configs.flatMap((config) => values.map((value) => ({ ...config, [param]: value })));
  }
  return configs as Config[];
}
