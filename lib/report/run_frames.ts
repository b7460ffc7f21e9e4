/**
 * polars frames of training runs, and the paper's aggregates over them.
 *
 * - {@link metricsFrame}: every run's configuration columns joined to every row of its
 *   `metrics.jsonl` (one row per run and evaluation);
 * - {@link summaryFrame}: one row per finished run with its best-validation test accuracy (the
 *   quantity of the paper's heat-maps and table, docs/method.md §7);
 * - per-cell aggregates: the mean over seeds and the accuracy table (mean ± standard deviation);
 *   the heat-maps' cells are `heatmap_frames.ts`'s.
 *
 * Accuracies are in percent in these frames, as in the paper's figures.
 *
 * @module
 */
import pl from "nodejs-polars";
import type { RunRecord } from "../training/run.ts";
import type { MetricsRow } from "../training/train.ts";
import { LOSS, LOSS_NAMES, lossParameter } from "../core/loss_registry.ts";

function configColumns(record: RunRecord) {
  const c = record.config;
  return {
    run: record.id,
    dataset: c.dataset,
    model: c.model,
    width: c.width,
    epochs: c.epochs,
    seed: c.seed,
    loss: c.loss.name,
    loss_label: LOSS[c.loss.name].label,
    /** Position in the project's loss order (CE, LS, FL, MSE), for sorting tables. */
    loss_order: LOSS_NAMES.indexOf(c.loss.name),
    loss_param: lossParameter(c.loss),
    status: record.status.state,
  };
}

/**
 * The frame with a `loss_order` column (CE, LS, FL, MSE = 0…3), added from `loss` when missing.
 *
 * @example
 * ```ts
 * withLossOrder(pl.DataFrame({ loss: ["mse", "ce"] })).getColumn("loss_order").toArray(); // [3, 0]
 * ```
 */
export function withLossOrder(frame: pl.DataFrame): pl.DataFrame {
  if (frame.columns.includes("loss_order")) return frame;
  const order = pl.DataFrame({ loss: [...LOSS_NAMES], loss_order: LOSS_NAMES.map((_, i) => i) });
  return frame.join(order, { on: "loss", how: "left" });
}

const PERCENT = ["trainAccuracy", "valAccuracy", "testAccuracy", "trainStepAccuracy"] as const;

/** Metrics that runs recorded before they existed lack: null in their rows. */
const LATER_METRICS = ["gnc2Log", "gnc2Distance", "unc3"] as const;

/**
 * One row of {@link metricsFrame}: a run's configuration columns and one evaluation's metrics
 * (accuracies in percent; `nccMismatch` null where the run did not measure it, `nc5` where it had
 * no out-of-distribution data, the GNC2 and UNC3 variants where the run was recorded without them).
 */
export type MetricRow =
  & ReturnType<typeof configColumns>
  & Omit<MetricsRow, "layers" | "nccMismatch" | "nc5" | typeof LATER_METRICS[number]>
  & { nccMismatch: number | null; nc5: number | null }
  & { [key in typeof LATER_METRICS[number]]: number | null };

/**
 * The rows of {@link metricsFrame} as typed records, for plots that take rows.
 *
 * @example
 * ```ts ignore (reads the local run store, empty in a fresh clone)
 * metricCurvesPlot(metricRows(readRuns("runs")));
 * ```
 */
export function metricRows(records: readonly RunRecord[]): MetricRow[] {
  return records.flatMap((r) =>
    r.rows.map(({ layers: _layers, ...row }) => {
      const out: MetricRow = {
        ...configColumns(r),
        ...row,
        nccMismatch: row.nccMismatch ?? null,
        nc5: row.nc5 ?? null,
      };
      for (const key of LATER_METRICS) out[key] = row[key] ?? null;
      for (const key of PERCENT) out[key] = 100 * row[key];
      return out;
    })
  );
}

/**
 * One row per run and evaluation: configuration columns, then every metric of `metrics.jsonl`
 * (accuracies in percent) but the hidden layers' (those are {@link layerMetricsFrame}'s).
 *
 * @example
 * ```ts ignore (reads the local run store, empty in a fresh clone)
 * metricsFrame(readRuns("runs")).filter(pl.col("loss").eq(pl.lit("ce")));
 * ```
 */
