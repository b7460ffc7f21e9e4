/**
 * Seeded random numbers for initialisation and data order (Alea generator from `seedrandom`).
 *
 * @module
 */
import seedrandom from "seedrandom";

/** A seeded generator of uniform and standard-normal numbers. */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/**
 * A generator fully determined by `seed`.
 *
 * @example
 * ```ts
 * const rng = createRng(0);
 * rng.normal(); // the same number on every run
 * ```
 */
export function createRng(seed: number | string): Rng {
  const next = seedrandom.alea(String(seed));
  let spare: number | null = null;
  return {
    uniform: () => next(),
    int: (n) => Math.floor(next() * n),
    normal() {
      if (spare !== null) {
        const value = spare;
        spare = null;
        return value;
      }
      let u = 0;
      while (u === 0) u = next();
      const radius = Math.sqrt(-2 * Math.log(u)), angle = 2 * Math.PI * next();
      spare = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
  };
}
