import { describe, expect, test } from "vitest";
import {
  holm,
  mean,
  oneWayAnova,
  pairedDifferenceInterval,
  pairedEquivalence,
  sampleSd,
  spearman,
} from "../../lib/core/statistics.ts";
import reference from "../fixtures/statistics_reference.json" with { type: "json" };

/**
 * |actual − expected| ≤ tolerance · |expected|. Reference values come from scipy and numpy
 * (tests/fixtures/statistics_reference.py). Means, standard deviations, t statistics and
 * p-values agree to 1e-10; t quantiles, and so interval bounds, only to about 1e-8: jStat's
 * incomplete beta function stops its continued fraction at a relative step of 3e-7 (largest
 * error over the fixture 1.1e-8), hence 5e-8 for intervals.
 */
function expectRelative(actual: number, expected: number, tolerance: number, what = "") {
  expect(Math.abs(actual - expected), `${what}: ${actual} against ${expected}`).toBeLessThanOrEqual(
    tolerance * Math.abs(expected),
  );
}
const VALUES = 1e-10, INTERVALS = 5e-8;

describe("mean and sampleSd", () => {
  test("match the closed forms", () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    // Squares about the mean 5: 9 + 1 + 1 + 1 + 0 + 0 + 4 + 16 = 32, over n − 1 = 7.
    expect(sampleSd([2, 4, 4, 4, 5, 5, 7, 9])).toBe(Math.sqrt(32 / 7));
    // 1…n: variance n(n + 1)/12 with Bessel's correction, 2.5 for n = 5.
    expect(sampleSd([1, 2, 3, 4, 5])).toBe(Math.sqrt(2.5));
    expect(sampleSd([-1, 1])).toBe(Math.SQRT2);
    expect(sampleSd([7, 7, 7])).toBe(0);
  });

  test("scale with the data and ignore a shift", () => {
    const x = [0.3, 1.7, -2.2, 4.1, 0.9];
    expect(mean(x.map((v) => 3 * v + 10))).toBeCloseTo(3 * mean(x) + 10, 12);
    expect(sampleSd(x.map((v) => 3 * v + 10))).toBeCloseTo(3 * sampleSd(x), 12);
  });

  test("sum left to right from 0, so the same values in the same order give the same bits", () => {
    // 1e16 + 1 rounds back to 1e16: the order of the terms decides the sum.
    expect(mean([1e16, 1, -1e16])).toBe(0);
    expect(mean([1e16, -1e16, 1])).toBe(1 / 3);
    expect(mean([0.1, 0.2, 0.3])).toBe((0 + 0.1 + 0.2 + 0.3) / 3);
  });

  test("one value has no spread (0); no values give NaN", () => {
    expect(sampleSd([3])).toBe(0);
    expect(sampleSd([])).toBeNaN();
    expect(mean([])).toBeNaN();
  });
});

describe("spearman", () => {
  test("is ±1 for monotone relations and Pearson's r of the ranks otherwise", () => {
    expect(spearman([1, 2, 3, 4], [1, 4, 9, 16])).toBeCloseTo(1, 14);
    expect(spearman([1, 2, 3, 4], [9, 3, 2, -5])).toBeCloseTo(-1, 14);
    // Ranks (1, 2, 3, 4) against (2, 1, 4, 3): 1 − 6·Σd²/(n(n²−1)) = 1 − 6·4/60 = 0.6.
    expect(spearman([1, 2, 3, 4], [20, 10, 40, 30])).toBeCloseTo(0.6, 14);
  });

  test("gives tied values their average rank", () => {
    // x ranks (1.5, 1.5, 3, 4), y ranks (1, 2, 3, 4): Pearson of the ranks, computed by hand.
    const rx = [1.5, 1.5, 3, 4], ry = [1, 2, 3, 4];
    const cov = rx.reduce((a, x, i) => a + (x - mean(rx)) * (ry[i] - mean(ry)), 0);
    const r = cov /
      Math.sqrt(rx.reduce((a, x) => a + (x - mean(rx)) ** 2, 0) * ry.reduce((a, y) => a + (y - mean(ry)) ** 2, 0));
    expect(spearman([5, 5, 7, 9], [1, 2, 3, 4])).toBeCloseTo(r, 14);
  });

  test("is NaN for a constant side, and refuses unequal lengths", () => {
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(() => spearman([1, 2], [1, 2, 3])).toThrow(/2 values against 3/);
  });
});

