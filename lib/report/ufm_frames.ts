/**
 * polars DataFrames of results, for tables in notebooks and aggregation across runs.
 *
 * @module
 */
import pl from "nodejs-polars";
import type { UfmResult } from "../core/ufm.ts";
import { type LandscapeRun, reachedOptimum } from "../experiments/ufm_studies.ts";
import { LOSS } from "../core/loss_registry.ts";

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
 * Landscape runs aggregated per (loss, d, start): runs, how many reached the predicted optimum
 * (`reachedOptimum`), worst gap and worst NC metrics.
 *
 * @example
 * ```ts
 * landscapeSummaryFrame(landscapeStudy(UFM_PRESETS.smoke));
 * ```
 */
export function landscapeSummaryFrame(runs: readonly LandscapeRun[]): pl.DataFrame {
  const frame = pl.DataFrame(runs.map((r) => ({
    loss: LOSS[r.loss].label,
    d: r.d,
    start: r.start,
    gap: r.gap,
    reached: reachedOptimum(r) ? 1 : 0,
    nc_max: Math.max(r.nc1, r.nc2, r.nc3),
    iterations: r.iterations,
  })));
  return frame
    .groupBy(["loss", "d", "start"])
    .agg(
      pl.col("reached").count().alias("runs"),
      pl.col("reached").sum().alias("reached_optimum"),
      pl.col("gap").min().alias("min_gap"),
      pl.col("gap").max().alias("max_gap"),
      pl.col("nc_max").max().alias("max_nc123"),
      pl.col("iterations").median().alias("median_iterations"),
    )
    .sort(["loss", "d", "start"]);
}
