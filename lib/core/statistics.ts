/**
 * The statistics the figures' claims are tested with, chosen to stay valid with 3–5 seeds:
 *
 * - descriptive: {@link mean}, {@link sampleSd}, {@link spearman};
 * - paired differences over seeds (seed s of two losses shares initial weights and data order):
 *   {@link pairedDifferenceInterval} (t interval, paired t test), {@link pairedEquivalence} (two
 *   one-sided tests against a margin), {@link holm} (step-down adjustment of several p-values);
 * - {@link oneWayAnova}.
 *
 * Trends over the cells of a grid are tested in `trend_tests.ts`.
 *
 * The distributions come from jStat, whose incomplete beta function stops its continued fraction
 * at a relative step of 3e-7: its t probabilities and quantiles agree with scipy's to about 1e-8,
 * far below the seed noise of any accuracy they are applied to.
 *
 * @module
 */
// @ts-types="./jstat.d.ts"
import jStat from "jstat";

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

/** P(T ≤ x) for Student's t with `df` degrees of freedom; upper tails are taken as P(T ≤ −x). */
const tCdf = (x: number, df: number): number => jStat.studentt.cdf(x, df);

/** The mean of values with a t interval over them and the t test of "the true mean is 0". */
export interface MeanInterval {
  mean: number;
  /** Sample standard deviation of the values (NaN for fewer than two). */
  sd: number;
  n: number;
  /** n − 1. */
  df: number;
  /** Coverage of `interval`. */
  level: number;
  /** mean ± t_{(1+level)/2, df} · sd/√n; [NaN, NaN] for fewer than two values. */
  interval: [number, number];
  /** mean / (sd/√n). */
  t: number;
  /** Two-sided p of the t test of a true mean of 0: 2 P(T ≥ |t|). */
  p: number;
}

/**
 * n, mean, sample sd and standard error of differences; identical values get sd 0 and their value
 * as the mean exactly (summing them would leave rounding residue: 0.2 + 0.2 + 0.2 = 0.6000000000000001).
 */
function moments(values: readonly number[]): { n: number; m: number; sd: number; se: number } {
  const n = values.length;
  if (n >= 2 && values.every((v) => v === values[0])) return { n, m: values[0], sd: 0, se: 0 };
  const m = mean(values), sd = n < 2 ? NaN : sampleSd(values);
  return { n, m, sd, se: sd / Math.sqrt(n) };
}

function checkLevel(level: number, what: string): void {
  if (!(level > 0 && level < 1)) throw new RangeError(`${what} must lie in (0, 1), got ${level}`);
}

/**
 * The mean of paired differences (Acc_a,s − Acc_b,s per seed s) with its t interval and the
 * two-sided p of the paired t test (df = n − 1). Pairing removes what the seeds share (initial
 * weights, data order) from the comparison, so it sees differences a test of independent groups
 * would not.
 *
 * Degenerate inputs: fewer than two differences give a NaN sd, interval, t and p; two or more
 * identical differences (sd = 0) give the interval [mean, mean], and p = 0 when that value is not
 * 0 (t = ±∞), p = 1 when it is (t = NaN).
 *
 * @example
 * ```ts
 * const d = pairedDifferenceInterval([0.3, 0.5, 0.1], { level: 0.95 });
 * d.mean; // 0.3
 * d.interval; // [-0.19682754235006605, 0.796827542350066]
 * ```
 */
export function pairedDifferenceInterval(
  differences: readonly number[],
  options: { level?: number } = {},
): MeanInterval {
  const level = options.level ?? 0.95;
  checkLevel(level, "pairedDifferenceInterval: level");
  const { n, m, sd, se } = moments(differences), df = n - 1;
  if (n < 2) return { mean: m, sd, n, df, level, interval: [NaN, NaN], t: NaN, p: NaN };
  const half = jStat.studentt.inv((1 + level) / 2, df) * se;
  const interval: [number, number] = se === 0 ? [m, m] : [m - half, m + half];
  if (se === 0) return { mean: m, sd, n, df, level, interval, t: m === 0 ? NaN : m * Infinity, p: m === 0 ? 1 : 0 };
  const t = m / se;
  return { mean: m, sd, n, df, level, interval, t, p: Math.min(1, 2 * tCdf(-Math.abs(t), df)) };
}

