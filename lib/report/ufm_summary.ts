/**
 * The UFM part of `figures/SUMMARY.md`: the key numbers of notebooks 01 (global minimizers, ‖w_k‖²
 * against λ) and 02 (landscape), computed by the same study functions the notebooks call.
 *
 * @module
 */
import type { UfmResult } from "../core/ufm.ts";
import { predictedNc4 } from "../core/ufm_theory.ts";
import { LOSS } from "../core/loss_registry.ts";
import type { UfmPreset } from "../experiments/presets.ts";
import {
  globalMinimizerStudy,
  lambdaSweepStudy,
  type LandscapeRun,
  landscapeStudy,
  reachedOptimum,
} from "../experiments/ufm_studies.ts";
import { landscapeSummaryFrame } from "./ufm_frames.ts";

/** The outcomes of the UFM studies of a preset, as {@link ufmSummaryMarkdown} reads them. */
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

const num = (v: number): string =>
  !Number.isFinite(v)
    ? "—"
    : v === 0
    ? "0"
    : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5
    ? v.toPrecision(6).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "")
    : v.toExponential(2);

function table(rows: readonly Record<string, string | number>[]): string {
  const columns = Object.keys(rows[0] ?? {});
  const cell = (v: string | number) => (typeof v === "number" ? num(v) : v);
  return [
    `| ${columns.join(" | ")} |`,
    `| ${columns.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${columns.map((c) => cell(r[c])).join(" | ")} |`),
  ].join("\n");
}

const figures = (...names: string[]) => `Figures: ${names.map((n) => `[${n}.svg](${n}.svg)`).join(", ")}.\n`;

/**
 * Markdown sections with the key numbers of the UFM figures: optimised against predicted objective
 * and ‖w_k‖² with their relative errors and NC1–NC4 at the end of each loss's run; the largest
 * relative error of ‖w_k‖² over the λ sweep; and per loss, dimension and start the runs of the
 * landscape study that reached the predicted global minimizer.
 *
 * @example
 * ```ts
 * ufmSummaryMarkdown(ufmStudies(UFM_PRESETS.smoke)).startsWith("## UFM global minimizers"); // true
 * ```
 */
export function ufmSummaryMarkdown(studies: UfmStudies): string {
  const { preset, minimizers, lambdaSweep, landscape } = studies;
  const parts: string[] = [];
  parts.push(
    `## UFM global minimizers (notebook 01): K = ${preset.K}, n = ${preset.n}, d = ${preset.d}, λ_W = λ_H = ${preset.lambda}, λ_b = 0\n`,
    figures(
      "ufm_nc_history",
      "ufm_objective_optimised_vs_predicted",
      "ufm_objective_optimised_vs_predicted_column",
      "ufm_wnorm_optimised_vs_predicted",
      "ufm_wnorm_optimised_vs_predicted_column",
    ),
    table(minimizers.map((r) => ({
      loss: LOSS[r.config.loss.name].label,
      objective: r.objective,
      objective_predicted: r.theory.objective,
      objective_rel_error: r.objective / r.theory.objective - 1,
      "‖w_k‖²": r.wNormSq,
      "‖w_k‖²_predicted": r.theory.wNormSq,
      "‖w_k‖²_rel_error": r.wNormSq / r.theory.wNormSq - 1,
      NC1: r.metrics.nc1,
      NC2: r.metrics.nc2,
      NC3: r.metrics.nc3,
      NC4: r.metrics.nc4,
      NC4_predicted: predictedNc4(r.theory, preset.K),
      iterations: r.iterations,
    }))),
    "",
  );
  const losses = [...new Set(lambdaSweep.optimised.map((p) => p.loss))];
  parts.push(
    `## UFM ‖w_k‖² against λ (notebook 01): λ ∈ {${preset.sweepLambdas.join(", ")}}\n`,
    figures("ufm_wnorm_vs_lambda", "ufm_wnorm_vs_lambda_column"),
    table(losses.map((loss) => {
      const points = lambdaSweep.optimised.filter((p) => p.loss === loss);
      const errors = points.map((p) => Math.abs(p.wNormSq / p.predicted - 1));
      return {
        loss: LOSS[loss].label,
        points: points.length,
        "‖w_k‖²_smallest_λ": points[0].wNormSq,
        "‖w_k‖²_largest_λ": points.at(-1)!.wNormSq,
        max_abs_rel_error: Math.max(...errors),
      };
    })),
    "",
  );
  const reached = landscape.filter(reachedOptimum).length;
  parts.push(
    `## UFM landscape (notebook 02): K = ${preset.K}, n = ${preset.landscapeN}, ${preset.landscapeSeeds} seeds per setting; ${reached} of ${landscape.length} runs reach the predicted global minimizer (d ≥ K − 1 = ${
      preset.K - 1
    } makes it attainable)\n`,
    figures("ufm_landscape_gaps"),
    table(
      landscapeSummaryFrame(landscape).toRecords().map((r) => ({
        loss: String(r.loss),
        d: Number(r.d),
        start: String(r.start),
        runs: Number(r.runs),
        reached_optimum: Number(r.reached_optimum),
        fraction: `${Math.round((100 * Number(r.reached_optimum)) / Number(r.runs))} %`,
        min_gap: Number(r.min_gap),
        max_gap: Number(r.max_gap),
        max_NC123: Number(r.max_nc123),
      })),
    ),
    "",
  );
  return parts.join("\n");
}