export function metricsFrame(records: readonly RunRecord[]): pl.DataFrame {
  return pl.DataFrame(metricRows(records));
}

/**
 * One row per run, evaluation and hidden layer of the runs trained with `layerMetrics`: the
 * configuration columns, the epoch, the layer's name, depth (1 = nearest the input) and feature
 * dimension, and its NC1, NC2 of the class means and CDNV.
 *
 * @example
 * ```ts ignore (reads the run store)
 * layerMetricsFrame(await sweep(figureGrid("nc_dynamics", "cpu"))).filter(pl.col("depth").eq(1));
 * ```
 */
export function layerMetricsFrame(records: readonly RunRecord[]): pl.DataFrame {
  const rows = records.flatMap((r) =>
    r.rows.flatMap((row) =>
      (row.layers ?? []).map(({ layer, dim, nc1, nc2Means, cdnv }, i) => ({
        ...configColumns(r),
        epoch: row.epoch,
        layer,
        depth: i + 1,
        dim,
        nc1,
        nc2Means,
        cdnv,
      }))
    )
  );
  return pl.DataFrame(rows);
}

/**
 * One row per finished run: configuration columns, the best-validation epoch and its test
 * accuracy, and the final epoch's metrics (accuracies in percent).
 *
 * @example
 * ```ts ignore (trains the cpu heat-map grid, 144 runs, when the run store does not hold it)
 * summaryFrame(await sweep(figureGrid("heatmaps", "cpu")));
 * ```
 */
export function summaryFrame(records: readonly RunRecord[]): pl.DataFrame {
  const rows = records.filter((r) => r.status.state === "done" && r.status.summary).map((r) => {
    const s = r.status.summary!;
    return {
      ...configColumns(r),
      best_val_epoch: s.bestValEpoch,
      best_val_accuracy: 100 * s.bestValAccuracy,
      test_accuracy: 100 * s.bestValTestAccuracy,
      final_test_accuracy: 100 * s.final.testAccuracy,
      final_train_accuracy: 100 * s.final.trainAccuracy,
      nc1: s.final.nc1,
      nc1_drop: r.rows.length > 0 ? nc1Drop(r) : NaN,
      nc2: s.final.nc2,
      nc3: s.final.nc3,
      nc4: s.final.nc4,
      wall_seconds: s.wallSeconds,
    };
  });
  return pl.DataFrame(rows);
}

/**
 * How much NC1 fell over a run: its first evaluation's NC1 over its last's.
 *
 * @example
 * ```ts
 * nc1Drop({ rows: [{ nc1: 2 }, { nc1: 0.5 }] }); // 4
 * ```
 */
export function nc1Drop(record: { rows: readonly { nc1: number }[] }): number {
  return record.rows[0].nc1 / record.rows[record.rows.length - 1].nc1;
}

/**
 * One row per run: its loss, first and last evaluated epochs, NC1 at both, how much NC1 fell
 * ({@link nc1Drop}), and the last train and test accuracies (percent).
 *
 * @example
 * ```ts ignore (reads the run store)
 * ncDynamicsFrame(await sweep(figureGrid("nc_dynamics", "cpu")));
 * ```
 */
export function ncDynamicsFrame(records: readonly RunRecord[]): pl.DataFrame {
  return pl.DataFrame(records.map((r) => {
    const first = r.rows[0], last = r.rows.at(-1)!;
    return {
      loss: r.config.loss.name,
      firstEpoch: first.epoch,
      lastEpoch: last.epoch,
      nc1First: first.nc1,
      nc1Last: last.nc1,
      nc1Drop: nc1Drop(r),
      trainAccuracyLast: 100 * last.trainAccuracy,
      testAccuracyLast: 100 * last.testAccuracy,
    };
  }));
}

