/**
 * The public surface of the toolkit, for notebooks and user scripts: what a researcher calls to
 * compute NC metrics, solve the UFM, train and sweep runs, aggregate them into frames and the
 * report, and draw and export figures. Grouped by layer, each importing only from those before it:
 *
 * backend → core (losses, NC metrics, statistics, UFM) → store → data and models → training →
 * experiments → report → figures → notebook.
 *
 * Internal helpers (kernels, matrix arithmetic, flag tables, layout arithmetic) are imported by
 * path where needed; the command line (`cli.ts`, `cli/`) sits on top and is not part of this
 * surface. A test keeps a list of these names (`tests/public_surface.test.ts`), so that a change
 * to the surface is deliberate.
 *
 * ```ts ignore (the import line of a notebook)
 * import { figureGrid, ncMetricsOf, runTraining, show, solveUfm, sweep } from "../lib/mod.ts";
 * ```
 *
 * @module
 */

// ── backend: choosing and initialising the TensorFlow.js backend ────────────────────────────────
export {
  activeBackend,
  BACKEND_NAMES,
  type BackendChoice,
  BackendError,
  type BackendName,
  initBackend,
  type InitBackendOptions,
} from "./backend/backend.ts";
export { NativeLibraryError } from "./backend/native_libraries.ts";

// ── core: losses ────────────────────────────────────────────────────────────────────────────────
export {
  defaultLosses,
  LOSS,
  LOSS_NAMES,
  type LossEntry,
  LOSSES,
  type LossParameter,
  lossParameter,
} from "./core/loss_registry.ts";
export {
  batchLoss,
  type CeSpec,
  type FlSpec,
  type LossName,
  type LossSpec,
  LossSpecError,
  type LsSpec,
  type MseSpec,
  parseLossSpec,
  type Reduction,
  sampleLoss,
} from "./core/losses.ts";
export { lossTensor, makeLoss, perSampleLossTensor } from "./core/loss_tensors.ts";

// ── core: NC metrics, their accumulators and the linear algebra behind NC1 ──────────────────────
export {
  type FeatureCollapse,
  featureCollapse,
  type NcMetrics,
  ncMetrics,
  ncMetricsOf,
  ncMetricsOfBatches,
  type NcMetricsOptions,
} from "./core/nc_metrics.ts";
export {
  hypersphericalKernelStats,
  type KernelStats,
  orthogonalityDeviation,
  uniformDuality,
  type UniformityKernel,
} from "./core/nc_generalised.ts";
export {
  type Classifier,
  ClassMeanAccumulator,
  type ClassMeans,
  type FeatureInput,
  FeatureMeanAccumulator,
  type GlobalMean,
  NcInputError,
  type NcStatistics,
  WithinClassAccumulator,
  type WithinClassOptions,
} from "./core/nc_accumulators.ts";
export {
  DEFAULT_RANK_TOLERANCE,
  etfDistance,
  fromRows,
  type Matrix,
  matrix,
  type PseudoInverse,
  pseudoInverseSymmetric,
  type SymmetricEigen,
  symmetricEigen,
} from "./core/linalg.ts";

// ── core: statistics over seeds, seeded randomness ──────────────────────────────────────────────
export {
  type Anova,
  type Equivalence,
  holm,
  mean,
  type MeanInterval,
  oneWayAnova,
  pairedDifferenceInterval,
  pairedEquivalence,
  sampleSd,
  spearman,
} from "./core/statistics.ts";
export {
  type PermutationTest,
  type SeedAveragedSlopes,
  seedAveragedSlopes,
  type SeedObservation,
  stratifiedPermutationTest,
  type TrendCell,
} from "./core/trend_tests.ts";
export { createRng, type Rng } from "./core/random.ts";

// ── core: the unconstrained feature model and its closed forms ──────────────────────────────────
export {
  ncSolution,
  randomUfmInit,
  solveUfm,
  type UfmConfig,
  UfmConfigError,
  type UfmHistoryPoint,
  ufmObjective,
  type UfmResult,
  type UfmVariables,
} from "./core/ufm.ts";
export {
  ceOptimalMargin,
  lsOptimalMargin,
  predictedNc4,
  type UfmProblem,
  type UfmTheory,
  ufmTheory,
} from "./core/ufm_theory.ts";

// ── store: run directories and their locks (knows nothing of training) ──────────────────────────
export { hasRun, isRunFinished, runFiles, type StoredRun } from "./store/run_dir.ts";
export { lockRun, RunLockedError } from "./store/run_lock.ts";
export { CheckpointError } from "./store/checkpoint_file.ts";

