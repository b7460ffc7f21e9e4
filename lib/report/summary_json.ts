/**
 * `figures/summary.json`: the report as one JSON object, for scripts and for checking a
 * reproduction against another (docs/method.md §9). Its fields are those of {@link Report}.
 *
 * @module
 */
import type { Report } from "./report.ts";

/** Significant digits of the non-integer numbers in `summary.json`. */
export const SUMMARY_JSON_DIGITS = 6;

/**
 * The report as JSON text: non-integer numbers to {@link SUMMARY_JSON_DIGITS} significant digits,
 * non-finite ones (a spread of one seed) as null.
 *
 * @example
 * ```ts
 * JSON.parse(summaryJson(reproductionReport("smoke", {}, { backend: "wasm" }))).backend; // "wasm"
 * ```
 */
export function summaryJson(report: Report): string {
  return JSON.stringify(
    report,
    (_, v) =>
      typeof v !== "number" || Number.isInteger(v)
        ? v
        : Number.isFinite(v)
        ? Number(v.toPrecision(SUMMARY_JSON_DIGITS))
        : null,
    2,
  ) + "\n";
}