/** One row of {@link meanOverSeeds}: a column's mean and sample sd over the seeds of a cell (null for one seed). */
export interface SeedMeanRow {
  loss: string;
  loss_label: string;
  width: number;
  epochs: number;
  mean: number;
  sd: number | null;
  seeds: number;
}

/** One row of {@link accuracyTable}: a loss's test accuracy over seeds, with a printable `accuracy`. */
export interface AccuracyTableRow extends SeedMeanRow {
  dataset: string;
  model: string;
  accuracy: string;
}

/**
 * Mean and (sample) standard deviation over seeds of a column, per (loss, width, epochs).
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * meanOverSeeds(summary, "test_accuracy"); // columns loss, loss_label, width, epochs, mean, sd, seeds
 * ```
 */
export function meanOverSeeds(summary: pl.DataFrame, column = "test_accuracy"): pl.DataFrame {
  return withLossOrder(summary)
    .groupBy(["loss_order", "loss", "loss_label", "width", "epochs"])
    .agg(pl.col(column).mean().alias("mean"), pl.col(column).std().alias("sd"), pl.col(column).count().alias("seeds"))
    .sort(["loss_order", "width", "epochs"]);
}

/**
 * Test accuracy of each loss as mean ± sample standard deviation over seeds, per dataset, with a
 * printable `accuracy` column such as "88.41 ± 0.12"; `column` picks the best-validation epoch's
 * (`test_accuracy`, default) or the last epoch's (`final_test_accuracy`).
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * accuracyTable(summary.filter(pl.col("width").eq(256)));
 * ```
 */
export function accuracyTable(summary: pl.DataFrame, column = "test_accuracy"): pl.DataFrame {
  const table = withLossOrder(summary)
    .groupBy(["dataset", "model", "width", "epochs", "loss_order", "loss", "loss_label"])
    .agg(
      pl.col(column).mean().alias("mean"),
      pl.col(column).std().alias("sd"),
      pl.col(column).count().alias("seeds"),
    )
    .sort(["dataset", "loss_order"]);
  const labels = table.toRecords().map((r) =>
    `${(r.mean as number).toFixed(2)} ± ${((r.sd as number | null) ?? 0).toFixed(2)}`
  );
  return table.withColumns(pl.Series("accuracy", labels));
}

/**
 * Per loss and hyper-parameter value: the number of seeds, and the mean and sample standard
 * deviation over seeds of the best-validation test accuracy and of the last NC1, NC2 and NC3
 * (notebook 06).
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * hyperparameterTable(summaryFrame(runs));
 * ```
 */
export function hyperparameterTable(summary: pl.DataFrame): pl.DataFrame {
  const stats = (c: string) => [pl.col(c).mean().alias(`${c}_mean`), pl.col(c).std().alias(`${c}_sd`)];
  return withLossOrder(summary)
    .groupBy(["loss_order", "loss", "loss_label", "loss_param"])
    .agg(
      pl.col("seed").count().alias("seeds"),
      ...stats("test_accuracy"),
      ...stats("nc1"),
      ...stats("nc2"),
      ...stats("nc3"),
    )
    .sort(["loss_order", "loss_param"]);
}

/**
 * Per loss and hidden layer of runs trained with layer metrics: NC1 at the first and last
 * evaluation, how far it fell, and the last NC2 of the class means (notebook 07).
 *
 * @example
 * ```ts ignore (reads the run store)
 * layerCollapseTable(layerMetricsFrame(runs));
 * ```
 */
export function layerCollapseTable(layers: pl.DataFrame): pl.DataFrame {
  return withLossOrder(layers)
    .sort(["loss_order", "depth", "seed", "epoch"])
    .groupBy(["loss_order", "loss", "loss_label", "seed", "depth", "layer"])
    .agg(
      pl.col("epoch").last().alias("last_epoch"),
      pl.col("nc1").first().alias("nc1_first"),
      pl.col("nc1").last().alias("nc1_last"),
      pl.col("nc2Means").last().alias("nc2_means_last"),
    )
    .withColumns(pl.col("nc1_first").div(pl.col("nc1_last")).alias("nc1_drop"))
    .sort(["loss_order", "seed", "depth"]);
}