// ── data: datasets, splits, batches, NumPy files, CIFAR downloads ───────────────────────────────
export { DataError, type Dataset, datasetSize, type DatasetSplits, sampleSize } from "./data/dataset.ts";
export { DATASET_NAMES, type DatasetName, loadDataset, type LoadOptions } from "./data/load.ts";
export { makeBatch } from "./data/batches.ts";
export { perClassSubset, permutation, validationSplit } from "./data/split.ts";
export { type NpyArray, type NpyFile, openNpy } from "./data/npy.ts";
export { float16ToNumber } from "./data/float16.ts";
export {
  featureMeanOfNpy,
  ncMetricsOfNpy,
  type NpyFeatureMean,
  type NpyMetricsOptions,
  type NpyMetricsSource,
  type NpyNcMetrics,
  type NpzKeys,
} from "./data/npy_metrics.ts";
export { CIFAR_ARCHIVES, type CifarName, fetchCifar, type FetchCifarOptions } from "./data/download.ts";
export { DATA_DIR } from "./data/data_dir.ts";

// ── models: MLP and ResNets, their features and classifier ──────────────────────────────────────
export {
  forward,
  hiddenFeaturesModel,
  type HiddenLayer,
  ModelConfigError,
  type Network,
  readClassifier,
  trainableParameterCount,
  trainableVariables,
} from "./models/network.ts";
export { buildMlp, type MlpOptions } from "./models/mlp.ts";
export { buildResNet18, buildResNet50, type ResNetOptions } from "./models/resnet.ts";

// ── training: a run from start to end ───────────────────────────────────────────────────────────
export {
  ConfigError,
  type EvalSchedule,
  evaluationEpochs,
  type ModelName,
  normalizeTrainConfig,
  type SyntheticConfig,
  TRAIN_KEYS,
  type TrainConfig,
  type TrainKey,
} from "./training/config.ts";
export { configDifferences, runId } from "./training/run_id.ts";
export {
  describeRecipe,
  RECIPE_NAMES,
  type RecipeLabel,
  type RecipeName,
  recipeOf,
  RECIPES,
  type RecipeSettings,
} from "./training/recipes.ts";
export { learningRate, milestones, type ScheduleKind } from "./training/schedule.ts";
export {
  type EvaluationOptions,
  evaluationPass,
  hiddenLayerCollapse,
  type LayerCollapse,
  type SplitScores,
  trainSplitMetrics,
} from "./training/evaluate.ts";
export {
  type BatchProgress,
  type EpochOutcome,
  type MetricsRow,
  prepareData,
  type PreparedData,
  Trainer,
} from "./training/train.ts";
export {
  readRun,
  readRuns,
  type RunOptions,
  type RunRecord,
  type RunStatus,
  type RunSummary,
  runTraining,
} from "./training/run.ts";
export { type PackOptions, runPack } from "./training/run_pack.ts";
export { checkPack, packable, packKey } from "./training/packed_trainer.ts";

// ── experiments: presets, the figures' grids, sweeps, the UFM studies ───────────────────────────
export {
  PRESET_NAMES,
  PresetError,
  type PresetName,
  resolvePreset,
  runsDir,
  UFM_PRESETS,
  type UfmPreset,
} from "./experiments/presets.ts";
export { FIGURE_NAMES, figureGrid, type FigureName, FigurePresetError } from "./experiments/figure_presets.ts";
export {
  expandGrid,
  MAX_JOBS,
  storedRuns,
  sweep,
  type SweepGrid,
  type SweepOptions,
  type SweepProgress,
} from "./experiments/sweep.ts";
export { estimateRunSeconds, type PlannedRun, planSweep, storedEpochTimings } from "./experiments/sweep_plan.ts";
export { PACK_AUTO_LIMIT, PACK_MAX, type PackSetting, parsePackSetting, planPacks } from "./experiments/packs.ts";
export {
  globalMinimizerStudy,
  lambdaSweepStudy,
  type LandscapeRun,
  landscapeStudy,
  reachedOptimum,
  type UfmStudies,
  ufmStudies,
} from "./experiments/ufm_studies.ts";

