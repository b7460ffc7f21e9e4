/**
 * The NC-dynamics part of the report (notebooks 03 and 07): every seed of every loss at its last
 * evaluation, their mean ± sd over seeds, each run against the collapse targets, every hidden
 * layer's collapse, and the short excursions of training at a constant learning rate. Accuracies
 * are in percent.
 *
 * @module
 */
import pl from "nodejs-polars";
import { byLossOrder } from "../core/loss_registry.ts";
import type { LossName } from "../core/losses.ts";
import { mean, sampleSd } from "../core/statistics.ts";
import type { RunRecord } from "../training/run.ts";
import { collapseReached, type CollapseTargets } from "./claims.ts";
import { layerCollapseTable, layerMetricsFrame, nc1Drop } from "./run_frames.ts";

/** The values of one NC-dynamics run at its last evaluation (and its best-validation epoch). */
export interface DynamicsValues {
  nc1_first: number;
  nc1_last: number;
  /** NC1 at the first evaluation over NC1 at the last. */
  nc1_drop: number;
  nc2_last: number;
  nc3_last: number;
  nc4_last: number;
  train_accuracy_last: number;
  /** Test accuracy at the best-validation epoch (the paper's protocol). */
  test_accuracy_best_val: number;
  /** Test accuracy at the last epoch: the network at collapse. */
  test_accuracy_last: number;
  best_val_epoch: number;
}

/** One seed of one loss's NC-dynamics run. */
export interface DynamicsNumbers extends DynamicsValues {
  seed: number;
  epochs: number;
  /**
   * Every hidden layer's NC1 at the first and last evaluation and the NC2 of its class means at the
   * last (runs with layer metrics); `nc2_last` above is the classifier's NC2, which a hidden layer has not.
   */
  layers?: { layer: string; nc1_first: number; nc1_last: number; nc2_means_last: number }[];
}

/** One loss's NC-dynamics runs: every seed, and the mean and sample sd over seeds of each value. */
export interface DynamicsSummary {
  seeds: number[];
  per_seed: DynamicsNumbers[];
  mean: DynamicsValues;
  /** Sample standard deviation over seeds (0 with one seed). */
  sd: DynamicsValues;
}

/** One NC-dynamics run at its last evaluation, against the collapse targets. */
export interface CollapseNumbers {
  loss: LossName;
  seed: number;
  epoch: number;
  train_accuracy: number;
  test_accuracy_best_val: number;
  test_accuracy_last: number;
  nc1: number;
  nc2: number;
  nc3: number;
  nc4: number;
  /** NC1 at the first evaluation over NC1 at the last. */
  nc1_drop: number;
  targets_met: boolean;
}

/** One hidden layer of one NC-dynamics run: NC1 at the first and last evaluation (notebook 07). */
export interface LayerNumbers {
  loss: LossName;
  seed: number;
  layer: string;
  nc1_first: number;
  nc1_last: number;
  nc1_drop: number;
  nc2_means_last: number;
}

/** The targets of "collapsed": 100 % training accuracy, NC1 ≥ 100× down, NC2 and NC3 below 0.2. */
export const COLLAPSE_TARGETS: CollapseTargets = { nc1Drop: 100, nc2: 0.2, nc3: 0.2 };

/** The NC-dynamics section of the report. */
export interface DynamicsReport {
  nc_dynamics: Record<string, DynamicsSummary>;
  /** Every NC-dynamics run against the targets, in loss order, then seed. */
  collapse: { targets: CollapseTargets & { train_accuracy: number }; runs: CollapseNumbers[] };
  /** Every hidden layer of the NC-dynamics runs with layer metrics. */
  layers: LayerNumbers[];
  /** The same per loss and layer over seeds: NC1 by geometric means (it spans decades), NC2 by the mean. */
  layer_means: LayerMeanNumbers[];
}

/** One hidden layer of one loss over its seeds (notebook 07's table). */
export interface LayerMeanNumbers {
  loss: LossName;
  layer: string;
  seeds: number;
  /** Geometric means over seeds. */
  nc1_first: number;
  nc1_last: number;
  nc1_drop: number;
  /** Mean over seeds. */
  nc2_means_last: number;
}

const VALUE_KEYS = [
  "nc1_first",
  "nc1_last",
  "nc1_drop",
  "nc2_last",
  "nc3_last",
  "nc4_last",
  "train_accuracy_last",
  "test_accuracy_best_val",
  "test_accuracy_last",
  "best_val_epoch",
] as const;

const byLossThenSeed = (a: RunRecord, b: RunRecord) =>
  byLossOrder(a.config.loss.name, b.config.loss.name) || a.config.seed - b.config.seed;

function runNumbers(r: RunRecord): DynamicsNumbers {
  const first = r.rows[0], last = r.rows.at(-1)!;
  return {
    seed: r.config.seed,
    epochs: last.epoch,
    nc1_first: first.nc1,
    nc1_last: last.nc1,
    nc1_drop: nc1Drop(r),
    nc2_last: last.nc2,
    nc3_last: last.nc3,
    nc4_last: last.nc4,
    train_accuracy_last: 100 * last.trainAccuracy,
    test_accuracy_best_val: 100 * (r.status.summary?.bestValTestAccuracy ?? NaN),
    test_accuracy_last: 100 * last.testAccuracy,
    best_val_epoch: r.status.summary?.bestValEpoch ?? NaN,
    ...(last.layers && first.layers
      ? {
        layers: last.layers.map((l, i) => ({
          layer: l.layer,
          nc1_first: first.layers![i].nc1,
          nc1_last: l.nc1,
          nc2_means_last: l.nc2Means,
        })),
      }
      : {}),
  };
}

