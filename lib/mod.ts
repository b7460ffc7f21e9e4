/**
 * The public surface of the toolkit, for notebooks and scripts: named exports, grouped by layer.
 *
 * ```ts ignore (the import line of a notebook)
 * import { figureGrid, ncMetricsOf, runTraining, show, solveUfm, sweep } from "../lib/mod.ts";
 * ```
 *
 * Layers, each importing only from those listed before it: backend → core → store → data and
 * models → training → experiments → present. The command line (`cli.ts`, `cli/`) sits on top and
 * is not part of this surface; nothing below it imports or starts it.
 *
 * @module
 */

// backend: the TensorFlow.js backend and its kernel additions
export {
  activeBackend,
  BACKEND_NAMES,
  type BackendChoice,
  BackendError,
  type BackendName,
  initBackend,
  NATIVE_INSTALL_HINT,
  NATIVE_PACKAGES,
  probeWebGpu,
  resolveBackendName,
  type WebGpuProbe,
} from "./backend/backend.ts";
export { installWasmKernels, uninstallWasmKernels, wasmKernelsInstalled } from "./backend/wasm_kernels.ts";
export { NativeLibraryError, nativeThreads, setNativeThreads } from "./backend/native_libraries.ts";

// core: losses, NC accumulators and metric formulas, linear algebra, the UFM
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
  reductionScale,
  sampleLoss,
} from "./core/losses.ts";
export { lossTensor, makeLoss, perSampleLossTensor } from "./core/loss_tensors.ts";
export {
  checkClassifier,
  checkLabel,
  type Classifier,
  ClassMeanAccumulator,
  type ClassMeans,
  type FeatureInput,
  type GlobalMean,
  NcInputError,
  type NcStatistics,
  WithinClassAccumulator,
  type WithinClassOptions,
} from "./core/nc_accumulators.ts";
export { type Anova, bootstrap, type BootstrapEstimate, oneWayAnova, spearman } from "./core/statistics.ts";
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
  addScaled,
  DEFAULT_RANK_TOLERANCE,
  etfDistance,
  fromRows,
  gramRows,
  identity,
  matmul,
  type Matrix,
  matrix,
  type PseudoInverse,
  pseudoInverseSymmetric,
  type SymmetricEigen,
  symmetricEigen,
  traceOfProduct,
  transpose,
} from "./core/linalg.ts";
export {
  type IterationInfo,
  type LbfgsOptions,
  type LbfgsResult,
  minimizeLbfgs,
  type Objective,
} from "./core/lbfgs.ts";
export { createRng, type Rng } from "./core/random.ts";
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
  minimizeMargin,
  predictedNc4,
  type UfmProblem,
  type UfmTheory,
  ufmTheory,
} from "./core/ufm_theory.ts";

// store: run directories, atomic writes, locks (knows nothing of training)
export { hasRun, runFiles, type StoredRun } from "./store/run_dir.ts";
export { writeFileAtomic } from "./store/atomic.ts";
export { lockRun, RunLockedError } from "./store/run_lock.ts";
export { CheckpointError } from "./store/checkpoint_file.ts";

// data and models: datasets, splits, batches, downloads; MLP and ResNets
export { DataError, type Dataset, datasetSize, type DatasetSplits, sampleSize } from "./data/dataset.ts";
export { DATASET_NAMES, type DatasetName, loadDataset, type LoadOptions } from "./data/load.ts";
export { CROP_PADDING, makeBatch } from "./data/batches.ts";
export { type NpyArray, type NpyFile, openNpy } from "./data/npy.ts";
export { ncMetricsOfNpy, type NpyMetricsOptions, type NpyMetricsSource, type NpyNcMetrics } from "./data/npy_metrics.ts";
export { perClassSubset, permutation, validationSplit } from "./data/split.ts";
export { CIFAR_ARCHIVES, type CifarName, fetchCifar, type FetchCifarOptions } from "./data/download.ts";
export { readTar, type TarEntry, writeTarEntries } from "./data/tar.ts";
export {
  batchNorm,
  classifierLayer,
  forward,
  hiddenFeaturesModel,
  type HiddenLayer,
  Initializers,
  ModelConfigError,
  type Network,
  readClassifier,
  trainableParameterCount,
  trainableVariables,
} from "./models/network.ts";
export { buildMlp, type MlpOptions } from "./models/mlp.ts";
export { buildResNet18, buildResNet50, type ResNetOptions } from "./models/resnet.ts";

