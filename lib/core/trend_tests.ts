/**
 * Tests of a trend over the cells of a grid (width × epoch budget) that stay valid with 3–5 seeds:
 * {@link stratifiedPermutationTest} (Spearman's ρ against rearrangements within strata, exact or
 * seeded Monte Carlo) for whether there is a trend, and {@link seedAveragedSlopes} (per-seed
 * least-squares slopes averaged over seeds, with a t interval) for how large it is.
 *
 * @module
 */
import { createRng, type Rng } from "./random.ts";
import { mean, type MeanInterval, pairedDifferenceInterval, spearman } from "./statistics.ts";

/** Ranks 1…n of the values, ties given their average rank (so every rank is a multiple of 1/2). */
function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && order[end][0] === order[start][0]) end++;
    for (let k = start; k < end; k++) ranks[order[k][1]] = (start + 1 + end) / 2;
    start = end;
  }
  return ranks;
}

/**
 * The next lexicographic arrangement of `a` in place, false after the last; starting from sorted
 * values this visits every distinct arrangement once, repeated values included.
 */
function nextArrangement(a: number[]): boolean {
  let i = a.length - 2;
  while (i >= 0 && a[i] >= a[i + 1]) i--;
  if (i < 0) return false;
  let j = a.length - 1;
  while (a[j] <= a[i]) j--;
  [a[i], a[j]] = [a[j], a[i]];
  for (let l = i + 1, r = a.length - 1; l < r; l++, r--) [a[l], a[r]] = [a[r], a[l]];
  return true;
}

/** The number of distinct arrangements of a multiset: n! / Π k_v! over its repeated values. */
function arrangements(values: readonly number[]): number {
  const counts = new Map<number, number>();
  let total = 1, placed = 0;
  for (const v of values) {
    const k = (counts.get(v) ?? 0) + 1;
    counts.set(v, k);
    placed++;
    total = (total * placed) / k;
  }
  return total;
}

/** One cell of a grid for {@link stratifiedPermutationTest}. */
export interface TrendCell {
  /** The axis the trend is along (for example log2 of the width). */
  x: number;
  /** The value that should fall along it (for example |mean gap|). */
  y: number;
  /** Cells of one stratum (for example one epoch budget) exchange their x among themselves only. */
  stratum?: number | string;
}

/** The outcome of {@link stratifiedPermutationTest}. */
export interface PermutationTest {
  /** Spearman's ρ of y with x over the cells. */
  rho: number;
  /** One-sided p for a falling trend: the share of arrangements with ρ* ≤ ρ (see the function). */
  pDecreasing: number;
  /** Two-sided p: the share of arrangements with |ρ*| ≥ |ρ|. */
  pTwoSided: number;
  /** Arrangements the p-values count: all of them when `exact`, else the random ones drawn. */
  permutations: number;
  /** Whether every distinct arrangement was enumerated. */
  exact: boolean;
}

/**
 * A permutation test of a monotone trend of y along x over the cells of a grid: the statistic is
 * Spearman's ρ(y, x); its null distribution comes from rearranging x among the cells *within each
 * stratum*, so an effect of the stratifying variable (another axis of the grid) is held fixed and
 * cannot pass for a trend along x. The test is exact for any number of seeds behind each y: it
 * needs only that, with no trend, the arrangements within strata are equally likely.
 *
 * When the strata have at most `exactLimit` distinct arrangements together (Π over strata of
 * n_s! / Π k!, k the multiplicities of repeated x), all are enumerated and p is the fraction with
 * ρ* ≤ ρ (the observed one included). Otherwise `permutations` arrangements are drawn at random
 * from a generator seeded by `seed` and p = (1 + #{ρ* ≤ ρ}) / (1 + permutations), which counts the
 * observed arrangement and so never underestimates p. The comparisons are made on Σ rank(x)·rank(y)
 * (ranks are multiples of 1/2, so the sums are exact): ties with the observed ρ count as at least
 * as extreme. Fewer than two cells, or a constant x or y, give NaN ρ and p-values.
 *
 * @example
 * ```ts
 * // Three budgets × three widths, the gap falling with width at every budget.
 * const cells = [10, 20, 40].flatMap((epochs) =>
 *   [5, 6, 7].map((x) => ({ x, y: 40 / epochs + 8 - x, stratum: epochs }))
 * );
 * const t = stratifiedPermutationTest(cells);
 * t.exact; // true
 * t.permutations; // 216
 * t.pDecreasing; // 0.004629629629629629
 * ```
 */
