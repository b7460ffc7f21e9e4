/**
 * The reproduction's report: every key number behind the figures, computed once from the stored
 * runs and the UFM studies, and rendered twice — `figures/SUMMARY.md` ({@link summaryMarkdown} in
 * `summary_markdown.ts`) and `figures/summary.json` ({@link summaryJson} in `summary_json.ts`).
 * Numbers are kept at full precision here; each rendering rounds them for its readers.
 * Accuracies are in percent; losses are keyed by name (ce, ls, fl, mse) in the project's order.
 *
 * @module
 */
import { byLossOrder } from "../core/loss_registry.ts";
import type { LossName } from "../core/losses.ts";
import type { FigureName } from "../experiments/figure_presets.ts";
import type { PresetName } from "../experiments/presets.ts";
import type { UfmStudies } from "../experiments/ufm_studies.ts";
import type { RunRecord } from "../training/run.ts";
import { type AccuracyReport, accuracyReport } from "./accuracy_report.ts";
import { collapseReached, type CollapseTargets, type GapTrendAxis, gapTrends } from "./claims.ts";
import {
  accuracyGaps,
  hyperparameterTable,
  layerCollapseTable,
  layerMetricsFrame,
  lossVariance,
  nc1Drop,
  signedAccuracyGaps,
  summaryFrame,
} from "./run_frames.ts";
import { type UfmNumbers, ufmNumbers } from "./ufm_report.ts";

/** The last evaluation of one loss's NC-dynamics run (its first seed). */
export interface DynamicsNumbers {
  seed: number;
  epochs: number;
  nc1_first: number;
  nc1_last: number;
  nc2_last: number;
  nc3_last: number;
  nc4_last: number;
  train_accuracy_last: number;
  test_accuracy_best_val: number;
  /**
   * Every hidden layer's NC1 at the first and last evaluation and the NC2 of its class means at the
   * last (runs with layer metrics); `nc2_last` above is the classifier's NC2, which a hidden layer has not.
   */
  layers?: { layer: string; nc1_first: number; nc1_last: number; nc2_means_last: number }[];
}

