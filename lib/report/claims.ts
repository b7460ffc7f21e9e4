/**
 * The paper's claims about the deep-network grids, as tests whose uncertainty comes from the seeds
 * (docs/method.md §9). Seed s of CE and seed s of another loss share initial weights and data
 * order, so every comparison is made per seed (paired) before averaging.
 *
 * - {@link gapTrends}: the accuracy gap between CE and another loss shrinks as the network gets
 *   wider and is trained longer — Spearman's ρ of |gap| with each axis over the heat-map cells,
 *   tested by permuting the axis within the other axis's levels, with the slope of |gap| per
 *   doubling averaged over seeds as the effect size;
 * - {@link lossSpread}: a one-way ANOVA of test accuracy by loss (a difference detector; not
 *   rejecting it is no evidence of equal accuracy — `accuracy_comparisons.ts` tests "nearly the
 *   same accuracy" with {@link equivalenceToCe} and {@link pairwiseDifferences});
 * - {@link collapseReached}: every loss collapses — 100 % training accuracy, NC1 at least 100× below
 *   its first evaluation, NC2 and NC3 below 0.2 at the last.
 *
 * @module
 */
import pl from "nodejs-polars";
import { byLossOrder } from "../core/loss_registry.ts";
import type { RunRecord } from "../training/run.ts";
import { nc1Drop } from "./run_frames.ts";
import { lossesOf, paired, type SeedValue, seedValues } from "./paired_seeds.ts";
import { type Anova, mean, type MeanInterval, oneWayAnova, pairedDifferenceInterval } from "../core/statistics.ts";
import { type PermutationTest, seedAveragedSlopes, stratifiedPermutationTest } from "../core/trend_tests.ts";

/** One heat-map cell of CE against X: the per-seed differences Acc_CE,s − Acc_X,s. */
interface PairedCell {
  width: number;
  epochs: number;
  seeds: number[];
  differences: number[];
}

function pairedCells(rows: readonly SeedValue[], loss: string): PairedCell[] {
  const cells = new Map<string, { width: number; epochs: number }>();
  for (const r of rows) cells.set(`${r.width}|${r.epochs}`, { width: r.width, epochs: r.epochs });
  return [...cells.values()]
    .map(({ width, epochs }) => ({
      width,
      epochs,
      ...paired(rows.filter((r) => r.width === width && r.epochs === epochs), "ce", loss),
    }))
    .filter((c) => c.differences.length > 0);
}

/** The trend of one loss's |gap| along one axis of the grid. */
export interface GapTrendAxis {
  /** Spearman's ρ of |mean gap| with the axis over the cells (negative: the gap shrinks). */
  rho: number;
  /** The permutation test of ρ, the axis rearranged among the cells of each level of the other axis. */
  test: PermutationTest;
  /**
   * Per-seed least-squares slope of |Acc_CE,s − Acc_X,s| on log2 width and log2 epochs together
   * (points per doubling of this axis, the other held fixed), averaged over seeds with its t
   * interval (df = seeds − 1). NaN where the axis has one value.
   */
  slope: MeanInterval;
}

/** The trend of one loss's |gap| with width and with epochs. */
export interface GapTrend {
  loss: string;
  width: GapTrendAxis;
  epochs: GapTrendAxis;
  cells: number;
  /** The fewest seeds of a cell. */
  seeds: number;
  /** Both one-sided permutation p-values below 0.05: the gap shrinks with width and with epochs. */
  holds: boolean;
}

/** What {@link gapTrends} compares and how. */
export interface GapTrendOptions {
  /** The accuracy column of the summary frame (default "test_accuracy", at the best-validation epoch). */
  column?: string;
  /** Coverage of the slopes' intervals (default 0.95). */
  level?: number;
  /** Random arrangements when there are more than `exactLimit` (default 9,999). */
  permutations?: number;
  /** Enumerate every arrangement up to this many (default 100,000). */
  exactLimit?: number;
  /** Seed of the random arrangements (default "gap-trends"; each loss and axis derives its own). */
  seed?: number | string;
}

