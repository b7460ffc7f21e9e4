/**
 * Numbers as a notebook shows them, by the project's display rule (`report/number_format.ts`):
 * accuracies with two decimals, NC metrics and other measured values with two significant digits
 * and one notation a column, p-values by their own rule, UFM values compared with a closed form at
 * six digits. The frames and records keep full precision. Displays carry plain text and HTML only
 * (no terminal colour codes), through the Deno kernel's display protocol
 * (`Symbol.for("Jupyter.display")`).
 *
 * @module
 */
import pl from "nodejs-polars";
import { LOSS } from "../core/loss_registry.ts";
import type { LossName } from "../core/losses.ts";
import { snakeCase } from "../report/export_frames.ts";
import { type ColumnRule, columnRule, formatColumn } from "../report/number_format.ts";

const DISPLAY = Symbol.for("Jupyter.display");

/** Display tables show at most this many rows; the rest is in the frame, its CSV or export. */
export const DISPLAY_ROWS = 20;

/** Columns whose values are loss names, shown as their labels (CE, LS, FL, MSE). */
const LOSS_COLUMNS = new Set(["loss", "other"]);

/** A camelCase name in snake_case; other names (K, F, nc1) as they are. */
const snakeName = (name: string) => (/[a-z0-9][A-Z]/.test(name) ? snakeCase(name) : name);

const lossLabel = (v: unknown) => (typeof v === "string" && v in LOSS ? LOSS[v as LossName].label : v);

function formatValue(key: string, value: unknown, rule?: ColumnRule): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return formatColumn([value], rule ?? columnRule(key))[0];
  if (Array.isArray(value)) return value.map((v) => formatValue(key, v, rule)).join(", ");
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
 * Key numbers as a small two-column table (plain text and HTML): each value by the display rule
 * of its key's name (as a table column of that name), names in snake_case.
 *
 * @example
 * ```ts
 * const shown = keyNumbers({ runs: 96, maxNc1: 0.15386355468, p: 0.04321 });
 * shown[Symbol.for("Jupyter.display")]()["text/plain"]; // "runs     96\nmax_nc1  0.15\np        0.043"
 * ```
 */
export function keyNumbers(
  values: Record<string, unknown>,
  options: { rules?: Record<string, ColumnRule> } = {},
): Displayable {
  const rows = Object.entries(values).map(([key, value]) => {
    const name = snakeName(key);
    return [name, formatValue(name, value, options.rules?.[name])] as const;
  });
  const width = Math.max(0, ...rows.map(([key]) => key.length));
  const text = rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join("\n");
  const html = `<table>${
    rows.map(([key, value]) =>
      `<tr><th style="text-align:left">${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`
    )
      .join("")
  }</table>`;
  return { [DISPLAY]: () => ({ "text/plain": text, "text/html": html }) };
}

/** Options of {@link roundedFrame}. */
export interface RoundedFrameOptions {
  /** A rule for a column where its name does not say it (see `columnRule`), by snake_case name. */
  rules?: Record<string, ColumnRule>;
  /** The most rows shown (default {@link DISPLAY_ROWS}); a longer frame is cut, with a note. */
  maxRows?: number;
  /** Where the whole table is (shown under a cut table), for example "figures/heatmap_gaps.csv". */
  fullTable?: string;
}

/**
 * A copy of a frame for display, every column by the display rule of its name (`columnRule`:
 * accuracies with two decimals, NC metrics and other values with two significant digits and one
 * notation a column, p-values by their rule, UFM optimised and predicted values at six digits,
 * counts as integers, flags as yes/no), column names in snake_case, loss names in the columns
 * `loss` and `other` as their labels (a `loss_label` column then becomes `loss`). A frame longer
 * than `maxRows` is cut to its first rows, and its display says how many there are and where the
 * whole table is (`fullTable`). The frame given keeps full precision.
 *
 * @example
 * ```ts
 * const shown = roundedFrame(pl.DataFrame({ loss: ["ce"], testAccuracy: [82.41000000000001], nc1: [0.000871] }));
 * shown.columns; // ["loss", "test_accuracy", "nc1"]
 * shown.row(0); // ["CE", "82.41", "8.7e-4"]
 * ```
 */
export function roundedFrame(frame: pl.DataFrame, options: RoundedFrameOptions = {}): pl.DataFrame {
  const maxRows = options.maxRows ?? DISPLAY_ROWS;
  const names = frame.columns;
  const hasLoss = names.includes("loss");
  const columns = frame.getColumns().flatMap((column) => {
    let name = snakeName(column.name);
    if (name === "loss_label") {
      if (hasLoss) return [];
      name = "loss";
    }
    const values = column.toArray() as unknown[];
    const dtype = String(column.dtype);
    if (LOSS_COLUMNS.has(name)) return [pl.Series(name, values.map((v) => String(lossLabel(v) ?? "—")))];
    if (/Bool/.test(dtype)) return [pl.Series(name, values.map((v) => (v === null ? "—" : v ? "yes" : "no")))];
    if (/Float|Int|UInt/.test(dtype)) {
      const rule = options.rules?.[name] ?? columnRule(name);
      return [pl.Series(name, formatColumn(values as (number | null)[], rule))];
    }
    return [pl.Series(name, values.map((v) => (v === null || v === undefined ? "—" : String(v))))];
  });
  const shown = pl.DataFrame(columns);
  if (shown.height <= maxRows) return shown;
  const cut = shown.head(maxRows);
  const note = `First ${maxRows} of ${shown.height} rows${
    options.fullTable ? `; all rows: ${options.fullTable}` : ""
  }.`;
  const display = (cut as unknown as Displayable)[DISPLAY].bind(cut);
  Object.defineProperty(cut, DISPLAY, {
    value: () => {
      const bundle = display();
      return {
        "text/html": `${bundle["text/html"]}<p><em>${escapeHtml(note)}</em></p>`,
        "text/plain": `${String(cut)}\n${note}`,
      };
    },
  });
  return cut;
}

/**
 * Markdown the notebook computes (findings written from the stored results, so their numbers cannot
 * drift from the tables above them), shown as formatted text.
 *
 * @example
 * ```ts
 * const shown = markdown(`NC1 fell **${formatMetric(325.321)}×**.`);
 * shown[Symbol.for("Jupyter.display")]()["text/markdown"]; // "NC1 fell **330×**."
 * ```
 */
export function markdown(text: string): Displayable {
  return { [DISPLAY]: () => ({ "text/markdown": text, "text/plain": text }) };
}