/** One NC-dynamics run at its last evaluation, against the collapse targets. */
export interface CollapseNumbers {
  loss: LossName;
  seed: number;
  epoch: number;
  train_accuracy: number;
  test_accuracy_best_val: number;
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

/** One heat-map cell: the signed gap CE − X over seeds. */
export interface GapCell {
  loss: string;
  width: number;
  epochs: number;
  gap_mean: number;
  gap_sd: number;
  seeds: number;
  /** |gap_mean| ≤ gap_sd. */
  within_noise: boolean;
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

/** One heat-map cell of a loss X: |mean Acc_CE − mean Acc_X| and both means over seeds. */
export interface AccuracyGapNumbers {
  loss: string;
  width: number;
  epochs: number;
  gap: number;
  mean: number;
  ce_mean: number;
}

/** The report. */
export interface Report {
  preset: PresetName;
  backend: string;
  /** Seconds of the `reproduce` that wrote this (short when the runs were already stored). */
  wall_seconds: number;
  /** Training and evaluation seconds of every run behind the figures, as recorded by the runs. */
  training_seconds: number;
  /** The UFM studies, when they were run. */
  ufm: UfmNumbers | null;
  nc_dynamics: Record<string, DynamicsNumbers>;
  /** Every NC-dynamics run against the targets, in loss order, then seed. */
  collapse: { targets: CollapseTargets & { train_accuracy: number }; runs: CollapseNumbers[] };
  /** Every hidden layer of the NC-dynamics runs with layer metrics. */
  layers: LayerNumbers[];
  heatmaps: {
    seeds: number;
    widths: number[];
    epochs: number[];
    cells: GapCell[];
    claim: Record<string, GapClaim>;
    accuracy: AccuracyGapNumbers[];
    /** Population variance of test accuracy over every loss and seed of a cell (%²). */
    variance: { width: number; epochs: number; variance: number; runs: number }[];
  };
  accuracy_table: AccuracyReport["accuracy_table"];
  /** One-way ANOVA of the table's accuracies by loss (null with one seed per loss). */
  accuracy_spread: AccuracyReport["accuracy_spread"];
  /** Paired comparisons at the accuracy table's setting (null with one seed per loss). */
  accuracy_comparisons: AccuracyReport["accuracy_comparisons"];
  hyperparameters: {
    loss: string;
    parameter: number;
    nc1_last_mean: number;
    nc1_last_sd: number;
    nc2_last_mean: number;
    nc3_last_mean: number;
    test_accuracy_mean: number;
    test_accuracy_sd: number;
    seeds: number;
  }[];
}

/** What the report needs besides the runs. */
export interface ReportOptions {
  /** The UFM studies of notebooks 01 and 02 ({@link ufmStudies}); left out of the report when absent. */
  ufm?: UfmStudies;
  /** The backend the runs were trained on (default "unknown"). */
  backend?: string;
  /** Seconds of the reproduction (default 0). */
  wallSeconds?: number;
  /**
   * Random arrangements of the gap-trend permutation tests where there are too many to enumerate
   * (default {@link gapTrends}'s).
   */
  permutations?: number;
}

const orNaN = (v: unknown) => (typeof v === "number" ? v : NaN);

function dynamics(records: readonly RunRecord[]): Record<string, DynamicsNumbers> {
  const out: Record<string, DynamicsNumbers> = {};
  const ordered = [...records].sort((a, b) =>
    byLossOrder(a.config.loss.name, b.config.loss.name) || a.config.seed - b.config.seed
  );
  for (const r of ordered) {
    const name = r.config.loss.name;
    if (out[name] || r.rows.length === 0) continue; // the first seed of each loss
    const first = r.rows[0], last = r.rows.at(-1)!;
    out[name] = {
      seed: r.config.seed,
      epochs: last.epoch,
      nc1_first: first.nc1,
      nc1_last: last.nc1,
      nc2_last: last.nc2,
      nc3_last: last.nc3,
      nc4_last: last.nc4,
      train_accuracy_last: 100 * last.trainAccuracy,
      test_accuracy_best_val: 100 * (r.status.summary?.bestValTestAccuracy ?? NaN),
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
  return out;
}

const COLLAPSE_TARGETS: CollapseTargets = { nc1Drop: 100, nc2: 0.2, nc3: 0.2 };

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

function heatmaps(records: readonly RunRecord[], permutations?: number): Report["heatmaps"] {
  const summary = summaryFrame(records);
  if (summary.height === 0) {
    return { seeds: 0, widths: [], epochs: [], cells: [], claim: {}, accuracy: [], variance: [] };
  }
  const cells: GapCell[] = signedAccuracyGaps(summary).toRecords().map((r) => ({
    loss: r.loss as string,
    width: r.width as number,
    epochs: r.epochs as number,
    gap_mean: r.gap as number,
    gap_sd: orNaN(r.gap_sd),
    seeds: r.seeds as number,
    within_noise: r.within_noise as boolean,
  })); // in loss order, then width and epochs, as signedAccuracyGaps sorts them
  const claim: Record<string, GapClaim> = {};
  for (const t of gapTrends(summary, { permutations })) {
    claim[t.loss] = {
      seeds: t.seeds,
      cells: t.cells,
      width: gapAxis(t.width),
      epochs: gapAxis(t.epochs),
      holds: t.holds,
    };
  }
  const uniqueSorted = (column: string) =>
    [...new Set(summary.getColumn(column).toArray() as number[])].sort((a, b) => a - b);
  return {
    seeds: cells.length ? Math.min(...cells.map((c) => c.seeds)) : 0,
    widths: uniqueSorted("width"),
    epochs: uniqueSorted("epochs"),
    cells,
    claim,
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

function hyperparameters(records: readonly RunRecord[]): Report["hyperparameters"] {
  const summary = summaryFrame(records);
  if (summary.height === 0) return [];
  return hyperparameterTable(summary).toRecords().map((r) => ({
    loss: r.loss as string,
    parameter: r.loss_param as number,
    nc1_last_mean: r.nc1_mean as number,
    nc1_last_sd: orNaN(r.nc1_sd),
    nc2_last_mean: r.nc2_mean as number,
    nc3_last_mean: r.nc3_mean as number,
    test_accuracy_mean: r.test_accuracy_mean as number,
    test_accuracy_sd: orNaN(r.test_accuracy_sd),
    seeds: r.seeds as number,
  }));
}

/**
 * The report of a preset, from the stored runs of each figure's grid (a figure without runs gives
 * empty entries) and, when given, the UFM studies.
 *
 * @example
 * ```ts ignore (reads the run store)
 * const runs = Object.fromEntries(FIGURE_NAMES.map((f) => [f, storedRuns(figureGrid(f, "cpu"), runsDir())]));
 * const report = reproductionReport("cpu", runs, { ufm: ufmStudies(UFM_PRESETS.cpu), backend: "native" });
 * writeFileSync("figures/SUMMARY.md", summaryMarkdown(report));
 * writeFileSync("figures/summary.json", summaryJson(report));
 * ```
 */
export function reproductionReport(
  preset: PresetName,
  runs: Partial<Record<FigureName, RunRecord[]>>,
  options: ReportOptions = {},
): Report {
  const all = new Map<string, RunRecord>();
  for (const list of Object.values(runs)) for (const r of list ?? []) all.set(r.id, r);
  const trainingSeconds = [...all.values()].reduce((a, r) => a + (r.rows.at(-1)?.wallSeconds ?? 0), 0);
  const ncDynamics = runs.nc_dynamics ?? [];
  return {
    preset,
    backend: options.backend ?? "unknown",
    wall_seconds: Math.round(options.wallSeconds ?? 0),
    training_seconds: Math.round(trainingSeconds),
    ufm: options.ufm ? ufmNumbers(options.ufm) : null,
    nc_dynamics: dynamics(ncDynamics),
    collapse: { targets: { train_accuracy: 100, ...COLLAPSE_TARGETS }, runs: collapse(ncDynamics) },
    layers: layers(ncDynamics),
    heatmaps: heatmaps(runs.heatmaps ?? [], options.permutations),
    ...accuracyReport(runs.accuracy_table ?? []),
    hyperparameters: hyperparameters(runs.hyperparameters ?? []),
  };
}
