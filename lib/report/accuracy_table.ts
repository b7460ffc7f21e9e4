/**
 * The accuracy table (notebook 05) as a table, in three renderings of the same rows: a polars
 * frame for the notebook, markdown for `SUMMARY.md`, and a LaTeX booktabs snippet
 * (`figures/accuracy_table.tex`) for a paper. Per loss: the number of seeds and, for the test
 * accuracy at the best-validation epoch and at the last epoch, mean ± sd over seeds, whether the
 * paired equivalence test (TOST) finds the loss within ±margin points of CE, the smallest margin it
 * would support, and the paired t test's p against CE, Holm-adjusted over every pair of losses
 * (docs/method.md §9). Numbers follow the display rule (`number_format.ts`).
 *
 * @module
 */
import pl from "nodejs-polars";
import { lossLabel } from "../core/loss_registry.ts";
import type { AccuracyComparison, AccuracyReport } from "./accuracy_report.ts";
import { formatAccuracy, formatPValue, markdownTable } from "./number_format.ts";

/** One accuracy of one loss: mean ± sd over seeds and the comparison with CE (null for CE). */
export interface AccuracyCell {
  mean: number;
  sd: number;
  /** Within ±margin of CE by the paired TOST. */
  equivalent: boolean | null;
  /** The smallest margin the TOST supports (points). */
  smallest_margin: number | null;
  /** The paired t test's p against CE, Holm-adjusted over every pair of losses. */
  p_holm: number | null;
}

/** One row of the accuracy table. */
export interface AccuracyTableRow {
  loss: string;
  seeds: number;
  best_val: AccuracyCell;
  last_epoch: AccuracyCell;
}

const label = lossLabel;

function comparedWithCe(loss: string, c: AccuracyComparison | undefined): Omit<AccuracyCell, "mean" | "sd"> {
  const e = c?.equivalence_to_ce[loss];
  const pair = c?.pairs.find((p) => (p.loss === "ce" && p.other === loss) || (p.loss === loss && p.other === "ce"));
  return {
    equivalent: e ? e.equivalent : null,
    smallest_margin: e ? e.smallest_margin : null,
    p_holm: pair ? pair.p_holm : null,
  };
}

/**
 * The table's rows from the report's accuracy section, in loss order.
 *
 * @example
 * ```ts
 * accuracyTableRows(accuracyReport([])); // []
 * ```
 */
export function accuracyTableRows(report: AccuracyReport): AccuracyTableRow[] {
  const c = report.accuracy_comparisons;
  return Object.entries(report.accuracy_table).map(([loss, a]) => ({
    loss,
    seeds: a.seeds,
    best_val: { mean: a.mean, sd: a.sd, ...comparedWithCe(loss, c?.best_val) },
    last_epoch: { mean: a.final_mean, sd: a.final_sd, ...comparedWithCe(loss, c?.final_epoch) },
  }));
}

/**
 * The table as a frame, one row per loss (labels), numbers at full precision: `seeds`, then for
 * `best_val` and `last_epoch` the columns `_mean`, `_sd`, `_equivalent`, `_smallest_margin` and
 * `_p_holm` (null for CE).
 *
 * @example
 * ```ts
 * accuracyTableFrame(accuracyReport([])).height; // 0
 * ```
 */
export function accuracyTableFrame(report: AccuracyReport): pl.DataFrame {
  const rows = accuracyTableRows(report);
  const kinds = ["best_val", "last_epoch"] as const;
  const columns: pl.Series[] = [
    pl.Series("loss", rows.map((r) => label(r.loss))),
    pl.Series("seeds", rows.map((r) => r.seeds), pl.Int32),
  ];
  for (const k of kinds) {
    columns.push(
      pl.Series(`${k}_mean`, rows.map((r) => r[k].mean), pl.Float64),
      pl.Series(`${k}_sd`, rows.map((r) => r[k].sd), pl.Float64),
      pl.Series(`${k}_equivalent`, rows.map((r) => r[k].equivalent), pl.Bool),
      pl.Series(`${k}_smallest_margin`, rows.map((r) => r[k].smallest_margin), pl.Float64),
      pl.Series(`${k}_p_holm`, rows.map((r) => r[k].p_holm), pl.Float64),
    );
  }
  return pl.DataFrame(columns);
}

const yesNo = (v: boolean | null) => (v === null ? "—" : v ? "yes" : "no");

/**
 * The table as markdown: accuracies mean ± sd with two decimals, margins in points with two
 * decimals, p by the p-value rule; "—" where a cell does not apply (CE against itself).
 *
 * @example
 * ```ts
 * accuracyTableMarkdown(accuracyReport([])).split("\n")[0]; // "| loss | seeds | best_val | best_val_equivalent | best_val_smallest_margin | best_val_p_holm | last_epoch | last_epoch_equivalent | last_epoch_smallest_margin | last_epoch_p_holm |"
 * ```
 */
