/**
 * A small seeded generator (mulberry32): the fuzzer's only source of randomness, so that a run's
 * seed replays it exactly. Each case gets its own generator from (run seed, case number), so one
 * case can be regenerated without the ones before it.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [lo, hi], both included. */
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function seeded(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    pick: (items) => items[int(0, items.length - 1)],
    chance: (p) => next() < p,
  };
}

/** The seed of case `index` of the run seeded with `runSeed`. */
export const caseSeed = (runSeed: number, index: number) => (Math.imul(runSeed ^ 0x9e3779b9, 0x85ebca6b) + index) >>> 0;
