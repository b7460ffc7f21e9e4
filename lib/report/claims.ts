/**
 * The paper's claims about the deep-network grids, as tests with an uncertainty from the seeds
 * (docs/method.md §9):
 *
 * - {@link gapTrends}: the accuracy gap between CE and another loss shrinks as the network gets
 *   wider and is trained longer — Spearman's correlation of |gap| with width and with the epoch
 *   budget over the heat-map cells, with a bootstrap over seeds;
 * - {@link lossSpread}: at the largest width and budget the losses reach the same accuracy — a
 *   one-way ANOVA of test accuracy by loss (is the spread between losses larger than the spread
 *   between seeds of one loss?);
 * - {@link collapseReached}: every loss collapses — 100 % training accuracy, NC1 at least 100× below
 *   its first evaluation, NC2 and NC3 below 0.2 at the last.
 *
 * @module
 */
import pl from "nodejs-polars";
import { byLossOrder } from "../core/loss_registry.ts";
import type { RunRecord } from "../training/run.ts";
import type { Rng } from "../core/random.ts";
import { nc1Drop } from "./run_frames.ts";
import { type Anova, bootstrap, type BootstrapEstimate, mean, oneWayAnova, spearman } from "../core/statistics.ts";

/** The trend of one loss's |gap| with width and with epochs. */
export interface GapTrend {
  loss: string;
  /** Spearman's ρ of |mean gap| with width over the cells (negative: the gap shrinks). */
  width: BootstrapEstimate;
  /** Spearman's ρ of |mean gap| with the epoch budget. */
  epochs: BootstrapEstimate;
  cells: number;
  seeds: number;
  /** Both 90 % intervals lie below 0: the gap shrinks with width and with epochs. */
  holds: boolean;
}

interface PairedCell {
  width: number;
  epochs: number;
  /** Acc_CE,s − Acc_X,s for the seeds both losses have. */
  differences: number[];
}

function pairedCells(summary: pl.DataFrame, loss: string): PairedCell[] {
  const rows = summary.select("loss", "width", "epochs", "seed", "test_accuracy").toRecords() as {
    loss: string;
    width: number;
    epochs: number;
    seed: number;
    test_accuracy: number;
  }[];
  const key = (r: { width: number; epochs: number; seed: number }) => `${r.width}|${r.epochs}|${r.seed}`;
  const ce = new Map(rows.filter((r) => r.loss === "ce").map((r) => [key(r), r.test_accuracy]));
  const cells = new Map<string, PairedCell>();
  for (const r of rows) {
    if (r.loss !== loss || !ce.has(key(r))) continue;
    const id = `${r.width}|${r.epochs}`;
    if (!cells.has(id)) cells.set(id, { width: r.width, epochs: r.epochs, differences: [] });
    cells.get(id)!.differences.push(ce.get(key(r))! - r.test_accuracy);
  }
  return [...cells.values()];
}

/**
 * Per loss other than CE: how |gap| (the mean over seeds of the paired difference Acc_CE − Acc_X,
 * in points) varies with width and with the epoch budget across the heat-map cells, as Spearman's
 * ρ. The uncertainty resamples, in every cell, the seeds with replacement (keeping CE and X of a
 * seed paired) and recomputes ρ: `interval` is the 90 % percentile interval and `fractionNegative`
 * the share of resamples in which the gap shrinks. The claim holds for a loss when both intervals
 * lie below 0.
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * gapTrends(summaryFrame(runs)).map((t) => [t.loss, t.width.value, t.width.interval]);
 * ```
 */
export function gapTrends(
  summary: pl.DataFrame,
  options: { replicates?: number; seed?: number | string } = {},
): GapTrend[] {
  const losses = [...new Set(summary.getColumn("loss").toArray() as string[])].filter((l) => l !== "ce");
  return losses.map((loss) => {
    const cells = pairedCells(summary, loss);
    const rho = (gaps: number[], axis: "width" | "epochs") => spearman(gaps, cells.map((c) => c[axis]));
    const observed = cells.map((c) => Math.abs(mean(c.differences)));
    const resampled = (rng: Rng) =>
      cells.map((c) => Math.abs(mean(c.differences.map(() => c.differences[rng.int(c.differences.length)]))));
    const estimate = (axis: "width" | "epochs") =>
      bootstrap(() => rho(observed, axis), (rng) => rho(resampled(rng), axis), {
        replicates: options.replicates,
        seed: `${options.seed ?? "gap-trends"}:${loss}:${axis}`,
      });
    const width = estimate("width"), epochs = estimate("epochs");
    return {
      loss,
      width,
      epochs,
      cells: cells.length,
      seeds: Math.min(...cells.map((c) => c.differences.length)),
      holds: width.interval[1] < 0 && epochs.interval[1] < 0,
    };
  });
}

/** Whether the losses' accuracies differ by more than their seeds do. */
export interface LossSpread extends Anova {
  /** Largest minus smallest mean over seeds (points). */
  range: number;
  /** Pooled within-loss standard deviation (points). */
  seedSd: number;
  /** p ≥ 0.05: the spread between losses is within what the seeds' spread explains. */
  withinSeedNoise: boolean;
}

/**
 * One-way ANOVA of `column` grouped by loss over the rows of a summary frame (one row per run).
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

/**
 * {@link gapTrends} as a table: one row per loss with ρ and its 90 % interval for width and for
 * epochs, the share of resamples in which the gap shrinks, and whether the claim holds.
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * gapTrendsFrame(gapTrends(summaryFrame(runs)));
 * ```
 */
export function gapTrendsFrame(trends: readonly GapTrend[]): pl.DataFrame {
  return pl.DataFrame(trends.map((t) => ({
    loss: t.loss,
    cells: t.cells,
    seeds: t.seeds,
    rho_width: t.width.value,
    rho_width_low: t.width.interval[0],
    rho_width_high: t.width.interval[1],
    shrinks_with_width: t.width.fractionNegative,
    rho_epochs: t.epochs.value,
    rho_epochs_low: t.epochs.interval[0],
    rho_epochs_high: t.epochs.interval[1],
    shrinks_with_epochs: t.epochs.fractionNegative,
    holds: t.holds,
  }))).withColumns(pl.col("cells").cast(pl.Int32), pl.col("seeds").cast(pl.Int32));
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
