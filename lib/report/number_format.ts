/**
 * The project's rules for numbers shown to people, one place for each: notebooks, the command line
 * and `SUMMARY.md` format through these (frames, records and `summary.json` keep full precision).
 *
 * @module
 */

/** Significant digits shown by default. */
export const DISPLAY_DIGITS = 4;

/**
 * A number as text with `digits` significant digits: integers as they are, very small or very
 * large magnitudes in exponent form (the rule of notebook displays and the command line).
 *
 * @example
 * ```ts
 * formatNumber(82.41000000000001); // "82.41"
 * formatNumber(0.000012345); // "1.234e-5"
 * formatNumber(96); // "96"
 * ```
 */
export function formatNumber(x: number, digits = DISPLAY_DIGITS): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const magnitude = Math.abs(x);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) {
    return x.toExponential(digits - 1).replace(/\.?0+e/, "e").replace("e+", "e");
  }
  return String(Number(x.toPrecision(digits)));
}

/**
 * A measured quantity with six significant digits and no trailing zeros, magnitudes outside
 * [1e-3, 1e5) with three significant digits in exponent form, 0 as "0", a missing or non-finite
 * value as "—" (the rule of `SUMMARY.md`'s UFM tables, whose values agree with theory to many
 * digits, and of the command line's metrics).
 *
 * @example
 * ```ts
 * formatPrecise(35.71810004); // "35.7181"
 * formatPrecise(-1.1234e-14); // "-1.12e-14"
 * formatPrecise(65); // "65"
 * ```
 */
export function formatPrecise(v: number | null | undefined): string {
  if (typeof v !== "number" || !Number.isFinite(v)) return "—";
  if (v === 0) return "0";
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5
    ? v.toPrecision(6).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "")
    : v.toExponential(2);
}

/** Where a number is shown: figures carry fewer digits than tables. */
export type DisplayMedium = "figure" | "table";

/**
 * The display rule of accuracies (percent): one decimal in figures, two in tables; a missing or
 * non-finite value as "—".
 *
 * @example
 * ```ts
 * formatAccuracy(81.8666); // "81.87"
 * formatAccuracy(81.8666, "figure"); // "81.9"
 * ```
 */
export function formatAccuracy(v: number | null | undefined, medium: DisplayMedium = "table"): string {
  if (typeof v !== "number" || !Number.isFinite(v)) return "—";
  return v.toFixed(medium === "figure" ? 1 : 2);
}

/** Significant digits of NC metrics (NC1–NC4 and their variants) wherever they are shown. */
export const METRIC_DIGITS = 2;

/**
 * The display rule of NC metrics, one column at a time: two significant digits, and one notation
 * for the whole column — exponent form for every value when any non-zero magnitude is below 1e-3 or
 * at least 1e4, plain decimals otherwise; a missing or non-finite value as "—".
 *
 * @example
 * ```ts
 * formatMetricColumn([0.0024, 0.038, 0.19]); // ["0.0024", "0.038", "0.19"]
 * formatMetricColumn([0.00087, 0.0031]); // ["8.7e-4", "3.1e-3"]
 * formatMetricColumn([548.2, 1580]); // ["550", "1600"]
 * ```
 */
export function formatMetricColumn(values: readonly (number | null | undefined)[], digits = METRIC_DIGITS): string[] {
  const finite = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v) && v !== 0);
  const exponent = finite.some((v) => Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4);
  return values.map((v) => {
    if (typeof v !== "number" || !Number.isFinite(v)) return "—";
    if (v === 0) return "0";
    if (exponent) return v.toExponential(digits - 1).replace("e+", "e");
    const text = v.toPrecision(digits);
    return /e/.test(text) ? String(Number(text)) : text;
  });
}

/**
 * One NC metric value by the rule of {@link formatMetricColumn} (a column of one).
 *
 * @example
 * ```ts
 * formatMetric(0.0656); // "0.066"
 * formatMetric(8.70e-4); // "8.7e-4"
 * ```
 */
export function formatMetric(v: number | null | undefined, digits = METRIC_DIGITS): string {
  return formatMetricColumn([v], digits)[0];
}

/**
 * The display rule of p-values: two significant digits, and "< 0.001" below 0.001 (a p-value that
 * small says only that the data are far from the null); 1 as "1"; a missing or non-finite value as "—".
 *
 * @example
 * ```ts
 * formatPValue(0.021634); // "0.022"
 * formatPValue(0.6790); // "0.68"
 * formatPValue(0.00004); // "< 0.001"
 * ```
 */
export function formatPValue(p: number | null | undefined): string {
  if (typeof p !== "number" || !Number.isFinite(p)) return "—";
  if (p < 1e-3) return "< 0.001";
  const text = p.toPrecision(2);
  return Number(text) >= 1 ? "1" : text;
}

