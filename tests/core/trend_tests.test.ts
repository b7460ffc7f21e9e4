import { describe, expect, test } from "vitest";
import { seedAveragedSlopes, stratifiedPermutationTest, type TrendCell } from "../../lib/core/trend_tests.ts";
import reference from "../fixtures/statistics_reference.json" with { type: "json" };

/**
 * |actual − expected| ≤ tolerance · |expected|, against scipy and numpy
 * (tests/fixtures/statistics_reference.py): slopes and p-values to 1e-10; interval bounds, which
 * need a t quantile, to 5e-8 (jStat's quantiles are good to about 1e-8; see statistics.test.ts).
 */
function expectRelative(actual: number, expected: number, tolerance: number, what = "") {
  expect(Math.abs(actual - expected), `${what}: ${actual} against ${expected}`).toBeLessThanOrEqual(
    tolerance * Math.abs(expected),
  );
}

/** A width × epochs grid of cells; x is log2 of `axis`, the stratum the other axis. */
function grid(y: (width: number, epochs: number) => number, axis: "width" | "epochs"): TrendCell[] {
  return [16, 32, 64, 128, 256].flatMap((width) =>
    [5, 10, 20, 40].map((epochs) => ({
      x: Math.log2(axis === "width" ? width : epochs),
      y: y(width, epochs),
      stratum: axis === "width" ? epochs : width,
    }))
  );
}

describe("stratifiedPermutationTest", () => {
  test("enumerates every arrangement as a brute force over scipy's Spearman does", () => {
    for (const c of reference.permutations) {
      const r = stratifiedPermutationTest(c.cells);
      expect(r.exact).toBe(true);
      expectRelative(r.rho, c.rho, 1e-12);
      expect(r.pDecreasing).toBeCloseTo(c.pDecreasing, 14);
      expect(r.pTwoSided).toBeCloseTo(c.pTwoSided, 14);
    }
  });

  test("a hand-enumerated case: two strata of two cells, against the same cells unstratified", () => {
    // y ranks 4, 2 | 3, 1; x ranks 1.5, 3.5 | 1.5, 3.5. S = Σ rank(x)·rank(y) is 21 as observed,
    // 25 with either stratum swapped, 29 with both; the centre n(n+1)²/4 is 25.
    const cells = [{ x: 1, y: 10, stratum: "a" }, { x: 2, y: 8, stratum: "a" }, { x: 1, y: 9, stratum: "b" }, {
      x: 2,
      y: 5,
      stratum: "b",
    }];
    const r = stratifiedPermutationTest(cells);
    expect(r.rho).toBeCloseTo(-4 / Math.sqrt(20), 14);
    expect(r).toMatchObject({ permutations: 4, exact: true, pDecreasing: 1 / 4, pTwoSided: 2 / 4 });
    // Without strata: 4!/(2!·2!) = 6 arrangements, S = 35 − 2·(sum of the y ranks given x = 1):
    // 23, 21, 25, 25, 29, 27 — one at most 21, two as far from 25.
    const pooled = stratifiedPermutationTest(cells.map(({ x, y }) => ({ x, y })));
    expect(pooled).toMatchObject({ permutations: 6, exact: true, pDecreasing: 1 / 6, pTwoSided: 2 / 6 });
  });

  test("perfectly monotone cells give the smallest p there is: 1/N exact, 1/(1 + N) by Monte Carlo", () => {
    const cells = grid((w, e) => 100 / w + 10 / e, "width"); // falls with width within every budget
    // 5! arrangements in each of 4 budgets: 120⁴ > 100,000, so Monte Carlo.
    const drawn = stratifiedPermutationTest(cells, { seed: 3 });
    expect(drawn).toMatchObject({ exact: false, permutations: 9999, pDecreasing: 1 / 10000, pTwoSided: 1 / 10000 });
    expect(drawn.rho).toBeLessThan(-0.5);
    const small = cells.filter((c) => c.stratum !== 40 && c.x <= 6); // 3 widths × 3 budgets: 6³ = 216
    // Two-sided, the arrangement reversed in every budget is as far from 0 (every budget has the same widths).
    expect(stratifiedPermutationTest(small)).toMatchObject({
      exact: true,
      permutations: 216,
      pDecreasing: 1 / 216,
      pTwoSided: 2 / 216,
    });
    // Rising instead: the decreasing p is as large as it gets.
    const rising = stratifiedPermutationTest(small.map((c) => ({ ...c, y: -c.y })));
    expect(rising.pDecreasing).toBe(1);
    expect(rising.pTwoSided).toBe(2 / 216);
  });

  test("a gap that falls with the budget, and varies with width without a direction, trends with the budget only", () => {
    const gap = (w: number, e: number) => 40 / e + ((w * 7919) % 13) / 100; // width part: 0.06, 0.12, 0.11, 0.09, 0.05
    expect(stratifiedPermutationTest(grid(gap, "width"), { seed: 1 }).pDecreasing).toBeGreaterThan(0.05);
    expect(stratifiedPermutationTest(grid(gap, "epochs"), { seed: 1 }).pDecreasing).toBeLessThan(0.001);
  });

  test("Monte Carlo agrees with enumeration within its binomial error, and is reproducible from its seed", () => {
    const c = reference.permutations[0]; // 216 arrangements, p = 0.139
    const n = 20_000;
    const drawn = stratifiedPermutationTest(c.cells, { exactLimit: 0, permutations: n, seed: 11 });
    expect(drawn).toMatchObject({ exact: false, permutations: n });
    const sd = Math.sqrt((c.pDecreasing * (1 - c.pDecreasing)) / n);
    expect(Math.abs(drawn.pDecreasing - c.pDecreasing)).toBeLessThan(4 * sd);
    expect(Math.abs(drawn.pTwoSided - c.pTwoSided)).toBeLessThan(4 * Math.sqrt((c.pTwoSided * (1 - c.pTwoSided)) / n));
    expect(stratifiedPermutationTest(c.cells, { exactLimit: 0, permutations: n, seed: 11 })).toEqual(drawn);
    expect(stratifiedPermutationTest(c.cells, { exactLimit: 0, permutations: n, seed: 12 })).not.toEqual(drawn);
  });

  test("a constant y has no trend (NaN); one arrangement only gives p = 1", () => {
    expect(stratifiedPermutationTest(grid(() => 1, "width")).pDecreasing).toBeNaN();
    expect(stratifiedPermutationTest([{ x: 1, y: 1 }]).rho).toBeNaN();
    const fixed = stratifiedPermutationTest([{ x: 1, y: 3, stratum: 1 }, { x: 2, y: 1, stratum: 2 }]);
    expect(fixed).toMatchObject({ permutations: 1, exact: true, pDecreasing: 1, pTwoSided: 1 });
    expect(fixed.rho).toBeCloseTo(-1, 14);
  });

  test("refuses counts that are not whole numbers", () => {
    expect(() => stratifiedPermutationTest([], { permutations: 0 })).toThrow(/permutations must be a whole number ≥ 1/);
    expect(() => stratifiedPermutationTest([], { exactLimit: 1.5 })).toThrow(/exactLimit/);
  });
});

