/**
 * The paper's claim that wide networks trained long reach nearly the same test accuracy with every
 * loss, as paired comparisons over seeds at one cell of the grid (docs/method.md §9):
 *
 * - {@link equivalenceToCe}: each loss reaches CE's accuracy within a margin — two one-sided paired
 *   t tests (an equivalence test: noisy seeds cannot pass it);
 * - {@link pairwiseDifferences}: every pair of losses, with simultaneous intervals and
 *   Holm-adjusted p-values.
 *
 * @module
 */
import pl from "nodejs-polars";
import {
  type Equivalence,
  holm,
  type MeanInterval,
  pairedDifferenceInterval,
  pairedEquivalence,
} from "../core/statistics.ts";
import { atCell, type GridCell, lossesOf, paired, seedValues } from "./paired_seeds.ts";

/** Which accuracy a summary-frame column holds, as the tables name it: best_val, last_epoch (else the column). */
const accuracyName = (column: string) =>
  column === "test_accuracy" ? "best_val" : column === "final_test_accuracy" ? "last_epoch" : column;

/** {@link pairedEquivalence} of Acc_CE − Acc_X for one loss X at one cell. */
export interface CeEquivalence extends Equivalence, GridCell {
  loss: string;
  /** The summary frame's column compared. */
  column: string;
}

/**
 * Per loss X other than CE, whether X reaches CE's accuracy within ±`margin` points at one cell of
 * the grid (by default the largest width and longest budget, where the paper claims it): the paired
 * differences Acc_CE,s − Acc_X,s (percent in {@link summaryFrame}, so points) tested by two one-sided
 * t tests ({@link pairedEquivalence}). `equivalent` asks the data to show the difference is small —
 * a noisy comparison is not equivalent — and `smallestMargin` is the margin the data would support.
 *
 * The default margin, half a point, is the project's reading of "nearly the same" (docs/method.md
 * §9): far below the gaps at small widths and budgets, above the seed-to-seed spread of one setting.
 * It is a choice; `smallestMargin` lets a reader apply another.
 *
 * @example
 * ```ts
 * const summary = pl.DataFrame({
 *   loss: ["ce", "ce", "ce", "mse", "mse", "mse"],
 *   width: [256, 256, 256, 256, 256, 256],
 *   epochs: [40, 40, 40, 40, 40, 40],
 *   seed: [0, 1, 2, 0, 1, 2],
 *   test_accuracy: [82.8, 82.5, 83.1, 82.7, 82.5, 83.0],
 * });
 * const [mse] = equivalenceToCe(summary, { margin: 0.5 });
 * mse.mean; // 0.06666666666666525
 * mse.equivalent; // true
 * ```
 */
export function equivalenceToCe(
  summary: pl.DataFrame,
  options: { margin?: number; alpha?: number; column?: string; cell?: GridCell } = {},
): CeEquivalence[] {
  const column = options.column ?? "test_accuracy";
  const { rows, cell } = atCell(seedValues(summary, column), options.cell);
  return lossesOf(rows).filter((l) => l !== "ce").map((loss) => ({
    loss,
    column,
    ...cell,
    ...pairedEquivalence(paired(rows, "ce", loss).differences, {
      margin: options.margin ?? 0.5,
      alpha: options.alpha,
    }),
  }));
}

/**
 * {@link equivalenceToCe} as a table, one row per loss and accuracy (`accuracy`: `best_val` for the
 * test accuracy at the best-validation epoch, `last_epoch` for the last epoch's): the mean of Acc_CE − Acc_X over seeds, its
 * (1 − 2α) interval, the larger one-sided p, the margin tested, whether the difference is within it,
 * and the smallest margin the data support.
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * equivalenceFrame(equivalenceToCe(summaryFrame(runs)));
 * ```
 */
export function equivalenceFrame(results: readonly CeEquivalence[]): pl.DataFrame {
  return pl.DataFrame(results.map((r) => ({
    loss: r.loss,
    accuracy: accuracyName(r.column),
    width: r.width,
    epochs: r.epochs,
    seeds: r.n,
    mean_ce_minus_loss: r.mean,
    sd: r.sd,
    interval_low: r.interval[0],
    interval_high: r.interval[1],
    interval_level: 1 - 2 * r.alpha,
    p_tost: r.p,
    margin: r.margin,
    within_margin: r.equivalent,
    smallest_margin: r.smallestMargin,
  }))).withColumns(pl.col("seeds").cast(pl.Int32));
}

