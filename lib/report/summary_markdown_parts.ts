/**
 * The pieces every section of `figures/SUMMARY.md` is written with: links to figures, loss labels,
 * tables whose columns follow the display rule (`number_format.ts`), mean ± sd cells, width ×
 * budget matrices, and the note on the two test accuracies.
 *
 * @module
 */
import { lossLabel } from "../core/loss_registry.ts";
import {
  type ColumnRule,
  columnRule,
  formatAccuracy,
  formatColumn,
  formatMetricColumn,
  markdownTable,
} from "./number_format.ts";

/** "Figures: [a.svg](a.svg), …" for the named figures. */
export const figures = (...names: string[]) => `Figures: ${names.map((n) => `[${n}.svg](${n}.svg)`).join(", ")}.\n`;
/** A loss's label (CE, LS, FL, MSE). */
export const label = lossLabel;
/** yes or no. */
export const yesNo = (v: boolean) => (v ? "yes" : "no");
/** "[low, high]" of an interval in points, two decimals. */
export const interval = ([low, high]: readonly [number, number]) => `[${formatAccuracy(low)}, ${formatAccuracy(high)}]`;

/**
 * A markdown table whose numeric columns follow the display rule of their names (`columnRule`,
 * or `rules` where the name does not say it), one notation a column; text cells as they are,
 * flags as yes/no, missing values as "—".
 *
 * @example
 * ```ts
 * formattedTable([{ loss: "CE", test_acc: 81.8666, nc1: 0.003 }, { loss: "LS", test_acc: 82.5, nc1: 0.00087 }], ["loss", "test_acc", "nc1"]);
 * // "| loss | test_acc | nc1 |\n| --- | --- | --- |\n| CE | 81.87 | 3.0e-3 |\n| LS | 82.50 | 8.7e-4 |"
 * ```
 */
export function formattedTable(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
  rules: Record<string, ColumnRule> = {},
): string {
  const texts = new Map(columns.map((c) => {
    const values = rows.map((r) => r[c]);
    const numbers = formatColumn(values.map((v) => (typeof v === "number" ? v : null)), rules[c] ?? columnRule(c));
    return [
      c,
      values.map((v, i) =>
        typeof v === "number"
          ? numbers[i]
          : typeof v === "boolean"
          ? yesNo(v)
          : v === null || v === undefined
          ? "—"
          : String(v)
      ),
    ];
  }));
  return markdownTable(
    rows.map((_, i) => Object.fromEntries(columns.map((c) => [c, texts.get(c)![i]]))),
    columns,
    String,
  );
}

/**
 * "mean ± sd" cells of one column: accuracies (points) with two decimals, anything else with two
 * significant digits in one notation for the column (means and sds together).
 *
 * @example
 * ```ts
 * meanSdColumn([0.00241, 7.99e-4], [6.2e-4, 1.3e-4], "metric"); // ["2.4e-3 ± 6.2e-4", "8.0e-4 ± 1.3e-4"]
 * meanSdColumn([81.8623, 82.5], [0.4601, NaN], "accuracy"); // ["81.86 ± 0.46", "82.50 ± —"]
 * ```
 */
export function meanSdColumn(
  means: readonly number[],
  sds: readonly number[],
  rule: "accuracy" | "metric",
): string[] {
  const texts = rule === "accuracy"
    ? [...means, ...sds].map((v) => formatAccuracy(v))
    : formatMetricColumn([...means, ...sds]);
  return means.map((_, i) => `${texts[i]} ± ${texts[means.length + i]}`);
}

/**
 * Why the test accuracy at the best-validation epoch can sit above the last epoch's, in words,
 * with the number of validation evaluations it was chosen among.
 *
 * @example
 * ```ts
 * bestValNote("1,400").startsWith("The two test accuracies are of different networks"); // true
 * ```
 */
export function bestValNote(evaluations: string): string {
  return `The two test accuracies are of different networks. The best-validation epoch is the one of ${evaluations} validation evaluations (one an epoch) with the highest validation accuracy; validation and test accuracy rise and fall together, so the best of many noisy evaluations is biased upward and its test accuracy tends to sit above that of the last epoch, which is fixed in advance. Neither is the other's error.\n`;
}

/** A width × budget matrix of one loss's cells as a markdown table (budgets down, largest first). */
export function cellMatrix<C extends { loss: string; width: number; epochs: number }>(
  cells: readonly C[],
  loss: string,
  text: (c: C) => string,
): string {
  const own = cells.filter((c) => c.loss === loss);
  const widths = [...new Set(own.map((c) => c.width))].sort((a, b) => a - b);
  const epochs = [...new Set(own.map((c) => c.epochs))].sort((a, b) => b - a);
  const columns = widths.map((w) => `width_${w}`);
  const rows = epochs.map((e) => ({
    epochs: e,
    ...Object.fromEntries(widths.map((w, i) => {
      const c = own.find((x) => x.width === w && x.epochs === e);
      return [columns[i], c ? text(c) : "—"];
    })),
  }));
  return markdownTable(rows, ["epochs", ...columns], String);
}
