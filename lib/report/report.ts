/**
 * The reproduction's report: every key number behind the figures, computed once from the stored
 * runs and the UFM studies, and rendered twice — `figures/SUMMARY.md` ({@link summaryMarkdown} in
 * `summary_markdown.ts`) and `figures/summary.json` ({@link summaryJson} in `summary_json.ts`).
 * Numbers are kept at full precision here; each rendering rounds them for its readers.
 * Accuracies are in percent; losses are keyed by name (ce, ls, fl, mse) in the project's order.
 * Each figure's section is built in its own module: `dynamics_report.ts` (notebooks 03, 07),
 * `heatmap_report.ts` (04), `accuracy_report.ts` (05).
 *
 * @module
 */
import type { FigureName } from "../experiments/figure_presets.ts";
import type { PresetName } from "../experiments/presets.ts";
import type { UfmStudies } from "../experiments/ufm_studies.ts";
import type { RunRecord } from "../training/run.ts";
import { type AccuracyReport, accuracyReport } from "./accuracy_report.ts";
import { type DynamicsReport, dynamicsReport } from "./dynamics_report.ts";
import { type HeatmapReport, heatmapReport } from "./heatmap_report.ts";
import { hyperparameterTable, summaryFrame } from "./run_frames.ts";
import { type UfmNumbers, ufmNumbers } from "./ufm_report.ts";

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
  /** Per loss: every seed at its last evaluation, and the mean ± sd over seeds. */
  nc_dynamics: DynamicsReport["nc_dynamics"];
  /** Every NC-dynamics run against the targets, in loss order, then seed. */
  collapse: DynamicsReport["collapse"];
  /** Every hidden layer of the NC-dynamics runs with layer metrics. */
  layers: DynamicsReport["layers"];
  /** The same per loss and layer over seeds. */
  layer_means: DynamicsReport["layer_means"];
  heatmaps: HeatmapReport;
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
  return {
    preset,
    backend: options.backend ?? "unknown",
    wall_seconds: Math.round(options.wallSeconds ?? 0),
    training_seconds: Math.round(trainingSeconds),
    ufm: options.ufm ? ufmNumbers(options.ufm) : null,
    ...dynamicsReport(runs.nc_dynamics ?? []),
    heatmaps: heatmapReport(runs.heatmaps ?? [], options.permutations),
    ...accuracyReport(runs.accuracy_table ?? []),
    hyperparameters: hyperparameters(runs.hyperparameters ?? []),
  };
}