export function stratifiedPermutationTest(
  cells: readonly TrendCell[],
  options: { exactLimit?: number; permutations?: number; seed?: number | string } = {},
): PermutationTest {
  const exactLimit = options.exactLimit ?? 100_000, draws = options.permutations ?? 9_999;
  if (!(Number.isInteger(exactLimit) && exactLimit >= 0)) {
    throw new RangeError(`stratifiedPermutationTest: exactLimit must be a whole number ≥ 0, got ${exactLimit}`);
  }
  if (!(Number.isInteger(draws) && draws >= 1)) {
    throw new RangeError(`stratifiedPermutationTest: permutations must be a whole number ≥ 1, got ${draws}`);
  }
  const x = cells.map((c) => c.x), y = cells.map((c) => c.y);
  const rho = spearman(y, x);
  if (Number.isNaN(rho)) return { rho, pDecreasing: NaN, pTwoSided: NaN, permutations: 0, exact: false };
  const rx = averageRanks(x), ry = averageRanks(y), n = cells.length;
  // ρ* = (S* − centre) / (a constant of every arrangement), with S* = Σ rank(x*)·rank(y).
  const centre = (n * (n + 1) ** 2) / 4;
  const strata = new Map<number | string, number[]>();
  cells.forEach((c, i) => {
    const key = c.stratum ?? "";
    if (!strata.has(key)) strata.set(key, []);
    strata.get(key)!.push(i);
  });
  const groups = [...strata.values()];
  const partial = (indices: readonly number[], ranks: readonly number[]) =>
    indices.reduce((a, i, j) => a + ranks[j] * ry[i], 0);
  const observed = groups.reduce((a, g) => a + partial(g, g.map((i) => rx[i])), 0);
  let below = 0, beyond = 0;
  const count = (s: number) => {
    if (s <= observed) below++;
    if (Math.abs(s - centre) >= Math.abs(observed - centre)) beyond++;
  };
  const total = groups.reduce((a, g) => a * arrangements(g.map((i) => rx[i])), 1);
  if (total <= exactLimit) {
    // Every stratum's distinct arrangements and their part of S*, then every combination of them.
    const sums = groups.map((g) => {
      const ranks = g.map((i) => rx[i]).sort((a, b) => a - b), out: number[] = [];
      do out.push(partial(g, ranks)); while (nextArrangement(ranks));
      return out;
    });
    const at = sums.map(() => 0);
    for (let k = 0; k < total; k++) {
      count(sums.reduce((a, s, j) => a + s[at[j]], 0));
      for (let j = 0; j < at.length && ++at[j] === sums[j].length; j++) at[j] = 0;
    }
    return { rho, pDecreasing: below / total, pTwoSided: beyond / total, permutations: total, exact: true };
  }
  const rng: Rng = createRng(options.seed ?? "permutation");
  for (let k = 0; k < draws; k++) {
    let s = 0;
    for (const g of groups) {
      const ranks = g.map((i) => rx[i]);
      for (let i = ranks.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [ranks[i], ranks[j]] = [ranks[j], ranks[i]];
      }
      s += partial(g, ranks);
    }
    count(s);
  }
  return {
    rho,
    pDecreasing: (1 + below) / (1 + draws),
    pTwoSided: (1 + beyond) / (1 + draws),
    permutations: draws,
    exact: false,
  };
}

/**
 * Least-squares slopes of y on the columns of x with an intercept (centred normal equations,
 * Gaussian elimination with partial pivoting); NaN slopes when the centred design is singular.
 */