function dynamics(records: readonly RunRecord[]): Record<string, DynamicsSummary> {
  const out: Record<string, DynamicsSummary> = {};
  for (const r of [...records].filter((r) => r.rows.length > 0).sort(byLossThenSeed)) {
    const name = r.config.loss.name;
    out[name] ??= { seeds: [], per_seed: [], mean: {} as DynamicsValues, sd: {} as DynamicsValues };
    out[name].seeds.push(r.config.seed);
    out[name].per_seed.push(runNumbers(r));
  }
  for (const summary of Object.values(out)) {
    for (const key of VALUE_KEYS) {
      const values = summary.per_seed.map((s) => s[key]);
      summary.mean[key] = mean(values);
      summary.sd[key] = sampleSd(values);
    }
  }
  return out;
}

function collapse(records: readonly RunRecord[]): CollapseNumbers[] {
  const byRun = new Map(records.map((r) => [`${r.config.loss.name}|${r.config.seed}`, r]));
  return collapseReached(records, COLLAPSE_TARGETS).toRecords().map((c) => {
    const r = byRun.get(`${c.loss}|${c.seed}`)!, last = r.rows.at(-1)!;
    return {
      loss: r.config.loss.name,
      seed: r.config.seed,
      epoch: last.epoch,
      train_accuracy: 100 * last.trainAccuracy,
      test_accuracy_best_val: 100 * (r.status.summary?.bestValTestAccuracy ?? NaN),
      test_accuracy_last: 100 * last.testAccuracy,
      nc1: last.nc1,
      nc2: last.nc2,
      nc3: last.nc3,
      nc4: last.nc4,
      nc1_drop: nc1Drop(r),
      targets_met: c.all as boolean,
    };
  });
}

function layers(records: readonly RunRecord[]): LayerNumbers[] {
  const frame = layerMetricsFrame(records);
  if (frame.height === 0) return [];
  return layerCollapseTable(frame).toRecords().map((r) => ({
    loss: r.loss as LossName,
    seed: r.seed as number,
    layer: r.layer as string,
    nc1_first: r.nc1_first as number,
    nc1_last: r.nc1_last as number,
    nc1_drop: r.nc1_drop as number,
    nc2_means_last: r.nc2_means_last as number,
  }));
}

function layerMeans(rows: readonly LayerNumbers[]): LayerMeanNumbers[] {
  const groups = new Map<string, LayerNumbers[]>();
  for (const r of rows) groups.set(`${r.loss}|${r.layer}`, [...(groups.get(`${r.loss}|${r.layer}`) ?? []), r]);
  const geometric = (values: number[]) => Math.exp(mean(values.map(Math.log)));
  return [...groups.values()].map((g) => ({
    loss: g[0].loss,
    layer: g[0].layer,
    seeds: g.length,
    nc1_first: geometric(g.map((r) => r.nc1_first)),
    nc1_last: geometric(g.map((r) => r.nc1_last)),
    nc1_drop: geometric(g.map((r) => r.nc1_drop)),
    nc2_means_last: mean(g.map((r) => r.nc2_means_last)),
  }));
}

/**
 * The NC-dynamics section of the report from the runs of the `nc_dynamics` figure.
 *
 * @example
 * ```ts
 * dynamicsReport([]).layers; // []
 * ```
 */
export function dynamicsReport(records: readonly RunRecord[]): DynamicsReport {
  const perLayer = layers(records);
  return {
    nc_dynamics: dynamics(records),
    collapse: { targets: { train_accuracy: 100, ...COLLAPSE_TARGETS }, runs: collapse(records) },
    layers: perLayer,
    layer_means: layerMeans(perLayer),
  };
}

/**
 * Where training left the fitted state for a while: every evaluation after a run's training
 * accuracy first reached 100 % at which it is below 100 % again, with the learning rate then, NC1
 * there and at the evaluation before. At a constant learning rate such an excursion lifts NC1 for a
 * few epochs; a sparse evaluation schedule that lands on one shows it as a jump.
 *
 * @example
 * ```ts ignore (reads the run store)
 * trainingExcursions(await sweep(figureGrid("nc_dynamics", "cpu")));
 * ```
 */
export function trainingExcursions(records: readonly RunRecord[]): pl.DataFrame {
  const rows = [...records].sort(byLossThenSeed).flatMap((r) => {
    const fitted = r.rows.findIndex((row) => row.trainAccuracy === 1);
    if (fitted < 0) return [];
    return r.rows.slice(fitted + 1).flatMap((row, i) =>
      row.trainAccuracy < 1
        ? [{
          loss: r.config.loss.name,
          seed: r.config.seed,
          epoch: row.epoch,
          lr: row.lr,
          train_accuracy: 100 * row.trainAccuracy,
          nc1: row.nc1,
          nc1_before: r.rows[fitted + i].nc1,
        }]
        : []
    );
  });
  return pl.DataFrame(rows.length ? rows : [], {
    schema: rows.length ? undefined : {
      loss: pl.Utf8,
      seed: pl.Int64,
      epoch: pl.Int64,
      lr: pl.Float64,
      train_accuracy: pl.Float64,
      nc1: pl.Float64,
      nc1_before: pl.Float64,
    },
  });
}
