/**
 * The UFM studies behind notebooks 01 and 02: each loss solved from random starts and compared
 * with the closed-form NC optimum.
 *
 * @module
 */
import { defaultLosses } from "../core/loss_registry.ts";
import { type LossName, type LossSpec } from "../core/losses.ts";
import { ncSolution, randomUfmInit, solveUfm, type UfmConfig, type UfmResult, type UfmVariables } from "../core/ufm.ts";
import { ufmTheory } from "../core/ufm_theory.ts";
import { createRng } from "../core/random.ts";
import type { UfmPreset } from "./presets.ts";

/** The paper's four losses with their default hyper-parameters (CIFAR-10 values). */
const PAPER_LOSSES: readonly LossSpec[] = defaultLosses();

/** The base UFM configuration of a preset for a loss. */
function presetUfmConfig(preset: UfmPreset, loss: LossSpec, overrides: Partial<UfmConfig> = {}): UfmConfig {
  const { K, n, d, lambda } = preset;
  return { loss, K, n, d, lambdaW: lambda, lambdaH: lambda, lambdaB: 0, seed: 0, ...overrides };
}

/**
 * Each loss solved once from a random start, with its NC history (notebook 01).
 *
 * @example
 * ```ts
 * const results = globalMinimizerStudy(UFM_PRESETS.smoke);
 * ```
 */
export function globalMinimizerStudy(preset: UfmPreset, losses: readonly LossSpec[] = PAPER_LOSSES): UfmResult[] {
  return losses.map((loss) => solveUfm(presetUfmConfig(preset, loss), { recordHistory: true }));
}

/** Theory curve and optimised points of ‖w_k‖² against λ = λ_W = λ_H (notebook 01). */
export function lambdaSweepStudy(
  preset: UfmPreset,
  losses: readonly LossSpec[] = PAPER_LOSSES,
  options: { curvePoints?: number } = {},
): {
  theory: { loss: LossName; lambda: number; wNormSq: number }[];
  optimised: { loss: LossName; lambda: number; wNormSq: number; predicted: number }[];
} {
  const { curvePoints = 60 } = options;
  const lo = Math.log10(Math.min(...preset.sweepLambdas)) - 0.3,
    hi = Math.log10(Math.max(...preset.sweepLambdas)) + 0.3;
  const theory = losses.flatMap((loss) =>
    Array.from({ length: curvePoints }, (_, i) => {
      const lambda = 10 ** (lo + ((hi - lo) * i) / (curvePoints - 1));
      const config = presetUfmConfig(preset, loss, { lambdaW: lambda, lambdaH: lambda });
      return { loss: loss.name, lambda, wNormSq: ufmTheory(loss, config).wNormSq };
    })
  );
  const optimised = losses.flatMap((loss) =>
    preset.sweepLambdas.map((lambda) => {
      const r = solveUfm(presetUfmConfig(preset, loss, { lambdaW: lambda, lambdaH: lambda }));
      return { loss: loss.name, lambda, wNormSq: r.wNormSq, predicted: r.theory.wNormSq };
    })
  );
  return { theory, optimised };
}

/** One run of the landscape study. */
export interface LandscapeRun {
  loss: LossName;
  d: number;
  start: "random" | "near" | "far";
  seed: number;
  objective: number;
  predicted: number;
  gap: number;
  nc1: number;
  nc2: number;
  nc3: number;
  iterations: number;
  stopReason: string;
}

/** Largest |f(final) − f(predicted optimum)| of a run that reached the optimum. */
export const REACHED_GAP = 1e-8;
/** Largest NC1, NC2 and NC3 of a run that reached the optimum (the NC solution has 0). */
export const REACHED_NC = 1e-3;

/**
 * Whether a landscape run reached the predicted global optimum: its objective within
 * {@link REACHED_GAP} of the prediction and its NC1–NC3 at most {@link REACHED_NC}. The one
 * definition behind the landscape table, figure and notebook.
 *
 * @example
 * ```ts
 * reachedOptimum({ gap: 1e-14, nc1: 1e-7, nc2: 1e-7, nc3: 1e-7 }); // true
 * reachedOptimum({ gap: 0.004, nc1: 0.7, nc2: 0.7, nc3: 0.7 });     // false
 * ```
 */
