// Tree-structured Parzen Estimator (Bergstra et al. 2011; Optuna's and hyperopt's default), the
// independent form: finished runs are split into the best quarter ("good") and the rest; each
// parameter gets a density l(x) over the good runs and g(x) over the rest (Parzen windows on
// the range's own scale, or smoothed counts for a set), and of 24 candidates drawn from l the
// one with the highest l(x)/g(x) is tried next. Until `startup` runs have finished it samples
// uniformly, as the density of a handful of runs would say nothing.
import { randomConfig } from "./random-sampler.ts";
import type { Rng } from "./rng.ts";
import { domainOf, spaceParams, type Config, type RangeDomain, type SearchSpace, type SetDomain, type SweepParam } from "./search-space.ts";

export interface Observation {
  config: Config;
  /** The metric to maximise (best validation accuracy). */
  value: number;
}

export interface TpeOptions {
  /** Runs that must have finished before the model is used (default 10). */
  startup?: number;
  /** Fraction of runs counted as good (default 0.25). */
  gamma?: number;
  /** Candidates drawn from l(x) per suggestion (default 24, as Optuna). */
  candidates?: number;
}

type Value = number | string | boolean;

interface Density {
  sample(rng: Rng): Value;
  logPdf(value: Value): number;
}

function toUnit(domain: RangeDomain, x: number): number {
  return domain.scale === "log" ? Math.log(x) : x;
}

function fromUnit(domain: RangeDomain, u: number): number {
  const x = domain.scale === "log" ? Math.exp(u) : u;
  const clipped = Math.min(domain.max, Math.max(domain.min, x));
  return domain.integer ? Math.round(clipped) : clipped;
}

function normalCdf(z: number): number {
  // Abramowitz-Stegun 7.1.26 through erf; 1e-7 is far below what a sampler needs.
  const t = 1 / (1 + 0.3275911 * Math.abs(z / Math.SQRT2));
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** A mixture of Gaussians truncated to the range, one per observation plus a wide prior. */
function parzen(domain: RangeDomain, points: number[]): Density {
  const lo = toUnit(domain, domain.min);
  const hi = toUnit(domain, domain.max);
  const width = Math.max(hi - lo, 1e-12);
  const mus = [...points.map((p) => toUnit(domain, p)), (lo + hi) / 2];
  // Scott's rule on the unit width, floored so that one good run does not become a spike.
  const sigma = Math.max(width * Math.pow(mus.length, -1 / 5) * 0.5, width / 20);
  const sigmas = mus.map((_, i) => (i === mus.length - 1 ? width : sigma));
  const mass = mus.map((mu, i) => Math.max(normalCdf((hi - mu) / sigmas[i]) - normalCdf((lo - mu) / sigmas[i]), 1e-12));
  return {
    sample(rng) {
      const i = rng.index(mus.length);
      for (let attempt = 0; attempt < 32; attempt++) {
        const u = mus[i] + sigmas[i] * rng.normal();
        if (u >= lo && u <= hi) return fromUnit(domain, u);
      }
      return fromUnit(domain, mus[i]);
    },
    logPdf(value) {
      const u = toUnit(domain, value as number);
      let density = 0;
      for (let i = 0; i < mus.length; i++) {
        const z = (u - mus[i]) / sigmas[i];
        density += Math.exp(-0.5 * z * z) / (sigmas[i] * Math.sqrt(2 * Math.PI) * mass[i]);
      }
      return Math.log(density / mus.length);
    },
  };
}

/** Counts of each value among the observations, plus one for every value (the prior). */
function categorical(domain: SetDomain<Value>, points: Value[]): Density {
  const values = [...new Set(domain.values)];
  const weights = values.map((v) => 1 + points.filter((p) => p === v).length);
  const total = weights.reduce((a, b) => a + b, 0);
  return {
    sample(rng) {
      let r = rng.next() * total;
      for (let i = 0; i < values.length; i++) {
        r -= weights[i];
        if (r < 0) return values[i];
      }
      return values[values.length - 1];
    },
    logPdf(value) {
      const i = values.indexOf(value);
      return Math.log((i < 0 ? 1e-12 : weights[i]) / total);
    },
  };
}

function density(space: SearchSpace, param: SweepParam, observations: Observation[]): Density | null {
  const domain = domainOf(space, param);
  if (!domain) return null;
  const points = observations.map((o) => o.config[param]).filter((v): v is NonNullable<typeof v> => v !== undefined);
  return domain.kind === "range" ? parzen(domain, points as number[]) : categorical(domain as SetDomain<Value>, points);
}

function key(config: Config): string {
  return JSON.stringify(Object.entries(config).sort(([a], [b]) => a.localeCompare(b)));
}

export function tpeConfig(space: SearchSpace, history: Observation[], rng: Rng, options: TpeOptions = {}): Config {
  const startup = options.startup ?? 10;
  if (history.length < Math.max(startup, 2)) return randomConfig(space, rng);
  const sorted = [...history].sort((a, b) => b.value - a.value);
  const goodCount = Math.max(1, Math.ceil((options.gamma ?? 0.25) * sorted.length));
  const good = sorted.slice(0, goodCount);
  const bad = sorted.slice(goodCount);
  const params = spaceParams(space);
  const models = params.map((param) => ({ param, l: density(space, param, good), g: density(space, param, bad) }));
  const tried = new Set(history.map((o) => key(o.config)));
  let best: { config: Config; score: number; fresh: boolean } | null = null;
  for (let c = 0; c < (options.candidates ?? 24); c++) {
    const config: Record<string, Value> = {};
    let score = 0;
    for (const { param, l, g } of models) {
      if (!l || !g) continue;
      const value = l.sample(rng);
      config[param] = value;
      score += l.logPdf(value) - g.logPdf(value);
    }
    // In a finite space a configuration already run teaches nothing new: prefer an untried one.
    const fresh = !tried.has(key(config as Config));
    if (!best || (fresh && !best.fresh) || (fresh === best.fresh && score > best.score)) best = { config: config as Config, score, fresh };
  }
  return (best as { config: Config }).config;
}
