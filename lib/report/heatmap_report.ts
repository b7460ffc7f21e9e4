/**
 * The heat-map part of the report (notebook 04): per cell of width × budget, the signed gap CE − X
 * of test accuracy over paired seeds for the best-validation epoch and for the last epoch, each
 * loss's equivalence to CE within the margin, how far the cell's runs collapsed, and the claim
 * that the gap shrinks with width and budget (docs/method.md §9). Accuracies and gaps in percent.
 *
 * @module
 */
import type pl from "nodejs-polars";
import type { RunRecord } from "../training/run.ts";
import { equivalenceToCe } from "./accuracy_comparisons.ts";
import { type GapTrendAxis, gapTrends } from "./claims.ts";
import { accuracyGaps, collapseCells, lossVariance, signedAccuracyGaps } from "./heatmap_frames.ts";
import { summaryFrame } from "./run_frames.ts";

/** The accuracies every comparison is made on: at the best-validation epoch, and at the last. */
export const ACCURACY_COLUMNS = { best_val: "test_accuracy", final_epoch: "final_test_accuracy" } as const;
/** Which accuracy: the best-validation epoch's (the paper's protocol) or the last epoch's (at collapse). */
export type AccuracyKind = keyof typeof ACCURACY_COLUMNS;

/** The equivalence margin of the heat-map cells and the accuracy table (points; docs/method.md §9). */
export const EQUIVALENCE_MARGIN = 0.5;

/** The paired TOST of one cell: is |Acc_CE − Acc_X| within the margin? */
export interface CellEquivalence {
  /** The larger one-sided p of the two one-sided tests. */
  p: number;
  /** The 90 % interval of the mean difference lies within ±margin. */
  equivalent: boolean;
  /** The smallest margin at which it would. */
  smallest_margin: number;
}

/** One heat-map cell of a loss X: the signed gap CE − X over paired seeds, for each accuracy. */
export interface GapCell {
  loss: string;
  width: number;
  epochs: number;
  seeds: number;
  /** Best-validation epoch: mean and sd over seeds of Acc_CE,s − Acc_X,s. */
  gap_mean: number;
  gap_sd: number;
  /** The same at the last epoch. */
  final_gap_mean: number;
  final_gap_sd: number;
  equivalence: Record<AccuracyKind, CellEquivalence>;
}

/** How far one loss's runs of a cell collapsed by their last epoch. */
export interface CollapseCell {
  loss: string;
  width: number;
  epochs: number;
  seeds: number;
  /** Training accuracy at the last epoch, mean over seeds and lowest seed (percent). */
  train_accuracy: number;
  train_accuracy_min: number;
  /** NC1 at the last epoch: geometric mean over seeds and range. */
  nc1: number;
  nc1_min: number;
  nc1_max: number;
  /** NC1 at the first evaluation over NC1 at the last, geometric mean over seeds. */
  nc1_drop: number;
}

/** One axis (width or epochs) of the claim "gaps shrink with width and with epochs" for one loss. */
export interface GapAxisNumbers {
  /** Spearman's ρ of |mean gap| with the axis over the cells. */
  rho: number;
  /** One-sided permutation p of ρ < 0, the axis rearranged within each level of the other axis. */
  p_shrinks: number;
  /** Two-sided permutation p (|ρ*| ≥ |ρ|). */
  p_two_sided: number;
  /** Arrangements counted: every one when `exact`, else that many random ones. */
  permutations: number;
  exact: boolean;
  /** Change of |gap| per doubling of the axis (points): the mean over seeds of per-seed least-squares slopes. */
  slope_per_doubling: number;
  /** 95 % t interval of that mean over seeds. */
  slope_interval: [number, number];
}

/** The claim "gaps shrink with width and with epochs" for one loss. */
export interface GapClaim {
  seeds: number;
  cells: number;
  width: GapAxisNumbers;
  epochs: GapAxisNumbers;
  /** Both one-sided permutation p-values below 0.05. */
  holds: boolean;
}

/** One heat-map cell of a loss X: |mean Acc_CE − mean Acc_X| and both means over seeds (best-validation epoch). */
export interface AccuracyGapNumbers {
  loss: string;
  width: number;
  epochs: number;
  gap: number;
  mean: number;
  ce_mean: number;
}

/** The heat-map section of the report. */
export interface HeatmapReport {
  seeds: number;
  widths: number[];
  epochs: number[];
  /** The equivalence margin of `cells[].equivalence` (points). */
  margin: number;
  cells: GapCell[];
  /** Every loss's collapse per cell (CE included). */
  collapse: CollapseCell[];
  /** The gap trend per loss X, on each accuracy. */
  claim: Record<AccuracyKind, Record<string, GapClaim>>;
  accuracy: AccuracyGapNumbers[];
  /** Population variance of test accuracy over every loss and seed of a cell (%²). */
  variance: { width: number; epochs: number; variance: number; runs: number }[];
}

const orNaN = (v: unknown) => (typeof v === "number" ? v : NaN);