describe("oneWayAnova", () => {
  test("matches the closed form on a hand-computed example", () => {
    // Means 2, 3, 6 (grand mean 11/3), each group's squares about its mean sum to 2:
    // SSB = 3·((2−11/3)² + (3−11/3)² + (6−11/3)²) = 26, MSB = 13; SSW = 6, MSW = 1; F = 13.
    const a = oneWayAnova([[1, 2, 3], [2, 3, 4], [5, 6, 7]]);
    expect(a.F).toBeCloseTo(13, 12);
    expect([a.dfBetween, a.dfWithin]).toEqual([2, 6]);
    // P(F(2, 6) ≥ 13) = (1 + 2·13/6)^(−3) for 2 numerator degrees of freedom: (1 + x·d1/d2)^(−d2/2).
    expect(a.p).toBeCloseTo((1 + 13 / 3) ** -3, 10);
  });

  test("equal groups give F = 0 and p = 1", () => {
    const a = oneWayAnova([[1, 2, 3], [1, 2, 3]]);
    expect(a.F).toBe(0);
    expect(a.p).toBeCloseTo(1, 12);
  });

  test("refuses groups without within-group degrees of freedom", () => {
    expect(() => oneWayAnova([[1], [2]])).toThrow(/at least two values/);
    expect(() => oneWayAnova([[1, 2]])).toThrow(/two non-empty groups/);
  });
});

describe("pairedDifferenceInterval", () => {
  test("matches scipy's one-sample t test of the differences: mean, sd, t, p and interval", () => {
    expect(reference.pairedIntervals.length).toBeGreaterThan(20);
    for (const c of reference.pairedIntervals) {
      const r = pairedDifferenceInterval(c.differences, { level: c.level });
      const what = `${c.differences} at ${c.level}`;
      expect([r.n, r.df, r.level]).toEqual([c.differences.length, c.differences.length - 1, c.level]);
      expectRelative(r.mean, c.mean, 1e-12, what);
      expectRelative(r.sd, c.sd, 1e-12, what);
      expectRelative(r.t, c.t, VALUES, what);
      expectRelative(r.p, c.p, VALUES, what);
      expectRelative(r.interval[0], c.interval[0], INTERVALS, what);
      expectRelative(r.interval[1], c.interval[1], INTERVALS, what);
    }
  });

  test("with two differences the 95 % interval is mean ± 12.706·sd/√2 (the t quantile of 1 df is tan(π(p − ½)))", () => {
    const r = pairedDifferenceInterval([1, 3]);
    const half = Math.tan(Math.PI * 0.475) * Math.SQRT2 / Math.SQRT2; // sd = √2, n = 2
    expect(r.interval[0]).toBeCloseTo(2 - half, 7);
    expect(r.interval[1]).toBeCloseTo(2 + half, 7);
    // t = 2 / (√2/√2) = 2; two-sided p of Cauchy: 1 − 2·atan(2)/π.
    expect(r.t).toBeCloseTo(2, 14);
    expect(r.p).toBeCloseTo(1 - (2 * Math.atan(2)) / Math.PI, 7);
  });

  test("fewer than two differences give NaN; equal differences give a point interval", () => {
    const one = pairedDifferenceInterval([0.4]);
    expect(one.mean).toBe(0.4);
    expect([one.sd, one.t, one.p, ...one.interval].every(Number.isNaN)).toBe(true);
    expect(pairedDifferenceInterval([]).mean).toBeNaN();
    const same = pairedDifferenceInterval([0.5, 0.5, 0.5]);
    expect(same).toMatchObject({ sd: 0, interval: [0.5, 0.5], t: Infinity, p: 0 });
    expect(pairedDifferenceInterval([-0.5, -0.5]).t).toBe(-Infinity);
    const zero = pairedDifferenceInterval([0, 0, 0]);
    expect(zero.p).toBe(1);
    expect(zero.interval).toEqual([0, 0]);
  });

  test("refuses a level outside (0, 1)", () => {
    expect(() => pairedDifferenceInterval([1, 2], { level: 1 })).toThrow(/level must lie in \(0, 1\)/);
    expect(() => pairedDifferenceInterval([1, 2], { level: 95 })).toThrow(/got 95/);
  });
});

