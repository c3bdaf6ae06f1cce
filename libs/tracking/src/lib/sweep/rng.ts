// A small seeded generator (mulberry32) so that a sweep's samples depend on its seed alone,
// not on Math.random: the same seed gives the same configurations on every machine.
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** An index in [0, n). */
  index(n: number): number;
}

export function seededRng(seed: number): Rng {
  let state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    normal: () => {
      const u = Math.max(next(), Number.EPSILON);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    index: (n) => Math.min(n - 1, Math.floor(next() * n)),
  };
}

/** The generator of trial `index` of a sweep seeded `seed`: trials do not share a stream, so
 *  trial 7's configuration does not depend on how many draws trials 0-6 took. */
export function trialRng(seed: number, index: number): Rng {
  return seededRng(Math.imul(seed + 1, 2654435761) ^ Math.imul(index + 1, 40503));
}