function gapAxis(a: GapTrendAxis): GapAxisNumbers {
  return {
    rho: a.rho,
    p_shrinks: a.test.pDecreasing,
    p_two_sided: a.test.pTwoSided,
    permutations: a.test.permutations,
    exact: a.test.exact,
    slope_per_doubling: a.slope.mean,
    slope_interval: a.slope.interval,
  };
}

function claims(summary: pl.DataFrame, column: string, permutations?: number): Record<string, GapClaim> {
  const out: Record<string, GapClaim> = {};
  for (const t of gapTrends(summary, { column, permutations })) {
    out[t.loss] = {
      seeds: t.seeds,
      cells: t.cells,
      width: gapAxis(t.width),
      epochs: gapAxis(t.epochs),
      holds: t.holds,
    };
  }
  return out;
}

function gapCells(summary: pl.DataFrame): GapCell[] {
  const key = (r: Record<string, unknown>) => `${r.loss}|${r.width}|${r.epochs}`;
  const final = new Map(signedAccuracyGaps(summary, ACCURACY_COLUMNS.final_epoch).toRecords().map((r) => [key(r), r]));
  const equivalences = new Map<string, Record<AccuracyKind, CellEquivalence>>();
  const cellsOf = signedAccuracyGaps(summary).toRecords();
  // Each (width, budget) once: equivalenceToCe tests every loss of a cell.
  const grid = new Map(cellsOf.map((r) => [`${r.width}|${r.epochs}`, r as { width: number; epochs: number }]));
  for (const { width, epochs } of grid.values()) {
    for (const kind of Object.keys(ACCURACY_COLUMNS) as AccuracyKind[]) {
      for (
        const e of equivalenceToCe(summary, {
          column: ACCURACY_COLUMNS[kind],
          cell: { width, epochs },
          margin: EQUIVALENCE_MARGIN,
        })
      ) {
        const k = `${e.loss}|${width}|${epochs}`;
        equivalences.set(
          k,
          {
            ...equivalences.get(k),
            [kind]: { p: e.p, equivalent: e.equivalent, smallest_margin: e.smallestMargin },
          } as Record<AccuracyKind, CellEquivalence>,
        );
      }
    }
  }
  return cellsOf.map((r) => ({
    loss: r.loss as string,
    width: r.width as number,
    epochs: r.epochs as number,
    seeds: r.seeds as number,
    gap_mean: r.gap as number,
    gap_sd: orNaN(r.gap_sd),
    final_gap_mean: orNaN(final.get(key(r))?.gap),
    final_gap_sd: orNaN(final.get(key(r))?.gap_sd),
    equivalence: equivalences.get(key(r))!,
  })); // in loss order, then width and epochs, as signedAccuracyGaps sorts them
}

/**
 * The heat-map section of the report from the runs of the `heatmaps` figure (empty without runs).
 * `permutations`: random arrangements of the trend tests where there are too many to enumerate.
 *
 * @example
 * ```ts
 * heatmapReport([]).cells; // []
 * ```
 */
export function heatmapReport(records: readonly RunRecord[], permutations?: number): HeatmapReport {
  const summary = summaryFrame(records);
  if (summary.height === 0) {
    return {
      seeds: 0,
      widths: [],
      epochs: [],
      margin: EQUIVALENCE_MARGIN,
      cells: [],
      collapse: [],
      claim: { best_val: {}, final_epoch: {} },
      accuracy: [],
      variance: [],
    };
  }
  const cells = gapCells(summary);
  const uniqueSorted = (column: string) =>
    [...new Set(summary.getColumn(column).toArray() as number[])].sort((a, b) => a - b);
  return {
    seeds: cells.length ? Math.min(...cells.map((c) => c.seeds)) : 0,
    widths: uniqueSorted("width"),
    epochs: uniqueSorted("epochs"),
    margin: EQUIVALENCE_MARGIN,
    cells,
    collapse: collapseCells(summary).toRecords().map((r) => ({
      loss: r.loss as string,
      width: r.width as number,
      epochs: r.epochs as number,
      seeds: r.seeds as number,
      train_accuracy: r.train_accuracy as number,
      train_accuracy_min: r.train_accuracy_min as number,
      nc1: r.nc1 as number,
      nc1_min: r.nc1_min as number,
      nc1_max: r.nc1_max as number,
      nc1_drop: r.nc1_drop as number,
    })),
    claim: {
      best_val: claims(summary, ACCURACY_COLUMNS.best_val, permutations),
      final_epoch: claims(summary, ACCURACY_COLUMNS.final_epoch, permutations),
    },
    accuracy: accuracyGaps(summary).toRecords().map((r) => ({
      loss: r.loss as string,
      width: r.width as number,
      epochs: r.epochs as number,
      gap: r.gap as number,
      mean: r.mean as number,
      ce_mean: r.ce_mean as number,
    })),
    variance: lossVariance(summary).toRecords().map((r) => ({
      width: r.width as number,
      epochs: r.epochs as number,
      variance: r.variance as number,
      runs: r.runs as number,
    })),
  };
}