/** The outcome of {@link pairedEquivalence}: two one-sided tests against ±margin. */
export interface Equivalence {
  mean: number;
  /** Sample standard deviation of the differences (NaN for fewer than two). */
  sd: number;
  n: number;
  /** n − 1. */
  df: number;
  margin: number;
  alpha: number;
  /** The (1 − 2α) t interval of the mean difference (90 % for α = 0.05). */
  interval: [number, number];
  /** p of H0 "mean ≤ −margin" against "mean > −margin": P(T ≥ (mean + margin)/se). */
  pLower: number;
  /** p of H0 "mean ≥ margin" against "mean < margin": P(T ≤ (mean − margin)/se). */
  pUpper: number;
  /** max(pLower, pUpper): both nulls are rejected at level α when p < α. */
  p: number;
  /** The interval lies inside (−margin, margin) — the same as p < α. */
  equivalent: boolean;
  /** max(|low|, |high|) of the interval: the smallest margin at which equivalence would be declared. */
  smallestMargin: number;
}

/**
 * Equivalence of paired differences to 0 within ±`margin` by two one-sided t tests (TOST,
 * Schuirmann 1987), df = n − 1: the mean difference is shown to lie inside (−margin, margin) when
 * both "mean ≤ −margin" and "mean ≥ margin" are rejected at level α, i.e. when the (1 − 2α)
 * interval lies inside the margins. Unlike failing to reject "no difference", this can only
 * succeed when the seeds pin the difference down: noisy seeds give a wide interval and no
 * equivalence. `smallestMargin` lets a reader apply any other margin.
 *
 * Degenerate inputs: fewer than two differences give NaN p-values, interval and smallestMargin,
 * and `equivalent` false; two or more identical differences (sd = 0) give the interval [mean, mean] and
 * p = 0 for each side the value lies strictly inside, 1 otherwise.
 *
 * @example
 * ```ts
 * const e = pairedEquivalence([0.1, -0.2, 0.05, 0.15], { margin: 0.5 });
 * e.equivalent; // true
 * e.smallestMargin < 0.5; // true
 * pairedEquivalence([0.1, -0.2, 0.05, 0.15], { margin: 0.2 }).equivalent; // false
 * ```
 */
export function pairedEquivalence(
  differences: readonly number[],
  options: { margin: number; alpha?: number },
): Equivalence {
  const { margin } = options, alpha = options.alpha ?? 0.05;
  if (!(margin > 0 && Number.isFinite(margin))) {
    throw new RangeError(`pairedEquivalence: margin must be a positive number, got ${margin}`);
  }
  if (!(alpha > 0 && alpha < 0.5)) throw new RangeError(`pairedEquivalence: alpha must lie in (0, 0.5), got ${alpha}`);
  const { n, m, sd, se } = moments(differences), df = n - 1;
  if (n < 2) {
    return {
      mean: m,
      sd,
      n,
      df,
      margin,
      alpha,
      interval: [NaN, NaN],
      pLower: NaN,
      pUpper: NaN,
      p: NaN,
      equivalent: false,
      smallestMargin: NaN,
    };
  }
  const half = jStat.studentt.inv(1 - alpha, df) * se;
  const interval: [number, number] = se === 0 ? [m, m] : [m - half, m + half];
  const pLower = se === 0 ? (m > -margin ? 0 : 1) : tCdf(-(m + margin) / se, df);
  const pUpper = se === 0 ? (m < margin ? 0 : 1) : tCdf((m - margin) / se, df);
  const smallestMargin = Math.max(Math.abs(interval[0]), Math.abs(interval[1]));
  return {
    mean: m,
    sd,
    n,
    df,
    margin,
    alpha,
    interval,
    pLower,
    pUpper,
    p: Math.max(pLower, pUpper),
    equivalent: smallestMargin < margin,
    smallestMargin,
  };
}

/**
 * Holm's step-down adjustment (Holm 1979): with the m p-values sorted ascending, the k-th
 * (1-based) becomes max over j ≤ k of min(1, (m − j + 1) p_(j)). Rejecting where the adjusted
 * p < α keeps the chance of any false rejection among the m tests at most α, under any
 * dependence between them. Returned in the input's order; NaN p-values (tests not made) stay NaN
 * and do not count in m.
 *
 * @example
 * ```ts
 * holm([0.01, 0.04, 0.03, 0.005]); // [0.03, 0.06, 0.06, 0.02]
 * ```
 */
export function holm(pValues: readonly number[]): number[] {
  for (const p of pValues) {
    if (!Number.isNaN(p) && !(p >= 0 && p <= 1)) throw new RangeError(`holm: a p-value must lie in [0, 1], got ${p}`);
  }
  const order = pValues.map((p, i) => [p, i] as const).filter(([p]) => !Number.isNaN(p)).sort((a, b) => a[0] - b[0]);
  const adjusted = pValues.map(() => NaN);
  let running = 0;
  order.forEach(([p, i], k) => {
    running = Math.max(running, Math.min(1, (order.length - k) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
