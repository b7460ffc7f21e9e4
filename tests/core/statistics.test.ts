import { describe, expect, test } from "vitest";
import { bootstrap, mean, oneWayAnova, sampleSd, spearman } from "../../lib/core/statistics.ts";

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

describe("bootstrap", () => {
  test("the interval of a mean covers it, narrows with more data, and is reproducible from its seed", () => {
    const run = (x: number[], seed: number) =>
      bootstrap(() => mean(x), (rng) => mean(x.map(() => x[rng.int(x.length)])), { seed, replicates: 500 });
    const small = [1, 5, 2, 8, 4], large = Array.from({ length: 80 }, (_, i) => small[i % 5]);
    const a = run(small, 3);
    expect(a.value).toBe(4);
    expect(a.interval[0]).toBeLessThan(4);
    expect(a.interval[1]).toBeGreaterThan(4);
    expect(run(large, 3).sd).toBeLessThan(a.sd / 2);
    expect(run(small, 3)).toEqual(a);
    expect(run(small, 4)).not.toEqual(a);
  });

  test("its sd is the replicates' sample standard deviation, 0 for a single replicate", () => {
    const replicates = [2, 5, 3];
    let i = 0;
    const est = bootstrap(() => 0, () => replicates[i++] ?? NaN, { replicates: 10 });
    expect(est.sd).toBe(sampleSd([2, 3, 5]));
    let j = 0;
    expect(bootstrap(() => 0, () => (j++ === 0 ? 2 : NaN), { replicates: 10 }).sd).toBe(0);
  });
});