/** The paired difference of two losses at one cell, with a simultaneous interval and a Holm p. */
export interface PairwiseDifference extends GridCell {
  /** Difference loss − other, per seed. */
  loss: string;
  other: string;
  column: string;
  /** Mean, sd and the paired t test; `interval` at level 1 − (1 − level)/m over the m pairs. */
  difference: MeanInterval;
  /** The paired t test's p adjusted by {@link holm} over the m pairs. */
  pHolm: number;
}

/**
 * Every pair of losses (in the project's order, a − b for a before b) at one cell of the grid (by
 * default the largest width and longest budget): the mean over seeds of the paired difference
 * (points), its t interval at the Bonferroni level 1 − α/m for the m pairs (α = 1 − `level`), so
 * that all m intervals hold together with probability at least `level`, and the paired t test's
 * p adjusted by Holm's method. An interval excludes 0 exactly when the Bonferroni-adjusted p is
 * below α — Holm's first step; Holm's later steps can reject more.
 *
 * @example
 * ```ts
 * const summary = pl.DataFrame({
 *   loss: ["ce", "ce", "ce", "ls", "ls", "ls", "fl", "fl", "fl"],
 *   width: [256, 256, 256, 256, 256, 256, 256, 256, 256],
 *   epochs: [40, 40, 40, 40, 40, 40, 40, 40, 40],
 *   seed: [0, 1, 2, 0, 1, 2, 0, 1, 2],
 *   test_accuracy: [82.8, 82.5, 83.1, 83.1, 82.9, 83.3, 82.2, 82.0, 82.5],
 * });
 * const pairs = pairwiseDifferences(summary, { level: 0.95 });
 * pairs.map((p) => `${p.loss}−${p.other}`); // ["ce−ls", "ce−fl", "ls−fl"]
 * pairs[0].difference.level; // 0.9833333333333333
 * ```
 */
export function pairwiseDifferences(
  summary: pl.DataFrame,
  options: { column?: string; level?: number; cell?: GridCell } = {},
): PairwiseDifference[] {
  const column = options.column ?? "test_accuracy", level = options.level ?? 0.95;
  const { rows, cell } = atCell(seedValues(summary, column), options.cell);
  const losses = lossesOf(rows);
  const pairs = losses.flatMap((a, i) => losses.slice(i + 1).map((b) => [a, b] as const));
  const simultaneous = 1 - (1 - level) / Math.max(1, pairs.length);
  const differences = pairs.map(([a, b]) =>
    pairedDifferenceInterval(paired(rows, a, b).differences, { level: simultaneous })
  );
  const adjusted = holm(differences.map((d) => d.p));
  return pairs.map(([loss, other], i) => ({
    loss,
    other,
    column,
    ...cell,
    difference: differences[i],
    pHolm: adjusted[i],
  }));
}

/**
 * {@link pairwiseDifferences} as a table, one row per pair and accuracy (`best_val`, `last_epoch`): the mean difference loss − other over
 * seeds, its simultaneous interval and that interval's level, and the raw and Holm-adjusted p.
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * pairwiseDifferencesFrame(pairwiseDifferences(summaryFrame(runs)));
 * ```
 */
export function pairwiseDifferencesFrame(pairs: readonly PairwiseDifference[]): pl.DataFrame {
  return pl.DataFrame(pairs.map((r) => ({
    loss: r.loss,
    other: r.other,
    accuracy: accuracyName(r.column),
    width: r.width,
    epochs: r.epochs,
    seeds: r.difference.n,
    mean_difference: r.difference.mean,
    interval_low: r.difference.interval[0],
    interval_high: r.difference.interval[1],
    interval_level: r.difference.level,
    p: r.difference.p,
    p_holm: r.pHolm,
  }))).withColumns(pl.col("seeds").cast(pl.Int32));
}
