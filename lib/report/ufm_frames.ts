/**
 * polars DataFrames of results, for tables in notebooks and aggregation across runs.
 *
 * @module
 */
import pl from "nodejs-polars";
import type { UfmResult } from "../core/ufm.ts";
import { type LandscapeRun, reachedOptimum } from "../experiments/ufm_studies.ts";
import { LOSS, LOSS_NAMES } from "../core/loss_registry.ts";

/**
 * One row per UFM result: optimised against predicted objective and ‖w_k‖², NC1–NC4, iterations.
 *
 * @example
 * ```ts
 * ufmResultsFrame(globalMinimizerStudy(UFM_PRESETS.smoke));
 * ```
 */
export function ufmResultsFrame(results: readonly UfmResult[]): pl.DataFrame {
  return pl.DataFrame(results.map((r) => ({
    loss: LOSS[r.config.loss.name].label,
    objective: r.objective,
    objective_theory: r.theory.objective,
    w_norm_sq: r.wNormSq,
    w_norm_sq_theory: r.theory.wNormSq,
    w_rel_error: r.wNormSq / r.theory.wNormSq - 1,
    nc1: r.metrics.nc1,
    nc2: r.metrics.nc2,
    nc3: r.metrics.nc3,
    nc4: r.metrics.nc4,
    iterations: r.iterations,
  })));
}

/**
 * Optimised against predicted values of each UFM result, one row per loss and quantity (the
 * objective f(W, H, b) and the mean ‖w_k‖²): `optimised`, `predicted` (the closed form,
 * docs/method.md §5) and `relative_error` = optimised / predicted − 1. The table that replaces a
 * plot of four numbers agreeing to many digits.
 *
 * @example
 * ```ts
 * ufmComparisonFrame(globalMinimizerStudy(UFM_PRESETS.smoke)).columns; // ["loss", "quantity", "optimised", "predicted", "relative_error"]
 * ```
 */
export function ufmComparisonFrame(results: readonly UfmResult[]): pl.DataFrame {
  return pl.DataFrame(results.flatMap((r) =>
    (
      [["objective f(W, H, b)", r.objective, r.theory.objective], ["mean ‖w_k‖²", r.wNormSq, r.theory.wNormSq]] as const
    ).map(([quantity, optimised, predicted]) => ({
      loss: LOSS[r.config.loss.name].label,
      quantity,
      optimised,
      predicted,
      relative_error: optimised / predicted - 1,
    }))
  ));
}

/**
 * Landscape runs aggregated per (loss, d, start), in loss order: runs, how many reached the
 * predicted optimum (`reachedOptimum`), worst gap and worst NC metrics.
 *
 * @example
 * ```ts
 * landscapeSummaryFrame(landscapeStudy(UFM_PRESETS.smoke));
 * ```
 */
export function landscapeSummaryFrame(runs: readonly LandscapeRun[]): pl.DataFrame {
  const frame = pl.DataFrame(runs.map((r) => ({
    loss: LOSS[r.loss].label,
    loss_order: LOSS_NAMES.indexOf(r.loss),
    d: r.d,
    start: r.start,
    gap: r.gap,
    reached: reachedOptimum(r) ? 1 : 0,
    nc_max: Math.max(r.nc1, r.nc2, r.nc3),
    iterations: r.iterations,
  })));
  return frame
    .groupBy(["loss_order", "loss", "d", "start"])
    .agg(
      pl.col("reached").count().alias("runs"),
      pl.col("reached").sum().alias("reached_optimum"),
      pl.col("gap").min().alias("min_gap"),
      pl.col("gap").max().alias("max_gap"),
      pl.col("nc_max").max().alias("max_nc123"),
      pl.col("iterations").median().alias("median_iterations"),
    )
    .sort(["loss_order", "d", "start"])
    .drop("loss_order");
}
