// Uniform sampling of a search space: sets pick a value uniformly, ranges draw uniformly on
// their scale (log-uniform for learning rates), integer ranges draw whole numbers.
import type { Rng } from "./rng.ts";
import { domainOf, spaceParams, type Config, type RangeDomain, type SearchSpace, type SetDomain } from "./search-space.ts";

export function sampleRange(domain: RangeDomain, rng: Rng): number {
  if (domain.integer) {
    const lo = Math.ceil(domain.min);
    return lo + rng.index(Math.floor(domain.max) - lo + 1);
  }
  const u = rng.next();
  if (domain.scale === "log") return Math.exp(Math.log(domain.min) + u * (Math.log(domain.max) - Math.log(domain.min)));
  return domain.min + u * (domain.max - domain.min);
}

export function sampleSet<T>(domain: SetDomain<T>, rng: Rng): T {
  return domain.values[rng.index(domain.values.length)];
}

export function randomConfig(space: SearchSpace, rng: Rng): Config {
  const config: Record<string, unknown> = {};
  for (const param of spaceParams(space)) {
    const domain = domainOf(space, param);
    if (domain) config[param] = domain.kind === "range" ? sampleRange(domain, rng) : sampleSet(domain, rng);
  }
  return config as Config;
}
