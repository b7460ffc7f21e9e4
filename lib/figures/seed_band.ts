/**
 * The centre and range of one quantity over seeds, as the figures draw it: the mean on a linear
 * axis, the geometric mean on a logarithmic one (the middle of the seeds as the axis shows them),
 * and the band from the lowest to the highest seed.
 *
 * @module
 */

/** A quantity over seeds: its centre, lowest and highest seed, and how many seeds. */
export interface SeedBand {
  centre: number;
  low: number;
  high: number;
  seeds: number;
}

/**
 * The band of `values` (one per seed): non-finite values are left out, and on a log axis values
 * ≤ 0 too; null when none is left.
 *
 * @example
 * ```ts
 * seedBand([1, 4], { log: true }); // { centre: 2, low: 1, high: 4, seeds: 2 }
 * seedBand([1, 4]);                // { centre: 2.5, low: 1, high: 4, seeds: 2 }
 * ```
 */
export function seedBand(values: readonly number[], options: { log?: boolean } = {}): SeedBand | null {
  const kept = values.filter((v) => Number.isFinite(v) && (!options.log || v > 0));
  if (kept.length === 0) return null;
  const centre = options.log
    ? Math.exp(kept.reduce((a, v) => a + Math.log(v), 0) / kept.length)
    : kept.reduce((a, v) => a + v, 0) / kept.length;
  return { centre, low: Math.min(...kept), high: Math.max(...kept), seeds: kept.length };
}
