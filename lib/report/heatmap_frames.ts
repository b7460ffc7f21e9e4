/**
 * The heat-maps' cells (notebook 04) as polars frames, from the summary frame of the runs
 * (`summaryFrame`): the gap between CE and each other loss (absolute, and signed over paired seeds),
 * how far each loss collapsed, the variance over all losses and seeds, and the cells as a figure
 * takes them. Accuracies in percent.
 *
 * @module
 */
import pl from "nodejs-polars";
import { meanOverSeeds, withLossOrder } from "./run_frames.ts";

/** A heat-map cell: width × epochs, a value, and optionally its spread over seeds. */
export interface HeatmapCell {
  readonly width: number;
  readonly epochs: number;
  readonly value: number;
  /** Standard deviation over seeds, printed under the value as ±sd. */
  readonly spread?: number | null;
  /** Outlined in the figure (for example: equivalent to CE within the margin). */
  readonly marked?: boolean;
}

/**
 * Heat-map cells (width, epochs, value) from a frame's `width`, `epochs` and `column` columns, with
 * the `spread` column (a standard deviation over seeds) when named.
 *
 * @example
 * ```ts
 * heatmapCells(pl.DataFrame({ width: [32], epochs: [10], gap: [1.5] }), "gap"); // [{ width: 32, epochs: 10, value: 1.5 }]
 * ```
 */
export function heatmapCells(frame: pl.DataFrame, column: string, spread?: string): HeatmapCell[] {
  return frame.toRecords().map((r) => ({
    width: r.width as number,
    epochs: r.epochs as number,
    value: r[column] as number,
    ...(spread === undefined ? {} : { spread: r[spread] as number | null }),
  }));
}

/**
 * |mean_s Acc_CE − mean_s Acc_X| per (width, epochs) for every other loss X (the paper's
 * `heatmap-{mse,fl,ls}-test` cells, in percentage points).
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * accuracyGaps(summary).filter(pl.col("loss").eq(pl.lit("mse")));
 * ```
 */
export function accuracyGaps(summary: pl.DataFrame): pl.DataFrame {
  const means = meanOverSeeds(summary);
  const ce = means.filter(pl.col("loss").eq(pl.lit("ce"))).select("width", "epochs", pl.col("mean").alias("ce_mean"));
  return means
    .filter(pl.col("loss").neq(pl.lit("ce")))
    .join(ce, { on: ["width", "epochs"] })
    .withColumns(pl.col("mean").minus(pl.col("ce_mean")).abs().alias("gap"))
    .sort(["loss_order", "width", "epochs"])
    .select("loss", "loss_label", "width", "epochs", "gap", "mean", "ce_mean");
}

/**
 * Signed gap CE − X of test accuracy per (width, epochs) for every other loss X, paired by seed:
 * `gap` is the mean over seeds of Acc_CE,s − Acc_X,s (positive: CE is better) and `gap_sd` the
 * sample standard deviation of those per-seed differences. `column` picks the accuracy: the
 * best-validation epoch's (`test_accuracy`, default) or the last epoch's (`final_test_accuracy`).
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * signedAccuracyGaps(summary, "final_test_accuracy").filter(pl.col("loss").eq(pl.lit("mse")));
 * ```
 */
export function signedAccuracyGaps(frame: pl.DataFrame, column = "test_accuracy"): pl.DataFrame {
  const summary = withLossOrder(frame);
  const ce = summary.filter(pl.col("loss").eq(pl.lit("ce")))
    .select("width", "epochs", "seed", pl.col(column).alias("ce_accuracy"));
  return summary
    .filter(pl.col("loss").neq(pl.lit("ce")))
    .join(ce, { on: ["width", "epochs", "seed"] })
    .withColumns(pl.col("ce_accuracy").minus(pl.col(column)).alias("difference"))
    .groupBy(["loss_order", "loss", "loss_label", "width", "epochs"])
    .agg(
      pl.col("difference").mean().alias("gap"),
      pl.col("difference").std().alias("gap_sd"),
      pl.col("difference").count().alias("seeds"),
    )
    .sort(["loss_order", "width", "epochs"]);
}

/**
 * How far each heat-map cell's runs collapsed, per loss: at the last epoch, the training accuracy
 * (mean and lowest seed, percent), NC1 (geometric mean and range over seeds: it spans decades) and
 * how far NC1 fell since the first evaluation (geometric mean of the per-seed drops).
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * collapseCells(summary).filter(pl.col("loss").eq(pl.lit("fl")));
 * ```
 */
export function collapseCells(summary: pl.DataFrame): pl.DataFrame {
  const logMean = (column: string) => pl.col(column).log().mean().exp();
  return withLossOrder(summary)
    .groupBy(["loss_order", "loss", "loss_label", "width", "epochs"])
    .agg(
      pl.col("final_train_accuracy").mean().alias("train_accuracy"),
      pl.col("final_train_accuracy").min().alias("train_accuracy_min"),
      logMean("nc1").alias("nc1"),
      pl.col("nc1").min().alias("nc1_min"),
      pl.col("nc1").max().alias("nc1_max"),
      logMean("nc1_drop").alias("nc1_drop"),
      pl.col("nc1").count().alias("seeds"),
    )
    .sort(["loss_order", "width", "epochs"]);
}

/**
 * Population variance (ddof = 0, as numpy's default) of the test accuracy over every loss and
 * seed of each (width, epochs) cell (the paper's `variance.png`).
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * lossVariance(summary); // columns width, epochs, variance, runs
 * ```
 */
export function lossVariance(summary: pl.DataFrame): pl.DataFrame {
  return summary
    .groupBy(["width", "epochs"])
    .agg(pl.col("test_accuracy").var().alias("sample_variance"), pl.col("test_accuracy").count().alias("runs"))
    .withColumns(pl.col("sample_variance").mul(pl.col("runs").minus(1)).div(pl.col("runs")).alias("variance"))
    .select("width", "epochs", "variance", "runs")
    .sort(["width", "epochs"]);
}