function olsSlopes(x: readonly (readonly number[])[], y: readonly number[]): number[] {
  const p = x[0]?.length ?? 0;
  const xMean = Array.from({ length: p }, (_, j) => mean(x.map((r) => r[j]))), yMean = mean(y);
  const a = Array.from({ length: p }, () => new Array<number>(p + 1).fill(0));
  x.forEach((r, i) => {
    for (let j = 0; j < p; j++) {
      for (let k = 0; k < p; k++) a[j][k] += (r[j] - xMean[j]) * (r[k] - xMean[k]);
      a[j][p] += (r[j] - xMean[j]) * (y[i] - yMean);
    }
  });
  const scale = Math.max(...a.map((row, j) => row[j]));
  for (let col = 0; col < p; col++) {
    let pivot = col;
    for (let r = col + 1; r < p; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    if (!(Math.abs(a[pivot][col]) > 1e-12 * scale)) return new Array<number>(p).fill(NaN);
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = col + 1; r < p; r++) {
      const f = a[r][col] / a[col][col];
      for (let k = col; k <= p; k++) a[r][k] -= f * a[col][k];
    }
  }
  const b = new Array<number>(p).fill(0);
  for (let j = p - 1; j >= 0; j--) {
    let s = a[j][p];
    for (let k = j + 1; k < p; k++) s -= a[j][k] * b[k];
    b[j] = s / a[j][j];
  }
  return b;
}

/** One observation for {@link seedAveragedSlopes}: a seed's y at a cell with predictors x. */
export interface SeedObservation {
  seed: number | string;
  y: number;
  /** The predictors (for example [log2 width, log2 epochs]); the same count for every observation. */
  x: readonly number[];
}

/** The outcome of {@link seedAveragedSlopes}. */
export interface SeedAveragedSlopes {
  /** Per predictor: the mean over seeds of that seed's slope, with a t interval over seeds (df = seeds − 1). */
  slopes: MeanInterval[];
  /** Each seed's slopes (one per predictor) and how many observations it had. */
  perSeed: { seed: number | string; slopes: number[]; observations: number }[];
}

/**
 * The effect size of a trend with an interval that stays valid with few seeds: for every seed,
 * the ordinary least-squares slopes of y on the predictors (with an intercept; several predictors
 * are fitted together, so each slope holds the others fixed), then per predictor the mean of the
 * seeds' slopes with a t interval over seeds ({@link pairedDifferenceInterval}, df = seeds − 1).
 * Seeds are the independent replicates, so this is the summary-statistics analysis of a random
 * seed effect: a seed's cells share its noise, the seeds do not.
 *
 * A seed whose design is singular (a predictor constant over its observations, fewer observations
 * than predictors + 1) has NaN slopes, which make that predictor's mean NaN.
 *
 * @example
 * ```ts
 * // Two seeds; y falls by 0.5 a doubling of the width, plus a seed offset.
 * const rows = [0, 1].flatMap((seed) => [4, 5, 6].map((w) => ({ seed, y: 3 - 0.5 * w + seed, x: [w] })));
 * seedAveragedSlopes(rows).slopes[0].mean; // -0.5
 * ```
 */
export function seedAveragedSlopes(
  observations: readonly SeedObservation[],
  options: { level?: number } = {},
): SeedAveragedSlopes {
  const p = observations[0]?.x.length ?? 0;
  if (observations.some((o) => o.x.length !== p)) {
    throw new RangeError("seedAveragedSlopes: every observation needs the same number of predictors");
  }
  const bySeed = new Map<number | string, SeedObservation[]>();
  for (const o of observations) {
    if (!bySeed.has(o.seed)) bySeed.set(o.seed, []);
    bySeed.get(o.seed)!.push(o);
  }
  const perSeed = [...bySeed].map(([seed, rows]) => ({
    seed,
    slopes: rows.length > p ? olsSlopes(rows.map((r) => r.x), rows.map((r) => r.y)) : new Array<number>(p).fill(NaN),
    observations: rows.length,
  }));
  return {
    slopes: Array.from({ length: p }, (_, j) => pairedDifferenceInterval(perSeed.map((s) => s.slopes[j]), options)),
    perSeed,
  };
}