// ── report: frames of runs, the claims' statistics, the report (SUMMARY.md, summary.json) ───────
export {
  accuracyTable,
  type AccuracyTableRow,
  hyperparameterTable,
  layerCollapseTable,
  layerMetricsFrame,
  meanOverSeeds,
  type MetricRow,
  metricRows,
  metricsFrame,
  nc1Drop,
  ncDynamicsFrame,
  type SeedMeanRow,
  summaryFrame,
  withLossOrder,
} from "./report/run_frames.ts";
export { exportFrame, exportLayersFrame, snakeCase } from "./report/export_frames.ts";
export {
  accuracyGaps,
  collapseCells,
  type HeatmapCell,
  heatmapCells,
  lossVariance,
  signedAccuracyGaps,
} from "./report/heatmap_frames.ts";
export { landscapeSummaryFrame, ufmComparisonFrame, ufmResultsFrame } from "./report/ufm_frames.ts";
export {
  collapseReached,
  type CollapseTargets,
  type GapTrend,
  type GapTrendAxis,
  type GapTrendOptions,
  gapTrends,
  gapTrendsFrame,
  type LossSpread,
  lossSpread,
} from "./report/claims.ts";
export { type GridCell } from "./report/paired_seeds.ts";
export {
  type CeEquivalence,
  equivalenceFrame,
  equivalenceToCe,
  type PairwiseDifference,
  pairwiseDifferences,
  pairwiseDifferencesFrame,
} from "./report/accuracy_comparisons.ts";
export { type AccuracyReport, accuracyReport } from "./report/accuracy_report.ts";
export { accuracyTableFrame, accuracyTableLatex } from "./report/accuracy_table.ts";
export { accuracyTableMarkdown, accuracyTableRows } from "./report/accuracy_table.ts";
export {
  COLLAPSE_TARGETS,
  type DynamicsReport,
  dynamicsReport,
  type DynamicsSummary,
  trainingExcursions,
} from "./report/dynamics_report.ts";
export {
  ACCURACY_COLUMNS,
  type AccuracyKind,
  EQUIVALENCE_MARGIN,
  type HeatmapReport,
  heatmapReport,
} from "./report/heatmap_report.ts";
export { type Report, type ReportOptions, reproductionReport } from "./report/report.ts";
export { type UfmNumbers, ufmNumbers } from "./report/ufm_report.ts";
export { summaryMarkdown } from "./report/summary_markdown.ts";
export { summaryJson } from "./report/summary_json.ts";
export { recipeSearchMarkdown } from "./report/recipe_search.ts";
export { readmeResults } from "./report/readme_results.ts";
export { type ColumnRule, columnRule, DISPLAY_DIGITS, type DisplayMedium } from "./report/number_format.ts";
export { formatAccuracy, formatColumn, formatMetric, formatMetricColumn } from "./report/number_format.ts";
export { formatBound, formatNumber, formatPValue, METRIC_DIGITS } from "./report/number_format.ts";

// ── figures: style, composition, export, and one function per figure ────────────────────────────
export { FIGURE_DEFAULTS, FIGURE_STYLES, FIGURE_VENUES, type FigureLayout, figureLayout } from "./figures/style.ts";
export { type FigureStyle, figureStyle, FigureStyleError, type FigureStyleInput } from "./figures/style.ts";
export { type FigureVenue, figureVenue } from "./figures/style.ts";
export { figureData, figureDataCsv, type FigureDataRow, withFigureData } from "./figures/figure_data.ts";
export { decadeAxis, figureSize, type LegendItem, legendStrip, plotSvg, type SvgFigure } from "./figures/svg.ts";
export { composeFigures } from "./figures/compose.ts";
export {
  exportFigure,
  type ExportOptions,
  type FigureFormat,
  type FigureSource,
  show,
  type ShowOptions,
} from "./figures/export.ts";
export { lossLegend, lossScales } from "./figures/loss_style.ts";
export {
  type LambdaRow,
  lambdaSweepPlot,
  landscapePlot,
  type LandscapeRow,
  ncHistoryPlot,
  type NcHistoryRow,
} from "./figures/ufm_plots.ts";
export { heatmapColumns, type HeatmapOptions } from "./figures/heatmap_plots.ts";
export { type HeatmapScale, heatmapScale, spansDecade } from "./figures/heatmap_scale.ts";
export { accuracyHeatmapPlot, collapseHeatmapPlot } from "./figures/heatmap_figures.ts";
export { gapHeatmapPlot, varianceHeatmapPlot } from "./figures/heatmap_figures.ts";
export {
  accuracyDomain,
  type CurvePanel,
  type CurveRow,
  heatmapGridPlot,
  type HeatmapPanel,
  heatmapPlot,
  type HyperparameterRow,
  type LossRow,
  NC_DYNAMICS_PANELS,
} from "./figures/run_plots.ts";
export { accuracyBarsPlot, accuracyVsEpochsPlot, type BudgetRow } from "./figures/accuracy_plots.ts";
export { type HyperparameterMetric, hyperparameterPlot } from "./figures/hyperparameter_plot.ts";
export { metricCurvesPlot } from "./figures/metric_curves.ts";
export {
  hyperparameterTrajectoriesPlot,
  layerCollapsePlot,
  type LayerRow,
  type TrajectoryRow,
} from "./figures/trajectory_plots.ts";

// ── notebook: displays and progress ─────────────────────────────────────────────────────────────
export { type Displayable, keyNumbers, markdown, roundedFrame, type RoundedFrameOptions } from "./notebook/display.ts";
export {
  type DisplayFunction,
  notebookProgress,
  streamProgress,
  sweepProgress,
  terminalProgress,
} from "./notebook/progress.ts";
