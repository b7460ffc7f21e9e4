import { expect, test } from "vitest";
import pl from "nodejs-polars";
import { createRng } from "../../lib/core/random.ts";
import { collapseReached, gapTrends, gapTrendsFrame, lossSpread } from "../../lib/report/claims.ts";
import type { RunRecord } from "../../lib/training/run.ts";

/** A summary frame over widths × epochs × 3 seeds where X's gap to CE is `gap(width, epochs)` plus seed noise. */
function grid(gap: (width: number, epochs: number) => number, noise: number, seed = 1) {
  const rng = createRng(seed);
  const rows: Record<string, unknown>[] = [];
  for (const width of [32, 64, 128, 256]) {
    for (const epochs of [10, 20, 40]) {
      for (const s of [0, 1, 2]) {
        const ce = 80 + rng.normal();
        rows.push({ loss: "ce", width, epochs, seed: s, test_accuracy: ce });
        rows.push({
          loss: "fl",
          width,
          epochs,
          seed: s,
          test_accuracy: ce - gap(width, epochs) + noise * rng.normal(),
        });
      }
    }
  }
  return pl.DataFrame(rows);
}

test("a gap that shrinks with width and epochs: every arrangement counted, the observed one the most extreme", () => {
  const [fl] = gapTrends(grid((w, e) => 400 / w + 40 / e, 0.1));
  expect(fl.loss).toBe("fl");
  expect([fl.cells, fl.seeds]).toEqual([12, 3]);
  expect(fl.width.rho).toBeLessThan(-0.5);
  expect(fl.epochs.rho).toBeLessThan(-0.3);
  // Widths rearranged within each of 3 budgets: 4!³ = 13,824 arrangements; budgets within each of
  // 4 widths: 3!⁴ = 1,296. The gap falls along both axes in every row and column, so only the
  // observed arrangement is as extreme.
  expect(fl.width.test).toMatchObject({ exact: true, permutations: 13_824, pDecreasing: 1 / 13_824 });
  expect(fl.epochs.test).toMatchObject({ exact: true, permutations: 1_296, pDecreasing: 1 / 1_296 });
  expect(fl.holds).toBe(true);
  // Slopes per doubling: negative with their 95 % intervals over the 3 seeds below 0.
  expect(fl.width.slope.n).toBe(3);
  expect(fl.width.slope.interval[1]).toBeLessThan(0);
  expect(fl.epochs.slope.interval[1]).toBeLessThan(0);
});

test("a gap that shrinks with width only does not make the claim: both axes must", () => {
  const [fl] = gapTrends(grid((w) => 400 / w, 0.1, 3));
  expect(fl.width.test.pDecreasing).toBeLessThan(0.001);
  expect(fl.epochs.test.pDecreasing).toBeGreaterThan(0.05);
  expect(fl.holds).toBe(false);
  // The slope with epochs is of the noise: its interval covers 0.
  expect(fl.epochs.slope.interval[0]).toBeLessThan(0);
  expect(fl.epochs.slope.interval[1]).toBeGreaterThan(0);
});

test("a gap of pure seed noise does not make the claim, and the Monte Carlo test is reproducible from its seed", () => {
  const frame = grid(() => 0, 1, 7);
  const options = { exactLimit: 0, permutations: 999, seed: "noise" };
  const [fl] = gapTrends(frame, options);
  expect(fl.width.test).toMatchObject({ exact: false, permutations: 999 });
  expect(fl.holds).toBe(false);
  expect(fl.width.slope.interval[0]).toBeLessThan(0);
  expect(fl.width.slope.interval[1]).toBeGreaterThan(0);
  expect(gapTrends(frame, options)).toEqual([fl]);
  expect(gapTrends(frame, { ...options, seed: "other" })[0].width.test).not.toEqual(fl.width.test);
});

