/**
 * The pieces every section of `figures/SUMMARY.md` is written with: links to figures, loss labels,
 * number formats, and width × budget matrices.
 *
 * @module
 */
import { LOSS } from "../core/loss_registry.ts";
import type { LossName } from "../core/losses.ts";
import { formatDecimals, formatPrecise, markdownTable } from "./number_format.ts";

/** "Figures: [a.svg](a.svg), …" for the named figures. */
export const figures = (...names: string[]) => `Figures: ${names.map((n) => `[${n}.svg](${n}.svg)`).join(", ")}.\n`;
/** A loss's label (CE, LS, FL, MSE). */
export const label = (loss: string) => LOSS[loss as LossName]?.label ?? loss.toUpperCase();
/** A cell formatter: numbers with `digits` decimals, anything else as text. */
export const decimals = (digits: number) => (v: unknown) =>
  typeof v === "number" ? formatDecimals(v, digits) : String(v ?? "—");
/** A cell formatter: numbers by {@link formatPrecise}. */
export const precise = (v: unknown) => (typeof v === "number" ? formatPrecise(v) : String(v));
/** yes or no. */
export const yesNo = (v: boolean) => (v ? "yes" : "no");
/** "[low, high]" with two decimals. */
export const interval = ([low, high]: readonly [number, number]) =>
  `[${formatDecimals(low, 2)}, ${formatDecimals(high, 2)}]`;

/** A width × budget matrix of one loss's cells as a markdown table (budgets down, largest first). */
export function cellMatrix<C extends { loss: string; width: number; epochs: number }>(
  cells: readonly C[],
  loss: string,
  text: (c: C) => string,
): string {
  const widths = [...new Set(cells.map((c) => c.width))].sort((a, b) => a - b);
  const epochs = [...new Set(cells.map((c) => c.epochs))].sort((a, b) => b - a);
  const columns = widths.map((w) => `width ${w}`);
  const rows = epochs.map((e) => ({
    epochs: e,
    ...Object.fromEntries(widths.map((w, i) => {
      const c = cells.find((x) => x.loss === loss && x.width === w && x.epochs === e);
      return [columns[i], c ? text(c) : "—"];
    })),
  }));
  return markdownTable(rows, ["epochs", ...columns], decimals(2));
}
