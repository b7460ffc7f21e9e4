/**
 * The runs of a summary frame as per-seed values, paired by seed between losses: seed s of two
 * losses shares initial weights and data order, so comparisons are made seed by seed
 * ({@link gapTrends}, {@link equivalenceToCe}, {@link pairwiseDifferences}).
 *
 * @module
 */
import type pl from "nodejs-polars";
import { byLossOrder } from "../core/loss_registry.ts";

/** One seed's value of a column in one run of the summary frame. */
export interface SeedValue {
  loss: string;
  width: number;
  epochs: number;
  seed: number;
  value: number;
}

/**
 * The loss, width, epochs, seed and `column` of every row of a summary frame; an error naming the
 * frame's columns when `column` is not one of them.
 *
 * @example
 * ```ts
 * const frame = pl.DataFrame({ loss: ["ce"], width: [64], epochs: [10], seed: [0], test_accuracy: [81.5] });
 * seedValues(frame, "test_accuracy"); // [{ loss: "ce", width: 64, epochs: 10, seed: 0, value: 81.5 }]
 * ```
 */
export function seedValues(summary: pl.DataFrame, column: string): SeedValue[] {
  if (!summary.columns.includes(column)) {
    throw new RangeError(`no column "${column}" in the summary frame (columns: ${summary.columns.join(", ")})`);
  }
  return (summary.select("loss", "width", "epochs", "seed", column).toRecords() as Record<string, unknown>[]).map((
    r,
  ) => ({
    loss: r.loss as string,
    width: r.width as number,
    epochs: r.epochs as number,
    seed: r.seed as number,
    value: r[column] as number,
  }));
}

/**
 * The losses of the rows, in the project's order.
 *
 * @example
 * ```ts
 * lossesOf([{ loss: "mse" }, { loss: "ce" }, { loss: "mse" }]); // ["ce", "mse"]
 * ```
 */
export const lossesOf = (rows: readonly { loss: string }[]) => [...new Set(rows.map((r) => r.loss))].sort(byLossOrder);

/**
 * value_a,s − value_b,s for the seeds s both losses have, in seed order.
 *
 * @example
 * ```ts
 * const at = (loss: string, seed: number, value: number) => ({ loss, width: 8, epochs: 4, seed, value });
 * const rows = [at("ce", 1, 80), at("ce", 0, 82), at("fl", 0, 81), at("fl", 1, 80.5), at("fl", 2, 79)];
 * paired(rows, "ce", "fl"); // { seeds: [0, 1], differences: [1, -0.5] }
 * ```
 */
export function paired(rows: readonly SeedValue[], a: string, b: string): { seeds: number[]; differences: number[] } {
  const other = new Map(rows.filter((r) => r.loss === b).map((r) => [r.seed, r.value]));
  const mine = rows.filter((r) => r.loss === a && other.has(r.seed)).sort((x, y) => x.seed - y.seed);
  return { seeds: mine.map((r) => r.seed), differences: mine.map((r) => r.value - other.get(r.seed)!) };
}

/** A (width, epochs) cell of the grid. */
export interface GridCell {
  width: number;
  epochs: number;
}

/**
 * The rows of `cell`, by default those of the largest width and, among them, the longest budget
 * (where the paper claims the losses agree); an error when no row is there.
 *
 * @example
 * ```ts
 * const at = (width: number, epochs: number) => ({ loss: "ce", width, epochs, seed: 0, value: 80 });
 * atCell([at(8, 40), at(32, 10), at(32, 20)]).cell; // { width: 32, epochs: 20 }
 * ```
 */
export function atCell(rows: readonly SeedValue[], cell?: GridCell): { rows: SeedValue[]; cell: GridCell } {
  const width = cell?.width ?? Math.max(...rows.map((r) => r.width));
  const epochs = cell?.epochs ?? Math.max(...rows.filter((r) => r.width === width).map((r) => r.epochs));
  const chosen = rows.filter((r) => r.width === width && r.epochs === epochs);
  if (chosen.length === 0) throw new RangeError(`no runs at width ${width} and ${epochs} epochs in the summary frame`);
  return { rows: chosen, cell: { width, epochs } };
}
