/**
 * The accuracy-table part of the report (notebook 05): each loss's test accuracy over seeds at the
 * grid's largest width and longest budget, the one-way ANOVA by loss, and the paired comparisons
 * that test "nearly the same accuracy" — equivalence to CE within ±0.5 points and every pair's
 * difference — for the test accuracy at the best-validation epoch and at the last epoch
 * (docs/method.md §9). Accuracies and differences are in percent (points).
 *
 * @module
 */
import type { RunRecord } from "../training/run.ts";
import { equivalenceToCe, pairwiseDifferences } from "./accuracy_comparisons.ts";
import { lossSpread } from "./claims.ts";
import { accuracyTable, summaryFrame } from "./run_frames.ts";

/**
 * Mean ± sd over seeds of the test accuracy at the best-validation epoch (`mean`, `sd`: the paper's
 * protocol) and at the last epoch (`final_mean`, `final_sd`: the network at collapse), with the
 * setting they were measured at.
 */
export interface AccuracyNumbers {
  mean: number;
  sd: number;
  final_mean: number;
  final_sd: number;
  seeds: number;
  dataset: string;
  model: string;
  width: number;
  epochs: number;
}

/** The paired TOST of Acc_CE − Acc_X (points) for one loss X. */
export interface EquivalenceNumbers {
  seeds: number;
  mean_difference: number;
  /** The (1 − 2α) t interval of the mean difference. */
  interval: [number, number];
  /** The larger of the two one-sided p-values. */
  p: number;
  /** The interval lies inside ±margin. */
  equivalent: boolean;
  /** The largest |bound| of the interval: the smallest margin at which equivalence would be declared. */
  smallest_margin: number;
}

/** The paired difference loss − other (points), with its simultaneous interval and Holm-adjusted p. */
export interface PairNumbers {
  loss: string;
  other: string;
  seeds: number;
  mean_difference: number;
  interval: [number, number];
  /** The paired t test's two-sided p. */
  p: number;
  p_holm: number;
}

/** The comparisons of one accuracy column at the accuracy table's setting. */
export interface AccuracyComparison {
  /** Per loss X other than CE, keyed by name. */
  equivalence_to_ce: Record<string, EquivalenceNumbers>;
  /** Every pair of losses, in loss order. */
  pairs: PairNumbers[];
}

/** The accuracy table's section of {@link Report}. */
export interface AccuracyReport {
  accuracy_table: Record<string, AccuracyNumbers>;
  /** One-way ANOVA of the table's accuracies by loss (null with one seed per loss). */
  accuracy_spread: { F: number; p: number; range: number; seed_sd: number; within_seed_noise: boolean } | null;
  /**
   * Paired comparisons at the table's setting (null with one seed per loss): each loss's
   * equivalence to CE within ±margin points, and every pair's difference, for the test accuracy at
   * the best-validation epoch and at the last epoch.
   */
  accuracy_comparisons: {
    /** The equivalence margin (points). */
    margin: number;
    /** Coverage of the equivalence intervals, 1 − 2α. */
    equivalence_interval_level: number;
    /** Coverage of each pairwise interval, 1 − 0.05/m over the m pairs: simultaneous 95 %. */
    pair_interval_level: number;
    best_val: AccuracyComparison;
    final_epoch: AccuracyComparison;
  } | null;
}

/** The equivalence margin of the report (points), the TOST's α and the pairs' simultaneous level. */
const ACCURACY_COMPARISON = { margin: 0.5, alpha: 0.05, pairsLevel: 0.95 } as const;

const orNaN = (v: unknown) => (typeof v === "number" ? v : NaN);

function comparison(summary: ReturnType<typeof summaryFrame>, column: string): AccuracyComparison {
  const { margin, alpha, pairsLevel } = ACCURACY_COMPARISON;
  const equivalence: Record<string, EquivalenceNumbers> = {};
  for (const e of equivalenceToCe(summary, { column, margin, alpha })) {
    equivalence[e.loss] = {
      seeds: e.n,
      mean_difference: e.mean,
      interval: e.interval,
      p: e.p,
      equivalent: e.equivalent,
      smallest_margin: e.smallestMargin,
    };
  }
  const pairs = pairwiseDifferences(summary, { column, level: pairsLevel }).map((d) => ({
    loss: d.loss,
    other: d.other,
    seeds: d.difference.n,
    mean_difference: d.difference.mean,
    interval: d.difference.interval,
    p: d.difference.p,
    p_holm: d.pHolm,
  }));
  return { equivalence_to_ce: equivalence, pairs };
}

/**
 * The accuracy table's section of the report from the runs of the `accuracy_table` figure: empty
 * without runs, without the ANOVA and the comparisons when no loss has two seeds.
 *
 * @example
 * ```ts
 * accuracyReport([]); // { accuracy_table: {}, accuracy_spread: null, accuracy_comparisons: null }
 * ```
 */
export function accuracyReport(records: readonly RunRecord[]): AccuracyReport {
  const table = summaryFrame(records);
  const out: Record<string, AccuracyNumbers> = {};
  const none = { accuracy_table: out, accuracy_spread: null, accuracy_comparisons: null };
  if (table.height === 0) return none;
  const rows = accuracyTable(table).toRecords();
  const final = new Map(accuracyTable(table, "final_test_accuracy").toRecords().map((r) => [r.loss as string, r]));
  for (const r of rows) {
    const last = final.get(r.loss as string);
    out[r.loss as string] = {
      mean: r.mean as number,
      sd: orNaN(r.sd),
      final_mean: orNaN(last?.mean),
      final_sd: orNaN(last?.sd),
      seeds: r.seeds as number,
      dataset: r.dataset as string,
      model: r.model as string,
      width: r.width as number,
      epochs: r.epochs as number,
    };
  }
  if (!rows.some((r) => (r.seeds as number) > 1)) return none;
  const s = lossSpread(table);
  const best = comparison(table, "test_accuracy");
  const { margin, alpha, pairsLevel } = ACCURACY_COMPARISON;
  return {
    accuracy_table: out,
    accuracy_spread: { F: s.F, p: s.p, range: s.range, seed_sd: s.seedSd, within_seed_noise: s.withinSeedNoise },
    accuracy_comparisons: {
      margin,
      equivalence_interval_level: 1 - 2 * alpha,
      pair_interval_level: 1 - (1 - pairsLevel) / Math.max(1, best.pairs.length),
      best_val: best,
      final_epoch: comparison(table, "final_test_accuracy"),
    },
  };
}