export function accuracyTableMarkdown(report: AccuracyReport): string {
  const kinds = ["best_val", "last_epoch"] as const;
  const columns = [
    "loss",
    "seeds",
    ...kinds.flatMap((k) => [k, `${k}_equivalent`, `${k}_smallest_margin`, `${k}_p_holm`]),
  ];
  const rows = accuracyTableRows(report).map((r) => ({
    loss: label(r.loss),
    seeds: String(r.seeds),
    ...Object.fromEntries(kinds.flatMap((k) => [
      [k, `${formatAccuracy(r[k].mean)} ± ${formatAccuracy(r[k].sd)}`],
      [`${k}_equivalent`, yesNo(r[k].equivalent)],
      [`${k}_smallest_margin`, formatAccuracy(r[k].smallest_margin)],
      [`${k}_p_holm`, formatPValue(r[k].p_holm)],
    ])),
  }));
  return markdownTable(rows, columns, String);
}

/** Text safe inside LaTeX: its special characters escaped. */
function latexText(text: string): string {
  const escaped: Record<string, string> = {
    "\\": "\\textbackslash{}",
    "~": "\\textasciitilde{}",
    "^": "\\textasciicircum{}",
  };
  return text.replace(/[\\{}&%$#_~^]/g, (c) => escaped[c] ?? `\\${c}`);
}

/** A p-value in LaTeX math ($<0.001$), "--" where missing. */
const latexP = (
  p: number | null,
) => (p === null || !Number.isFinite(p) ? "--" : p < 1e-3 ? "$<0.001$" : formatPValue(p));
const latexNumber = (v: number | null) => (v === null || !Number.isFinite(v) ? "--" : formatAccuracy(v));

/**
 * The table as a LaTeX `table` with a booktabs `tabular` (`\toprule`, `\cmidrule`, `\midrule`,
 * `\bottomrule`; the document needs `\usepackage{booktabs}`), a caption that says what every
 * column holds and why the best-validation accuracy can sit above the last epoch's, and a label
 * (default `tab:accuracy`). Numbers as in {@link accuracyTableMarkdown}; "--" where a cell does not
 * apply. Empty without runs.
 *
 * @example
 * ```ts
 * accuracyTableLatex(accuracyReport([])); // ""
 * ```
 */
export function accuracyTableLatex(report: AccuracyReport, options: { label?: string } = {}): string {
  const rows = accuracyTableRows(report);
  if (rows.length === 0) return "";
  const first = Object.values(report.accuracy_table)[0];
  const margin = report.accuracy_comparisons?.margin ?? 0.5;
  const pairs = report.accuracy_comparisons?.best_val.pairs.length ?? 0;
  const seeds = [...new Set(rows.map((r) => r.seeds))].join(" or ");
  const caption = [
    `Test accuracy (\\%) of each loss on ${latexText(first.dataset)}, ${
      latexText(first.model)
    } of width ${first.width} trained for ${first.epochs} epochs: mean $\\pm$ sd over ${seeds} seeds, at the best-validation epoch and at the last epoch.`,
    `Equiv.: the paired equivalence test against CE (two one-sided t tests, margin $\\pm${margin}$ points) finds the loss within the margin; margin: the smallest margin it would support (points);`,
    `$p_{\\mathrm{Holm}}$: the paired t test against CE, Holm-adjusted over all ${pairs} pairs of losses.`,
    `The two accuracies are of different networks: the best-validation epoch is the best of ${first.epochs} validation evaluations, which biases its accuracy upward; the last epoch is fixed in advance.`,
  ].join(" ");
  const cells = (c: AccuracyCell, ce: boolean) => [
    `$${latexNumber(c.mean)} \\pm ${latexNumber(c.sd)}$`,
    ce ? "--" : yesNo(c.equivalent).replace("—", "--"),
    ce ? "--" : latexNumber(c.smallest_margin),
    ce ? "--" : latexP(c.p_holm),
  ];
  const body = rows.map((r) =>
    [
      latexText(label(r.loss)),
      String(r.seeds),
      ...cells(r.best_val, r.loss === "ce"),
      ...cells(r.last_epoch, r.loss === "ce"),
    ]
      .join(" & ") + " \\\\"
  );
  return [
    "% The accuracy table, written by `deno task reproduce` from the stored runs (see SUMMARY.md).",
    "% Needs \\usepackage{booktabs}.",
    "\\begin{table}[t]",
    "\\centering",
    `\\caption{${caption}}`,
    `\\label{${options.label ?? "tab:accuracy"}}`,
    "\\begin{tabular}{lrcccccccc}",
    "\\toprule",
    " & & \\multicolumn{4}{c}{Best-validation epoch} & \\multicolumn{4}{c}{Last epoch} \\\\",
    "\\cmidrule(lr){3-6} \\cmidrule(lr){7-10}",
    "Loss & Seeds & Accuracy & Equiv. & Margin & $p_{\\mathrm{Holm}}$ & Accuracy & Equiv. & Margin & $p_{\\mathrm{Holm}}$ \\\\",
    "\\midrule",
    ...body,
    "\\bottomrule",
    "\\end{tabular}",
    "\\end{table}",
    "",
  ].join("\n");
}
