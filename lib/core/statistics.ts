/**
 * The few statistics the figures' claims are tested with: the mean and sample standard deviation,
 * Spearman's rank correlation, a one-way analysis of variance, and a seeded percentile bootstrap.
 * The distributions come from jStat.
 *
 * @module
 */
// @ts-types="./jstat.d.ts"
import jStat from "jstat";
import { createRng, type Rng } from "./random.ts";

/**
 * The arithmetic mean, summed left to right from 0 (so results are reproducible bit for bit); NaN
 * for no values.
 *
 * @example
 * ```ts
 * mean([1, 2, 3, 4]); // 2.5
 * mean([]);           // NaN
 * ```
 */
export function mean(values: readonly number[]): number {
  return values.reduce((a, x) => a + x, 0) / values.length;
}

/**
 * The sample standard deviation: √(Σ(x − x̄)² / (n − 1)), with Bessel's correction as PyTorch's
 * `torch.std` and polars' `std`; the squares are summed left to right from 0 about {@link mean}.
 * One value has no spread: 0 (the denominator is max(1, n − 1)); no values give NaN.
 *
 * @example
 * ```ts
 * sampleSd([2, 4, 4, 4, 5, 5, 7, 9]); // 2.138089935299395
 * sampleSd([3]);                      // 0
 * sampleSd([]);                       // NaN
 * ```
 */
export function sampleSd(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, values.length - 1));
}

/**
 * Spearman's rank correlation of paired values (ties share their average rank); NaN when either
 * side is constant or has fewer than two values.
 *
 * @example
 * ```ts
 * spearman([1, 2, 3, 4], [10, 20, 30, 40]); // 1
 * spearman([1, 2, 3, 4], [4, 3, 2, 1]);     // -1
 * ```
 */
export function spearman(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new RangeError(`spearman: ${x.length} values against ${y.length}`);
  const constant = (v: readonly number[]) => v.every((a) => a === v[0]);
  if (x.length < 2 || constant(x) || constant(y)) return NaN;
  return jStat.spearmancoeff(x, y);
}

/** The outcome of a one-way analysis of variance. */
export interface Anova {
  /** Between-group over within-group mean square. */
  F: number;
  /** P(F(dfBetween, dfWithin) ≥ F): the chance of a spread this large between the group means if they were equal. */
  p: number;
  dfBetween: number;
  dfWithin: number;
}

/**
 * One-way ANOVA: are the groups' means further apart than their within-group spread explains?
 *
 * @example
 * ```ts
 * const { F, p } = oneWayAnova([[1, 2, 3], [2, 3, 4], [5, 6, 7]]); // F = 13, p ≈ 0.0066
 * ```
 */
export function oneWayAnova(groups: readonly (readonly number[])[]): Anova {
  if (groups.length < 2 || groups.some((g) => g.length < 1)) {
    throw new RangeError("oneWayAnova needs at least two non-empty groups");
  }
  const n = groups.reduce((a, g) => a + g.length, 0);
  const dfBetween = groups.length - 1, dfWithin = n - groups.length;
  if (dfWithin < 1) throw new RangeError("oneWayAnova needs a group with at least two values");
  const copies = groups.map((g) => [...g]);
  return { F: jStat.anovafscore(...copies), p: jStat.anovaftest(...copies), dfBetween, dfWithin };
}

/** A statistic, its bootstrap standard deviation and percentile interval. */
export interface BootstrapEstimate {
  value: number;
  sd: number;
  /** The central `level` percentile interval of the replicates. */
  interval: [number, number];
  /** Fraction of replicates below 0 (the bootstrap's support for a negative statistic). */
  fractionNegative: number;
}

/**
 * A percentile bootstrap: `statistic` on the data, then on `replicates` resamples drawn by
 * `resample(rng)`; replicates where the statistic is NaN are dropped.
 *
 * @example
 * ```ts
 * const x = [1, 2, 3, 4, 5];
 * const est = bootstrap(() => mean(x), (rng) => mean(x.map(() => x[rng.int(x.length)])), { seed: 1 });
 * est.value; // 3
 * ```
 */
export function bootstrap(
  statistic: () => number,
  resample: (rng: Rng) => number,
  options: { replicates?: number; level?: number; seed?: number | string } = {},
): BootstrapEstimate {
  const rng = createRng(options.seed ?? "bootstrap");
  const level = options.level ?? 0.9;
  const values: number[] = [];
  for (let i = 0; i < (options.replicates ?? 2000); i++) {
    const v = resample(rng);
    if (!Number.isNaN(v)) values.push(v);
  }
  if (values.length === 0) {
    return { value: statistic(), sd: NaN, interval: [NaN, NaN], fractionNegative: NaN };
  }
  values.sort((a, b) => a - b);
  const at = (q: number) => values[Math.min(values.length - 1, Math.max(0, Math.round(q * (values.length - 1))))];
  return {
    value: statistic(),
    sd: sampleSd(values),
    interval: [at((1 - level) / 2), at((1 + level) / 2)],
    fractionNegative: values.filter((v) => v < 0).length / values.length,
  };
}
