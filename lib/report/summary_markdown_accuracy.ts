/**
 * The accuracy-table sections of `figures/SUMMARY.md` (notebook 05): the table itself (also written
 * as LaTeX, `accuracy_table.tex`), the one-way ANOVA, each loss's equivalence to CE and every pair's
 * difference, for the test accuracy at the best-validation epoch and at the last epoch.
 *
 * @module
 */
import type { AccuracyReport } from "./accuracy_report.ts";
import { accuracyTableMarkdown } from "./accuracy_table.ts";
import { formatAccuracy, formatMetric, formatNumber, formatPValue } from "./number_format.ts";
import { bestValNote, figures, formattedTable, interval, label } from "./summary_markdown_parts.ts";

const ACCURACY_NAMES = [["best_val", "best_val"], ["last_epoch", "final_epoch"]] as const;

/**
 * The accuracy-table sections, in order (none without runs).
 *
 * @example
 * ```ts
 * accuracySections(accuracyReport([])); // []
 * ```
 */
export function accuracySections(report: AccuracyReport): string[] {
  const table = Object.values(report.accuracy_table);
  if (table.length === 0) return [];
  const { dataset, model, width, epochs } = table[0];
  const c = report.accuracy_comparisons;
  const parts = [
    `## Accuracy table (notebook 05): ${dataset}, ${model} of width ${width}, ${epochs} epochs\n`,
    `Test accuracy (%) at the best-validation epoch (best_val, the paper's protocol) and at the last epoch (last_epoch, the collapsed network), mean ± sd over seeds.${
      c
        ? ` equivalent: the paired equivalence test against CE (two one-sided t tests, margin ±${c.margin} points) finds the loss within the margin; smallest_margin: the smallest margin it would support (points); p_holm: the paired t test against CE, Holm-adjusted over all ${c.best_val.pairs.length} pairs of losses.`
        : ""
    } ${bestValNote(formatNumber(epochs))}`,
    `${
      figures("accuracy_table", "accuracy_table_column").trimEnd()
    } LaTeX (booktabs): [accuracy_table.tex](accuracy_table.tex).\n`,
    accuracyTableMarkdown(report),
    "",
  ];
  const s = report.accuracy_spread;
  if (s) {
    parts.push(
      `Spread of the losses' means ${formatAccuracy(s.range)} points, pooled seed sd ${
        formatAccuracy(s.seed_sd)
      }; one-way ANOVA F = ${formatMetric(s.F)}, p = ${formatPValue(s.p)}: ${
        s.within_seed_noise ? "no spread detected beyond seed noise" : "larger than seed noise"
      } (best-validation epoch; docs/method.md §9).\n`,
    );
  }
  if (c) parts.push(...comparisonSections(c));
  return parts;
}

function comparisonSections(c: NonNullable<AccuracyReport["accuracy_comparisons"]>): string[] {
  const equivalence = ACCURACY_NAMES.flatMap(([accuracy, key]) =>
    Object.entries(c[key].equivalence_to_ce).map(([loss, e]) => ({
      loss: label(loss),
      accuracy,
      seeds: e.seeds,
      ce_minus_x: e.mean_difference,
      interval: interval(e.interval),
      p_tost: e.p,
      equivalent: e.equivalent,
      smallest_margin: e.smallest_margin,
    }))
  );
  const pairs = ACCURACY_NAMES.flatMap(([accuracy, key]) =>
    c[key].pairs.map((d) => ({
      pair: `${label(d.loss)} − ${label(d.other)}`,
      accuracy,
      seeds: d.seeds,
      difference: d.mean_difference,
      interval: interval(d.interval),
      p: d.p,
      p_holm: d.p_holm,
    }))
  );
  return [
    `## Accuracy table (notebook 05): nearly the same accuracy? Equivalence to CE within ±${c.margin} points\n`,
    `Paired by seed: Acc_CE − Acc_X (points), its ${
      formatNumber(100 * c.equivalence_interval_level)
    } % t interval, and the larger of the two one-sided tests' p (p_tost); equivalent where the interval lies inside ±${c.margin} (p_tost < 0.05). smallest_margin: the margin at which equivalence would be declared (docs/method.md §9).\n`,
    formattedTable(equivalence, [
      "loss",
      "accuracy",
      "seeds",
      "ce_minus_x",
      "interval",
      "p_tost",
      "equivalent",
      "smallest_margin",
    ]),
    "",
    "## Accuracy table (notebook 05): every pair of losses\n",
    `Paired by seed: mean difference (points) with a ${
      formatNumber(100 * c.pair_interval_level)
    } % t interval (simultaneous 95 % over the pairs, Bonferroni), the paired t test's p and Holm's adjustment of it.\n`,
    formattedTable(pairs, ["pair", "accuracy", "seeds", "difference", "interval", "p", "p_holm"]),
    "",
  ];
}