/**
 * How a column of a table is shown, by what it holds:
 *
 * - `accuracy`: accuracies and differences of accuracies in percent (points), with
 *   {@link formatAccuracy}: two decimals in tables, one in figures;
 * - `metric`: NC metrics and every other measured value, two significant digits with one notation
 *   for the column ({@link formatMetricColumn});
 * - `p`: p-values ({@link formatPValue});
 * - `precise`: UFM values compared with a closed form that they match to many digits
 *   ({@link formatPrecise}: six significant digits);
 * - `exact`: settings (a width, a weight decay, a loss parameter) as given.
 *
 * A column whose values are all integers (counts, widths, epochs) is printed exactly under
 * `metric` and `exact`.
 */
export type ColumnRule = "accuracy" | "metric" | "p" | "precise" | "exact";

/** Column names → rule, the first match wins (names are snake_case). */
const COLUMN_RULES: readonly (readonly [RegExp, ColumnRule])[] = [
  [/(^|_)p($|_)/, "p"],
  [/(^|_)nc\d|(^|_)nc($|_)|nc123/, "metric"],
  [/rel_error|relative_error|objective_gap|(^|_)(min|max)_gap$/, "metric"],
  [/optimised|predicted|theory|^objective|w_norm_sq/, "precise"],
  [/loss_param|lambda|^lr$|learning_rate|weight_decay|^alpha$|^gamma$|^d$|^k$|^n$/, "exact"],
  [
    /acc|accuracy|best_val|last_epoch|(^|_)means?$|gap|difference|ce_minus|margin|(^|_)interval($|_low$|_high$)|slope|(^|_)sd($|_)|^range|spread/,
    "accuracy",
  ],
];

/**
 * The rule a column follows by its name (see {@link ColumnRule}); `metric` when no name matches.
 *
 * @example
 * ```ts
 * columnRule("test_acc_last"); // "accuracy"
 * columnRule("nc1_sd"); // "metric"
 * columnRule("p_holm"); // "p"
 * columnRule("w_norm_sq_predicted"); // "precise"
 * columnRule("rho_width"); // "metric"
 * ```
 */
export function columnRule(name: string): ColumnRule {
  const lower = name.toLowerCase();
  return COLUMN_RULES.find(([pattern]) => pattern.test(lower))?.[1] ?? "metric";
}

/**
 * A column of numbers as text by its rule ({@link ColumnRule}) for a table or a figure.
 *
 * @example
 * ```ts
 * formatColumn([81.8666, 82.5], "accuracy"); // ["81.87", "82.50"]
 * formatColumn([0.003, 8.7e-4], "metric"); // ["3.0e-3", "8.7e-4"]
 * formatColumn([16, 64, 256], "metric"); // ["16", "64", "256"]
 * formatColumn([0.05, 0.1], "exact"); // ["0.05", "0.1"]
 * ```
 */
export function formatColumn(
  values: readonly (number | null | undefined)[],
  rule: ColumnRule,
  medium: DisplayMedium = "table",
): string[] {
  const finite = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const integers = finite.length > 0 && finite.every((v) => Number.isInteger(v) && Math.abs(v) < 1e15);
  if (rule === "accuracy") return values.map((v) => formatAccuracy(v, medium));
  if (rule === "p") return values.map(formatPValue);
  if (rule === "precise") return values.map(formatPrecise);
  if (integers) return values.map((v) => (typeof v === "number" && Number.isFinite(v) ? String(v) : "—"));
  if (rule === "exact") {
    return values.map((v) => (typeof v === "number" && Number.isFinite(v) ? formatNumber(v, 6) : "—"));
  }
  return formatMetricColumn(values);
}

/**
 * An upper bound as prose states it: one significant digit, rounded up, so that the stated bound
 * holds ("NC1 ≤ 2e-16" for a largest value of 1.4e-16); exponent form outside [1e-3, 1e4).
 *
 * @example
 * ```ts
 * formatBound(1.40245e-16); // "2e-16"
 * formatBound(0.0031); // "0.004"
 * formatBound(0); // "0"
 * ```
 */
export function formatBound(x: number): string {
  if (!(x > 0)) return "0";
  const exponent = Math.floor(Math.log10(x));
  const mantissa = Math.ceil(Number((x / 10 ** exponent).toPrecision(12)));
  const value = mantissa === 10 ? 10 ** (exponent + 1) : mantissa * 10 ** exponent;
  return value >= 1e-3 && value < 1e4
    ? String(Number(value.toPrecision(1)))
    : value.toExponential(0).replace("e+", "e");
}

/**
 * A markdown table: a header, then one row per record, each cell through `format`.
 *
 * @example
 * ```ts
 * markdownTable([{ loss: "CE", acc: 81.87 }], ["loss", "acc"], String); // "| loss | acc |\n| --- | --- |\n| CE | 81.87 |"
 * ```
 */
export function markdownTable(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
  format: (value: unknown) => string,
): string {
  const head = `| ${columns.join(" | ")} |\n| ${columns.map(() => "---").join(" | ")} |`;
  return [head, ...rows.map((r) => `| ${columns.map((c) => format(r[c])).join(" | ")} |`)].join("\n");
}
