/**
 * Numbers as a notebook shows them: rounded to a few significant digits for display
 * ({@link formatNumber}), while the frames and records keep full precision. Displays carry plain text and HTML only (no terminal
 * colour codes), through the Deno kernel's display protocol (`Symbol.for("Jupyter.display")`).
 *
 * @module
 */
import pl from "nodejs-polars";
import { DISPLAY_DIGITS, formatNumber } from "../report/number_format.ts";

function formatValue(value: unknown, digits: number): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") return formatNumber(value, digits);
  if (Array.isArray(value)) return value.map((v) => formatValue(v, digits)).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** A value the Deno kernel displays with the given MIME bundle. */
export interface Displayable {
  [key: symbol]: () => Record<string, string>;
}

/**
 * Key numbers as a small two-column table (plain text and HTML), numbers rounded for display.
 *
 * @example
 * ```ts
 * const shown = keyNumbers({ runs: 96, nc1: 0.15386355468 });
 * shown[Symbol.for("Jupyter.display")]()["text/plain"]; // "runs  96\nnc1   0.1539"
 * ```
 */
export function keyNumbers(values: Record<string, unknown>, options: { digits?: number } = {}): Displayable {
  const digits = options.digits ?? DISPLAY_DIGITS;
  const rows = Object.entries(values).map(([key, value]) => [key, formatValue(value, digits)] as const);
  const width = Math.max(0, ...rows.map(([key]) => key.length));
  const text = rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join("\n");
  const html = `<table>${
    rows.map(([key, value]) =>
      `<tr><th style="text-align:left">${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`
    )
      .join("")
  }</table>`;
  return { [Symbol.for("Jupyter.display")]: () => ({ "text/plain": text, "text/html": html }) };
}

/**
 * A copy of a frame for display: every float column as text with `digits` significant digits
 * (the frame itself keeps full precision).
 *
 * @example
 * ```ts
 * roundedFrame(pl.DataFrame({ loss: ["ce"], accuracy: [82.41000000000001] })).getColumn("accuracy").toArray(); // ["82.41"]
 * ```
 */
export function roundedFrame(frame: pl.DataFrame, options: { digits?: number } = {}): pl.DataFrame {
  const digits = options.digits ?? DISPLAY_DIGITS;
  const columns = frame.getColumns().map((column) => {
    const dtype = String(column.dtype);
    if (!/Float/.test(dtype)) return column;
    return pl.Series(column.name, (column.toArray() as (number | null)[]).map((v) => formatValue(v, digits)));
  });
  return pl.DataFrame(columns);
}

/**
 * Markdown the notebook computes (findings written from the stored results, so their numbers cannot
 * drift from the tables above them), shown as formatted text.
 *
 * @example
 * ```ts
 * const shown = markdown(`NC1 fell **${formatNumber(325.321, 3)}×**.`);
 * shown[Symbol.for("Jupyter.display")]()["text/markdown"]; // "NC1 fell **325×**."
 * ```
 */
export function markdown(text: string): Displayable {
  return { [Symbol.for("Jupyter.display")]: () => ({ "text/markdown": text, "text/plain": text }) };
}