test("with no trend, the test claims one at most about 5 % of the time and the slopes' intervals cover 0", () => {
  // 200 grids of pure seed noise: the share of one-sided p < 0.05 is at most 0.05 plus three binomial
  // standard deviations (√(0.05·0.95/200) = 0.015); the 95 % slope intervals cover the true slope 0
  // at least 95 % less three standard deviations.
  let rejected = 0, covered = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const [fl] = gapTrends(grid(() => 0, 1, 100 + seed));
    if (fl.width.test.pDecreasing < 0.05) rejected++;
    if (fl.width.slope.interval[0] < 0 && fl.width.slope.interval[1] > 0) covered++;
  }
  expect(rejected / 200).toBeLessThan(0.05 + 3 * 0.015);
  expect(covered / 200).toBeGreaterThan(0.95 - 3 * 0.015);
});

test("gapTrendsFrame has one row per loss, with columns that say what they hold", () => {
  const trends = gapTrends(grid((w, e) => 400 / w + 40 / e, 0.1));
  const [row] = gapTrendsFrame(trends).toRecords();
  expect(Object.keys(row)).toEqual([
    "loss",
    "cells",
    "seeds",
    "rho_width",
    "p_one_sided_width",
    "p_two_sided_width",
    "permutations_width",
    "slope_per_doubling_width",
    "slope_low_width",
    "slope_high_width",
    "rho_epochs",
    "p_one_sided_epochs",
    "p_two_sided_epochs",
    "permutations_epochs",
    "slope_per_doubling_epochs",
    "slope_low_epochs",
    "slope_high_epochs",
    "holds",
  ]);
  expect(row).toMatchObject({ loss: "fl", permutations_width: 13_824, holds: true });
  expect(row.slope_high_epochs).toBe(trends[0].epochs.slope.interval[1]);
});

test("lossSpread: losses within seed noise pass; a loss 5 points off does not", () => {
  const same = grid(() => 0, 1, 3);
  const within = lossSpread(same);
  expect(within.withinSeedNoise).toBe(true);
  expect(within.dfBetween).toBe(1);
  const apart = grid(() => 5, 1, 3);
  const spread = lossSpread(apart);
  expect(spread.withinSeedNoise).toBe(false);
  expect(spread.range).toBeGreaterThan(4);
  expect(spread.p).toBeLessThan(1e-6);
  expect(spread.seedSd).toBeGreaterThan(0.5);
});

test("collapseReached checks each target against the first and last evaluations", () => {
  const run = (loss: string, first: number, last: { nc1: number; nc2: number; nc3: number; acc: number }) =>
    ({
      config: { loss: { name: loss }, seed: 1 },
      rows: [
        { epoch: 1, nc1: first, nc2: 0.9, nc3: 0.9, trainAccuracy: 0.5 },
        { epoch: 400, nc1: last.nc1, nc2: last.nc2, nc3: last.nc3, trainAccuracy: last.acc },
      ],
    }) as unknown as RunRecord;
  const frame = collapseReached([
    run("mse", 1, { nc1: 0.001, nc2: 0.01, nc3: 0.01, acc: 1 }),
    run("ce", 1, { nc1: 0.005, nc2: 0.1, nc3: 0.19, acc: 1 }),
    run("fl", 1, { nc1: 0.02, nc2: 0.1, nc3: 0.1, acc: 1 }),
    run("ls", 1, { nc1: 0.001, nc2: 0.1, nc3: 0.1, acc: 0.999 }),
  ]).toRecords();
  expect(frame.map((r) => r.loss)).toEqual(["ce", "ls", "fl", "mse"]);
  expect(frame.map((r) => r.all)).toEqual([true, false, false, true]);
  expect(frame[2]).toMatchObject({ nc1_ok: false, nc2_ok: true });
  expect(frame[1]).toMatchObject({ fitted: false, train_accuracy: 99.9 });
  expect(collapseReached([run("fl", 1, { nc1: 0.02, nc2: 0.1, nc3: 0.1, acc: 1 })], { nc1Drop: 40 }).toRecords()[0].all)
    .toBe(true);
});
