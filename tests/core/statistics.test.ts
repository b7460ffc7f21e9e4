import { describe, expect, test } from "vitest";
import { bootstrap, oneWayAnova, spearman } from "../../lib/core/statistics.ts";

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
    const m = (v: number[]) => v.reduce((a, b) => a + b) / v.length;
    const cov = rx.reduce((a, x, i) => a + (x - m(rx)) * (ry[i] - m(ry)), 0);
    const r = cov /
      Math.sqrt(rx.reduce((a, x) => a + (x - m(rx)) ** 2, 0) * ry.reduce((a, y) => a + (y - m(ry)) ** 2, 0));
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
    const mean = (v: number[]) => v.reduce((a, b) => a + b) / v.length;
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
});