describe("seedAveragedSlopes", () => {
  test("matches numpy's least squares per seed and scipy's t interval over seeds", () => {
    for (const c of reference.slopes) {
      const r = seedAveragedSlopes(c.observations, { level: c.level });
      expect(r.perSeed.length).toBe(c.perSeed.length);
      r.perSeed.forEach((s, i) => s.slopes.forEach((b, j) => expectRelative(b, c.perSeed[i][j], 1e-10, "per seed")));
      r.slopes.forEach((s, j) => {
        expect(s.n).toBe(c.perSeed.length);
        expectRelative(s.mean, c.slopes[j].mean, 1e-10, "mean");
        expectRelative(s.sd, c.slopes[j].sd, 1e-9, "sd");
        expectRelative(s.p, c.slopes[j].p, 1e-9, "p");
        expectRelative(s.interval[0], c.slopes[j].interval[0], 5e-8, "low");
        expectRelative(s.interval[1], c.slopes[j].interval[1], 5e-8, "high");
      });
    }
  });

  test("recovers exact slopes, each holding the other predictor fixed, whatever each seed's offset", () => {
    const rows = [0, 1, 2].flatMap((seed) =>
      [4, 5, 6, 7].flatMap((w) => [3, 4, 5].map((e) => ({ seed, y: 9 + seed - 0.75 * w - 0.25 * e, x: [w, e] })))
    );
    const r = seedAveragedSlopes(rows);
    expect(r.slopes[0].mean).toBeCloseTo(-0.75, 12);
    expect(r.slopes[1].mean).toBeCloseTo(-0.25, 12);
    expect(r.perSeed.map((s) => s.observations)).toEqual([12, 12, 12]);
    expect(r.slopes[0].sd).toBeLessThan(1e-12);
  });

  test("gives NaN where a seed's design is singular, and refuses ragged predictors", () => {
    const flat = seedAveragedSlopes([0, 1].flatMap((seed) => [1, 2, 3].map((y) => ({ seed, y, x: [5, y] }))));
    expect(flat.slopes[0].mean).toBeNaN();
    const few = seedAveragedSlopes([{ seed: 0, y: 1, x: [1, 2] }, { seed: 0, y: 2, x: [2, 1] }]);
    expect(few.perSeed[0].slopes.every(Number.isNaN)).toBe(true);
    expect(() => seedAveragedSlopes([{ seed: 0, y: 1, x: [1] }, { seed: 0, y: 1, x: [1, 2] }])).toThrow(
      /same number of predictors/,
    );
  });
});