describe("pairedEquivalence", () => {
  test("matches scipy's two one-sided t tests and the (1 − 2α) interval", () => {
    expect(reference.equivalence.length).toBeGreaterThan(30);
    let equivalent = 0;
    for (const c of reference.equivalence) {
      const r = pairedEquivalence(c.differences, { margin: c.margin, alpha: c.alpha });
      const what = `${c.differences} ±${c.margin} at α = ${c.alpha}`;
      expectRelative(r.pLower, c.pLower, VALUES, what);
      expectRelative(r.pUpper, c.pUpper, VALUES, what);
      expectRelative(r.interval[0], c.interval[0], INTERVALS, what);
      expectRelative(r.interval[1], c.interval[1], INTERVALS, what);
      expect(r.p).toBe(Math.max(r.pLower, r.pUpper));
      expect(r.smallestMargin).toBe(Math.max(Math.abs(r.interval[0]), Math.abs(r.interval[1])));
      // The interval inside the margins and both one-sided tests rejecting are the same decision.
      expect(r.equivalent, what).toBe(c.interval[0] > -c.margin && c.interval[1] < c.margin);
      expect(r.equivalent, what).toBe(Math.max(c.pLower, c.pUpper) < c.alpha);
      if (r.equivalent) equivalent++;
    }
    // The fixture has both outcomes.
    expect(equivalent).toBeGreaterThan(0);
    expect(equivalent).toBeLessThan(reference.equivalence.length);
  });

  test("is symmetric under negating the differences: the two tests swap, the decision stays", () => {
    const d = [0.31, -0.12, 0.44, 0.08, 0.27];
    for (const margin of [0.25, 0.5, 1]) {
      const a = pairedEquivalence(d, { margin }), b = pairedEquivalence(d.map((v) => -v), { margin });
      expect(b.pLower).toBe(a.pUpper);
      expect(b.pUpper).toBe(a.pLower);
      expect(b.interval).toEqual([-a.interval[1], -a.interval[0]]);
      expect([b.p, b.equivalent, b.smallestMargin]).toEqual([a.p, a.equivalent, a.smallestMargin]);
    }
  });

  test("smallestMargin is the margin at which the decision turns", () => {
    const d = [0.1, -0.2, 0.05, 0.15];
    const { smallestMargin } = pairedEquivalence(d, { margin: 1 });
    expect(pairedEquivalence(d, { margin: smallestMargin * 1.0001 }).equivalent).toBe(true);
    expect(pairedEquivalence(d, { margin: smallestMargin * 0.9999 }).equivalent).toBe(false);
    // At the turning margin the larger one-sided p is α.
    expect(pairedEquivalence(d, { margin: smallestMargin }).p).toBeCloseTo(0.05, 7);
  });

  test("noisy seeds with a mean difference of 0 are not equivalent: not rejecting a difference is not equality", () => {
    const noisy = [-1.5, 1.5, 0];
    expect(pairedDifferenceInterval(noisy).p).toBe(1);
    const r = pairedEquivalence(noisy, { margin: 0.5 });
    expect(r.equivalent).toBe(false);
    expect(r.p).toBeGreaterThan(0.3);
  });

  test("fewer than two differences give NaN and no equivalence; equal differences decide by their value", () => {
    const one = pairedEquivalence([0], { margin: 0.5 });
    expect(one.equivalent).toBe(false);
    expect([one.p, one.pLower, one.pUpper, one.smallestMargin].every(Number.isNaN)).toBe(true);
    expect(pairedEquivalence([0.2, 0.2, 0.2], { margin: 0.5 })).toMatchObject({
      interval: [0.2, 0.2],
      p: 0,
      equivalent: true,
      smallestMargin: 0.2,
    });
    expect(pairedEquivalence([0.5, 0.5], { margin: 0.5 })).toMatchObject({ pLower: 0, pUpper: 1, equivalent: false });
    expect(pairedEquivalence([-0.7, -0.7], { margin: 0.5 })).toMatchObject({ pLower: 1, pUpper: 0, equivalent: false });
  });

  test("refuses a margin that is not positive and an α outside (0, 0.5)", () => {
    expect(() => pairedEquivalence([1, 2], { margin: 0 })).toThrow(/margin must be a positive number/);
    expect(() => pairedEquivalence([1, 2], { margin: NaN })).toThrow(/margin/);
    expect(() => pairedEquivalence([1, 2], { margin: 1, alpha: 0.5 })).toThrow(/alpha must lie in \(0, 0.5\)/);
  });
});

describe("holm", () => {
  test("adjusts a hand-worked example: sorted, times m − j + 1, running maximum, input order", () => {
    // Sorted 0.005, 0.01, 0.03, 0.04 → ×4, ×3, ×2, ×1 = 0.02, 0.03, 0.06, 0.04 → running max 0.06.
    const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(adjusted[i]).toBeCloseTo(v, 15));
  });

  test("matches an independent numpy implementation, ties and caps included", () => {
    for (const c of reference.holm) {
      const adjusted = holm(c.p);
      c.adjusted.forEach((v, i) => expectRelative(adjusted[i], v!, 1e-15, `${c.p}`));
    }
  });

  test("never lowers a p-value, keeps their order, caps at 1, and leaves NaN (no test) out of m", () => {
    const p = [0.6, 0.001, 0.02, 0.02, 0.8, 0.011]; // 0.6 × 2 = 1.2: capped
    const adjusted = holm(p);
    p.forEach((v, i) => expect(adjusted[i]).toBeGreaterThanOrEqual(v));
    const order = p.map((_, i) => i).sort((a, b) => p[a] - p[b]);
    for (let k = 1; k < order.length; k++) expect(adjusted[order[k]]).toBeGreaterThanOrEqual(adjusted[order[k - 1]]);
    expect(Math.max(...adjusted)).toBe(1);
    expect(holm([0.01, NaN, 0.04])).toEqual([0.02, NaN, 0.04]);
    expect(holm([])).toEqual([]);
    expect(() => holm([0.5, 1.2])).toThrow(/must lie in \[0, 1\], got 1.2/);
  });
});
