/**
 * Seeded randomness for placement, so that a surprising placement can be replayed: log the seed,
 * pass `mulberry32(seed)` as `PlacementRequest.random`, get the same plan from the same candidates.
 */

/** mulberry32: a tiny 32-bit PRNG, plenty for shuffling instances. Returns numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh 32-bit seed, to log next to a placement before using it. */
export function newSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}
