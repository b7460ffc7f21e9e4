/**
 * The data behind a figure, kept with the figure so that exporting it writes `<name>.csv` beside
 * `<name>.svg`: a reader can re-plot any figure from the CSV alone. Each figure function attaches
 * the tidy rows it drew (one row a mark: the values on the axes, the grouping keys, and the
 * interval ends where it draws intervals); {@link exportFigure} writes them.
 *
 * @module
 */
import type { SvgFigure } from "./svg.ts";

/** One row of a figure's data: column name → value (numbers, strings, booleans, or empty). */
export type FigureDataRow = Readonly<Record<string, number | string | boolean | null | undefined>>;

const DATA = new WeakMap<object, readonly FigureDataRow[]>();

/**
 * Attaches the rows a figure draws to it and returns the figure.
 *
 * @example
 * ```ts
 * const svg = withFigureData(plotSvg({ width: 200, height: 100, marks: [Plot.dot([{ x: 1, y: 2 }], { x: "x", y: "y" })] }), [{ x: 1, y: 2 }]);
 * figureData(svg); // [{ x: 1, y: 2 }]
 * ```
 */
export function withFigureData<F extends SvgFigure>(figure: F, rows: readonly FigureDataRow[]): F {
  DATA.set(figure, rows);
  return figure;
}

/** The rows attached to a figure by {@link withFigureData}, or `undefined`. */
export function figureData(figure: SvgFigure): readonly FigureDataRow[] | undefined {
  return DATA.get(figure);
}

function csvField(value: FigureDataRow[string]): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Rows as CSV (RFC 4180): the columns in order of first appearance, numbers at full precision,
 * missing and non-finite values empty.
 *
 * @example
 * ```ts
 * figureDataCsv([{ loss: "CE", accuracy: 81.5 }, { loss: "LS", accuracy: 82, note: "a, b" }]);
 * // "loss,accuracy,note\nCE,81.5,\nLS,82,\"a, b\"\n"
 * ```
 */
export function figureDataCsv(rows: readonly FigureDataRow[]): string {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) if (!seen.has(key)) (seen.add(key), columns.push(key));
  }
  const lines = [columns.map((c) => csvField(c)).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c])).join(","));
  return lines.join("\n") + "\n";
}
