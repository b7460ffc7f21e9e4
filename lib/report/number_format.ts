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
 * A table cell with a fixed number of decimals: integers as they are, magnitudes below 1e-3 with
 * three significant digits in exponent form, a missing or non-finite value as "—" (the rule of
 * `SUMMARY.md`'s tables of trained runs).
 *
 * @example
 * ```ts
 * formatDecimals(81.87, 3); // "81.870"
 * formatDecimals(0.00087, 3); // "8.70e-4"
 * formatDecimals(1400, 3); // "1400"
 * ```
 */
export function formatDecimals(v: number | null | undefined, decimals: number): string {
  if (typeof v !== "number" || !Number.isFinite(v)) return "—";
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 ? v.toFixed(decimals) : v.toExponential(2);
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
