/**
 * The UFM part of the report: the key numbers of notebooks 01 (global minimizers, ‖w_k‖² against
 * λ) and 02 (landscape), from the outcomes of the same studies the notebooks run.
 *
 * @module
 */
import { LOSS, LOSS_NAMES } from "../core/loss_registry.ts";
import type { LossName } from "../core/losses.ts";
import { predictedNc4 } from "../core/ufm_theory.ts";
import { reachedOptimum, type UfmStudies } from "../experiments/ufm_studies.ts";
import { landscapeSummaryFrame } from "./ufm_frames.ts";

/** One loss's UFM run from a random start against the closed-form optimum (notebook 01). */
export interface UfmMinimizerNumbers {
  loss: LossName;
  objective: number;
  objective_predicted: number;
  objective_rel_error: number;
  w_norm_sq: number;
  w_norm_sq_predicted: number;
  w_norm_sq_rel_error: number;
  nc1: number;
  nc2: number;
  nc3: number;
  nc4: number;
  nc4_predicted: number;
  iterations: number;
}

/** One loss's ‖w_k‖² over the λ sweep (notebook 01). */
export interface UfmLambdaNumbers {
  loss: LossName;
  points: number;
  w_norm_sq_smallest_lambda: number;
  w_norm_sq_largest_lambda: number;
  max_abs_rel_error: number;
}

/** The landscape runs of one loss, dimension and start (notebook 02). */
export interface UfmLandscapeNumbers {
  loss: LossName;
  d: number;
  start: string;
  runs: number;
  reached_optimum: number;
  /** Percent of the runs that reached the predicted optimum, rounded to an integer. */
  reached_percent: number;
  min_gap: number;
  max_gap: number;
  max_nc123: number;
}

/** The UFM studies' numbers (notebooks 01 and 02). */
export interface UfmNumbers {
  problem: {
    K: number;
    n: number;
    d: number;
    lambda: number;
    lambda_b: number;
    sweep_lambdas: number[];
    landscape_n: number;
    landscape_seeds: number;
  };
  minimizers: UfmMinimizerNumbers[];
  lambda_sweep: UfmLambdaNumbers[];
  landscape: { runs: number; reached: number; settings: UfmLandscapeNumbers[] };
}

/**
 * The report's numbers of the UFM studies: optimised against predicted objective and ‖w_k‖² with
 * their relative errors and NC1–NC4 per loss, the largest relative error of ‖w_k‖² over the λ
 * sweep, and per loss, dimension and start the landscape runs that reached the predicted optimum.
 *
 * @example
 * ```ts
 * ufmNumbers(ufmStudies(UFM_PRESETS.smoke)).minimizers.map((m) => m.loss); // ["ce", "ls", "fl", "mse"]
 * ```
 */
export function ufmNumbers(studies: UfmStudies): UfmNumbers {
  const { preset, minimizers, lambdaSweep, landscape } = studies;
  const losses = [...new Set(lambdaSweep.optimised.map((p) => p.loss))];
  const nameOf = (label: string) => LOSS_NAMES.find((n) => LOSS[n].label === label)!;
  return {
    problem: {
      K: preset.K,
      n: preset.n,
      d: preset.d,
      lambda: preset.lambda,
      lambda_b: 0,
      sweep_lambdas: [...preset.sweepLambdas],
      landscape_n: preset.landscapeN,
      landscape_seeds: preset.landscapeSeeds,
    },
    minimizers: minimizers.map((r) => ({
      loss: r.config.loss.name,
      objective: r.objective,
      objective_predicted: r.theory.objective,
      objective_rel_error: r.objective / r.theory.objective - 1,
      w_norm_sq: r.wNormSq,
      w_norm_sq_predicted: r.theory.wNormSq,
      w_norm_sq_rel_error: r.wNormSq / r.theory.wNormSq - 1,
      nc1: r.metrics.nc1,
      nc2: r.metrics.nc2,
      nc3: r.metrics.nc3,
      nc4: r.metrics.nc4,
      nc4_predicted: predictedNc4(r.theory, preset.K),
      iterations: r.iterations,
    })),
    lambda_sweep: losses.map((loss) => {
      const points = lambdaSweep.optimised.filter((p) => p.loss === loss);
      return {
        loss,
        points: points.length,
        w_norm_sq_smallest_lambda: points[0].wNormSq,
        w_norm_sq_largest_lambda: points.at(-1)!.wNormSq,
        max_abs_rel_error: Math.max(...points.map((p) => Math.abs(p.wNormSq / p.predicted - 1))),
      };
    }),
    landscape: {
      runs: landscape.length,
      reached: landscape.filter(reachedOptimum).length,
      settings: landscapeSummaryFrame(landscape).toRecords().map((r) => ({
        loss: nameOf(String(r.loss)),
        d: Number(r.d),
        start: String(r.start),
        runs: Number(r.runs),
        reached_optimum: Number(r.reached_optimum),
        reached_percent: Math.round((100 * Number(r.reached_optimum)) / Number(r.runs)),
        min_gap: Number(r.min_gap),
        max_gap: Number(r.max_gap),
        max_nc123: Number(r.max_nc123),
      })),
    },
  };
}