/**
 * Per loss X other than CE, whether |gap| — the mean over seeds of the paired difference
 * Acc_CE,s − Acc_X,s in a heat-map cell, in points — shrinks with width and with the epoch budget:
 *
 * - **test**: Spearman's ρ of |gap| with the width over the cells, its p from
 *   {@link stratifiedPermutationTest} rearranging the widths among the cells of each budget (and
 *   likewise for epochs, rearranged within each width); exact when there are at most `exactLimit`
 *   arrangements, else `permutations` seeded random ones;
 * - **effect size**: per seed, |Acc_CE,s − Acc_X,s| regressed on log2 width and log2 epochs over
 *   the cells; the slopes (points per doubling) averaged over seeds with a t interval
 *   ({@link seedAveragedSlopes}).
 *
 * The claim holds for X when both one-sided p-values (ρ < 0) are below 0.05. Requiring both is an
 * intersection–union test, so the pair needs no multiplicity correction; each loss is a claim of
 * its own.
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * gapTrends(summaryFrame(runs)).map((t) => [t.loss, t.width.rho, t.width.test.pDecreasing, t.width.slope.interval]);
 * ```
 */
export function gapTrends(summary: pl.DataFrame, options: GapTrendOptions = {}): GapTrend[] {
  const rows = seedValues(summary, options.column ?? "test_accuracy");
  return lossesOf(rows).filter((l) => l !== "ce").map((loss) => {
    const cells = pairedCells(rows, loss);
    const varies = (axis: "width" | "epochs") => new Set(cells.map((c) => c[axis])).size > 1;
    const axes = (["width", "epochs"] as const).filter(varies);
    const slopes = seedAveragedSlopes(
      cells.flatMap((c) =>
        c.seeds.map((seed, i) => ({ seed, y: Math.abs(c.differences[i]), x: axes.map((a) => Math.log2(c[a])) }))
      ),
      { level: options.level },
    );
    const noSlope = pairedDifferenceInterval([], { level: options.level });
    const axis = (name: "width" | "epochs"): GapTrendAxis => {
      const other = name === "width" ? "epochs" : "width";
      const test = stratifiedPermutationTest(
        cells.map((c) => ({ x: Math.log2(c[name]), y: Math.abs(mean(c.differences)), stratum: c[other] })),
        {
          permutations: options.permutations,
          exactLimit: options.exactLimit,
          seed: `${options.seed ?? "gap-trends"}:${loss}:${name}`,
        },
      );
      const j = axes.indexOf(name);
      return { rho: test.rho, test, slope: j < 0 ? noSlope : slopes.slopes[j] };
    };
    const width = axis("width"), epochs = axis("epochs");
    return {
      loss,
      width,
      epochs,
      cells: cells.length,
      seeds: Math.min(...cells.map((c) => c.differences.length)),
      holds: width.test.pDecreasing < 0.05 && epochs.test.pDecreasing < 0.05,
    };
  });
}

/**
 * {@link gapTrends} as a table, one row per loss: for width and for epochs, ρ, the one-sided
 * permutation p-value of ρ < 0 (`p_one_sided_*`: small when |gap| shrinks) and the two-sided one and how many arrangements they count, and the
 * slope of |gap| in points per doubling with its interval over seeds; then whether the claim holds.
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * gapTrendsFrame(gapTrends(summaryFrame(runs)));
 * ```
 */
export function gapTrendsFrame(trends: readonly GapTrend[]): pl.DataFrame {
  const axis = (name: string, a: GapTrendAxis) => ({
    [`rho_${name}`]: a.rho,
    [`p_one_sided_${name}`]: a.test.pDecreasing,
    [`p_two_sided_${name}`]: a.test.pTwoSided,
    [`permutations_${name}`]: a.test.permutations,
    [`slope_per_doubling_${name}`]: a.slope.mean,
    [`slope_low_${name}`]: a.slope.interval[0],
    [`slope_high_${name}`]: a.slope.interval[1],
  });
  return pl.DataFrame(trends.map((t) => ({
    loss: t.loss,
    cells: t.cells,
    seeds: t.seeds,
    ...axis("width", t.width),
    ...axis("epochs", t.epochs),
    holds: t.holds,
  }))).withColumns(
    pl.col("cells").cast(pl.Int32),
    pl.col("seeds").cast(pl.Int32),
    pl.col("permutations_width").cast(pl.Int32),
    pl.col("permutations_epochs").cast(pl.Int32),
  );
}