export function reachedOptimum(run: Pick<LandscapeRun, "gap" | "nc1" | "nc2" | "nc3">): boolean {
  return Math.abs(run.gap) <= REACHED_GAP && Math.max(run.nc1, run.nc2, run.nc3) <= REACHED_NC;
}

/** Starting points of the landscape study. */
function start(config: UfmConfig, kind: LandscapeRun["start"]): UfmVariables {
  if (kind === "random") return randomUfmInit(config);
  if (kind === "far") return randomUfmInit({ ...config, initScale: 10 });
  // "near": the NC solution plus 1 % relative Gaussian noise.
  const star = ncSolution(config), rng = createRng(config.seed + 7919);
  const perturb = (data: Float64Array) => {
    const rms = Math.sqrt(data.reduce((a, v) => a + v * v, 0) / data.length);
    return data.map((v) => v + 0.01 * rms * rng.normal());
  };
  return {
    W: { ...star.W, data: perturb(star.W.data) },
    H: { ...star.H, data: perturb(star.H.data) },
    b: star.b.slice(),
  };
}

/**
 * Many random starts per loss and feature dimension (below, at and above K − 1); FL also from
 * near and far starts (notebook 02). "near" needs d ≥ K − 1 and is skipped below it.
 *
 * @example
 * ```ts
 * const runs = landscapeStudy(UFM_PRESETS.smoke);
 * ```
 */
export function landscapeStudy(
  preset: UfmPreset,
  losses: readonly LossSpec[] = PAPER_LOSSES,
  options: { onRun?: (run: LandscapeRun, done: number, total: number) => void } = {},
): LandscapeRun[] {
  const plans: { loss: LossSpec; d: number; start: LandscapeRun["start"]; seed: number }[] = [];
  for (const loss of losses) {
    for (const d of preset.landscapeDims) {
      const starts: LandscapeRun["start"][] = loss.name === "fl" ? ["random", "near", "far"] : ["random"];
      for (const s of starts) {
        if (s === "near" && d < preset.K - 1) continue;
        for (let seed = 0; seed < preset.landscapeSeeds; seed++) plans.push({ loss, d, start: s, seed });
      }
    }
  }
  return plans.map((plan, i) => {
    const config = presetUfmConfig(preset, plan.loss, {
      n: preset.landscapeN,
      d: plan.d,
      seed: plan.seed,
      maxIterations: preset.landscapeMaxIterations,
    });
    const r = solveUfm(config, { init: start(config, plan.start) });
    const run: LandscapeRun = {
      loss: plan.loss.name,
      d: plan.d,
      start: plan.start,
      seed: plan.seed,
      objective: r.objective,
      predicted: r.theory.objective,
      gap: r.objective - r.theory.objective,
      nc1: r.metrics.nc1,
      nc2: r.metrics.nc2,
      nc3: r.metrics.nc3,
      iterations: r.iterations,
      stopReason: r.stopReason,
    };
    options.onRun?.(run, i + 1, plans.length);
    return run;
  });
}

/** The outcomes of the UFM studies of a preset (notebooks 01 and 02), as the report reads them. */
export interface UfmStudies {
  readonly preset: UfmPreset;
  readonly minimizers: readonly UfmResult[];
  readonly lambdaSweep: ReturnType<typeof lambdaSweepStudy>;
  readonly landscape: readonly LandscapeRun[];
}

/**
 * Runs the UFM studies of notebooks 01 and 02 at a preset's sizes (seconds at `cpu`, about a
 * second at `smoke`).
 *
 * @example
 * ```ts
 * ufmStudies(UFM_PRESETS.smoke).landscape.length > 0; // true
 * ```
 */
export function ufmStudies(preset: UfmPreset): UfmStudies {
  return {
    preset,
    minimizers: globalMinimizerStudy(preset),
    lambdaSweep: lambdaSweepStudy(preset),
    landscape: landscapeStudy(preset),
  };
}
