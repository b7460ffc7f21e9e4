/**
 * The public surface of the toolkit, for notebooks and scripts:
 *
 * ```ts ignore (the import line of a notebook)
 * import { solveUfm, ncMetricsOf, runTraining, sweep, figureGrid, show } from "../lib/mod.ts";
 * ```
 *
 * Layers, each importing only from those above it in this list: backend → core (losses, NC
 * metrics, linear algebra, UFM) → data and models → training → experiments (run store, sweeps,
 * presets, studies) → present (frames, figures, export, progress, notebooks).
 *
 * @module
 */
export * from "./backend/backend.ts";
export * from "./backend/wasm_kernels.ts";
export { NativeLibraryError, nativeThreads, setNativeThreads } from "./backend/native_libraries.ts";

export * from "./core/linalg.ts";
export * from "./core/losses.ts";
export * from "./core/loss_tensors.ts";
export * from "./core/nc_accumulators.ts";
export * from "./core/nc_metrics.ts";
export * from "./core/lbfgs.ts";
export * from "./core/random.ts";
export * from "./core/ufm.ts";
export * from "./core/ufm_theory.ts";

export * from "./data/dataset.ts";
export * from "./data/load.ts";
export * from "./data/batches.ts";
export * from "./data/split.ts";
export * from "./data/download.ts";
export * from "./data/tar.ts";
export * from "./models/network.ts";
export * from "./models/mlp.ts";
export * from "./models/resnet.ts";

export * from "./training/config.ts";
export * from "./training/recipes.ts";
export * from "./training/optimizer.ts";
export * from "./training/schedule.ts";
export * from "./training/train.ts";

export * from "./experiments/presets.ts";
export * from "./experiments/figure_presets.ts";
export * from "./training/run.ts";
export * from "./experiments/sweep.ts";
export * from "./experiments/ufm_studies.ts";

export * from "./present/loss_style.ts";
export * from "./present/svg.ts";
export * from "./present/compose.ts";
export * from "./present/ufm_plots.ts";
export * from "./present/ufm_frames.ts";
export * from "./present/run_frames.ts";
export * from "./present/run_plots.ts";
export * from "./present/export.ts";
export * from "./present/progress.ts";
export * from "./present/summary.ts";