/** Whether the losses' accuracies differ by more than their seeds do. */
export interface LossSpread extends Anova {
  /** Largest minus smallest mean over seeds (points). */
  range: number;
  /** Pooled within-loss standard deviation (points). */
  seedSd: number;
  /**
   * p ≥ 0.05: the ANOVA does not detect a spread beyond the seeds'. Not evidence that the losses
   * are equal (few seeds detect little); {@link equivalenceToCe} tests that.
   */
  withinSeedNoise: boolean;
}

/**
 * One-way ANOVA of `column` grouped by loss over the rows of a summary frame (one row per run). It
 * treats the seeds of different losses as independent, so it is a weaker detector than the paired
 * comparisons of {@link pairwiseDifferences}.
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * const { p, withinSeedNoise } = lossSpread(summaryFrame(runs));
 * ```
 */
export function lossSpread(summary: pl.DataFrame, column = "test_accuracy"): LossSpread {
  const rows = summary.select("loss", column).toRecords() as Record<string, number | string>[];
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    if (!groups.has(r.loss as string)) groups.set(r.loss as string, []);
    groups.get(r.loss as string)!.push(r[column] as number);
  }
  const values = [...groups.values()];
  const anova = oneWayAnova(values);
  const means = values.map(mean);
  const within = values.reduce((a, g, i) => a + g.reduce((s, v) => s + (v - means[i]) ** 2, 0), 0);
  return {
    ...anova,
    range: Math.max(...means) - Math.min(...means),
    seedSd: Math.sqrt(within / anova.dfWithin),
    // Equal values everywhere leave F = 0/0 (p NaN): nothing to tell apart, so within noise.
    withinSeedNoise: !(anova.p < 0.05),
  };
}

/** What "collapsed" means in {@link collapseReached}. */
export interface CollapseTargets {
  /** NC1 at the first evaluation over NC1 at the last, at least (default 100). */
  nc1Drop: number;
  /** NC2 and NC3 at the last evaluation, below (default 0.2 each). */
  nc2: number;
  nc3: number;
}

/**
 * Per run, in loss order: the last evaluation's training accuracy (percent), how far NC1 fell
 * since the first evaluation, the last NC2 and NC3, and whether each reaches its target; `all` is
 * true when every target is met (training accuracy 100 %).
 *
 * @example
 * ```ts ignore (reads the run store)
 * collapseReached(await sweep(figureGrid("nc_dynamics", "cpu")));
 * ```
 */
export function collapseReached(
  records: readonly RunRecord[],
  targets: Partial<CollapseTargets> = {},
): pl.DataFrame {
  const t: CollapseTargets = { nc1Drop: 100, nc2: 0.2, nc3: 0.2, ...targets };
  const rows = [...records]
    .filter((r) => r.rows.length > 0)
    .sort((a, b) => byLossOrder(a.config.loss.name, b.config.loss.name) || a.config.seed - b.config.seed)
    .map((r) => {
      const last = r.rows.at(-1)!;
      const drop = nc1Drop(r);
      const fitted = last.trainAccuracy === 1;
      return {
        loss: r.config.loss.name,
        seed: r.config.seed,
        last_epoch: last.epoch,
        train_accuracy: 100 * last.trainAccuracy,
        nc1_drop: drop,
        nc2: last.nc2,
        nc3: last.nc3,
        fitted,
        nc1_ok: drop >= t.nc1Drop,
        nc2_ok: last.nc2 < t.nc2,
        nc3_ok: last.nc3 < t.nc3,
        all: fitted && drop >= t.nc1Drop && last.nc2 < t.nc2 && last.nc3 < t.nc3,
      };
    });
  return pl.DataFrame(rows);
}
