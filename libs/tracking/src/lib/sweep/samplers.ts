// The one entry point that turns (sampler, space, seed, trial index, finished results) into
// the next configuration. Grid and random depend on the seed and index alone, so a sweep's
// configurations are the same however its runs are scheduled; TPE also reads the results
// that had finished when the slot freed, so it is reproducible given the same finishing order.
import { InvalidInputError } from "../errors.ts";
import { randomConfig } from "./random-sampler.ts";
import { seededRng, trialRng } from "./rng.ts";
import { gridConfigs, type Config, type SearchSpace } from "./search-space.ts";
import { tpeConfig, type Observation, type TpeOptions } from "./tpe-sampler.ts";

export const SAMPLERS = ["grid", "random", "tpe"] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/** The grid's cells in the order a sweep runs them: all of them in order when the budget
 *  covers the grid, else a seeded choice of `budget` distinct cells. */
export function gridPlan(space: SearchSpace, budget: number, seed: number): Config[] {
  const cells = gridConfigs(space);
  if (budget >= cells.length) return cells;
  const rng = seededRng(seed);
  const order = cells.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.index(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, budget).sort((a, b) => a - b).map((i) => cells[i]);
}

export interface SuggestInput {
  sampler: SamplerName;
  space: SearchSpace;
  seed: number;
  budget: number;
  /** 0-based index of the run being sampled. */
  index: number;
  /** Finished runs of the sweep (used by TPE only). */
  history: Observation[];
  tpe?: TpeOptions;
}

export function suggest(input: SuggestInput): Config {
  switch (input.sampler) {
    case "grid": {
      const plan = gridPlan(input.space, input.budget, input.seed);
      if (input.index >= plan.length) {
        throw new InvalidInputError("budget", `the grid has ${plan.length} cells, fewer than run ${input.index + 1}`, `set the budget to at most ${plan.length}`);
      }
      return plan[input.index];
    }
    case "random":
      return randomConfig(input.space, trialRng(input.seed, input.index));
    case "tpe":
      return tpeConfig(input.space, input.history, trialRng(input.seed, input.index), input.tpe);
  }
}

export type { Observation, TpeOptions };