// training: a run from start to end
export {
  configDifferences,
  ConfigError,
  type EvalSchedule,
  evaluationEpochs,
  type FlagKind,
  type ModelName,
  normalizeTrainConfig,
  runId,
  type SyntheticConfig,
  TRAIN_KEYS,
  type TrainConfig,
  type TrainKey,
} from "./training/config.ts";
export {
  type EvaluationOptions,
  evaluationPass,
  hiddenLayerCollapse,
  type LayerCollapse,
  type SplitScores,
  trainSplitMetrics,
} from "./training/evaluate.ts";
export {
  describeRecipe,
  RECIPE_KEYS,
  RECIPE_NAMES,
  type RecipeLabel,
  type RecipeName,
  recipeOf,
  RECIPES,
  type RecipeSettings,
} from "./training/recipes.ts";
export { Sgd, type SgdOptions } from "./training/optimizer.ts";
export { learningRate, milestones, type ScheduleKind } from "./training/schedule.ts";
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

// experiments: presets, figure grids, sweeps, UFM studies
export {
  PRESET_NAMES,
  PresetError,
  type PresetName,
  resolvePreset,
  runsDir,
  UFM_PRESETS,
  type UfmPreset,
} from "./experiments/presets.ts";
export {
  FIGURE_NAMES,
  FIGURE_PRESET_NAMES,
  figureGrid,
  type FigureName,
  type FigurePreset,
  FigurePresetError,
} from "./experiments/figure_presets.ts";
export {
  expandGrid,
  storedRuns,
  sweep,
  type SweepGrid,
  type SweepOptions,
  type SweepProgress,
  threadsPerJob,
} from "./experiments/sweep.ts";
export {
  globalMinimizerStudy,
  lambdaSweepStudy,
  type LandscapeRun,
  landscapeStudy,
  REACHED_GAP,
  REACHED_NC,
  reachedOptimum,
  type UfmStudies,
  ufmStudies,
} from "./experiments/ufm_studies.ts";

// present: frames, figures, export, progress, summary
export {
  FIGURE_DEFAULTS,
  FIGURE_STYLES,
  type FigureLayout,
  figureLayout,
  type FigureStyle,
  figureStyle,
  FigureStyleError,
  type FigureStyleInput,
} from "./figures/style.ts";
export { lossLegend, lossScales } from "./figures/loss_style.ts";
export {
  decadeAxis,
  decadeLabel,
  figureSize,
  type LegendItem,
  legendStrip,
  LOG_TICK_FORMAT,
  plotSvg,
  setPhysicalSize,
  type SvgFigure,
  textWidthEm,
} from "./figures/svg.ts";
export { composeFigures } from "./figures/compose.ts";
export { figureFontFiles, FONT_FILES } from "./figures/fonts.ts";
export { landscapeSummaryFrame, ufmResultsFrame } from "./report/ufm_frames.ts";
export {
  type ComparisonRow,
  type LambdaRow,
  lambdaSweepPlot,
  landscapePlot,
  type LandscapeRow,
  ncHistoryPlot,
  type NcHistoryRow,
  optimisedVsPredictedPlot,
} from "./figures/ufm_plots.ts";
export {
  accuracyGaps,
  type HeatmapCell,
  accuracyTable,
  heatmapCells,
  hyperparameterTable,
  layerCollapseTable,
  layerMetricsFrame,
  lossVariance,
  meanOverSeeds,
  metricsFrame,
  nc1Drop,
  ncDynamicsFrame,
  signedAccuracyGaps,
  summaryFrame,
} from "./report/run_frames.ts";
export {
  ACCURACY_MIN_SPAN,
  accuracyBarsPlot,
  accuracyDomain,
  accuracyVsEpochsPlot,
  type CurvePanel,
  heatmapGridPlot,
  type HeatmapPanel,
  heatmapPlot,
  hyperparameterPlot,
  metricCurvesPlot,
  NC_DYNAMICS_PANELS,
  panelRows,
} from "./figures/run_plots.ts";
export { labelColor, luminance } from "./figures/heatmap_plots.ts";
export { exportFigure, type ExportOptions, type FigureFormat, type FigureSource, show } from "./figures/export.ts";
export {
  type DisplayFunction,
  EtaClock,
  formatDuration,
  formatProgress,
  formatSweepProgress,
  notebookProgress,
  sweepProgress,
  terminalProgress,
} from "./notebook/progress.ts";
export { summaryMarkdown } from "./report/summary_markdown.ts";
export { summaryJson } from "./report/summary_json.ts";
export { type Report, reproductionReport, type ReportOptions } from "./report/report.ts";
export {
  collapseReached,
  type CollapseTargets,
  type GapTrend,
  gapTrends,
  gapTrendsFrame,
  type LossSpread,
  lossSpread,
} from "./report/claims.ts";
export { hyperparameterTrajectoriesPlot, layerCollapsePlot, orderedColors } from "./figures/trajectory_plots.ts";

export { type Displayable, keyNumbers, roundedFrame } from "./notebook/display.ts";
export { DISPLAY_DIGITS, formatNumber } from "./report/number_format.ts";
