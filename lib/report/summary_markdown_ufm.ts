/**
 * The UFM sections of `figures/SUMMARY.md` (notebooks 01 and 02): optimised against predicted
 * objective and ‖w_k‖² as a table (six significant digits: they agree to many), NC metrics at the
 * optimum, ‖w_k‖² over the λ sweep, and the landscape study's outcomes.
 *
 * @module
 */
import { figures, formattedTable, label } from "./summary_markdown_parts.ts";
import type { UfmNumbers } from "./ufm_report.ts";

/**
 * The UFM sections, in order.
 *
 * @example
 * ```ts ignore (runs the UFM studies: about a second at smoke)
 * ufmSections(ufmNumbers(ufmStudies(UFM_PRESETS.smoke)));
 * ```
 */
export function ufmSections(ufm: UfmNumbers): string[] {
  const { problem: p } = ufm;
  const comparisons = ufm.minimizers.flatMap((r) => [
    {
      loss: label(r.loss),
      quantity: "objective f(W, H, b)",
      optimised: r.objective,
      predicted: r.objective_predicted,
      relative_error: r.objective_rel_error,
    },
    {
      loss: label(r.loss),
      quantity: "mean ‖w_k‖²",
      optimised: r.w_norm_sq,
      predicted: r.w_norm_sq_predicted,
      relative_error: r.w_norm_sq_rel_error,
    },
  ]);
  const nearDims = new Set(ufm.landscape.settings.filter((s) => s.start === "near").map((s) => s.d));
  const flDims = [...new Set(ufm.landscape.settings.filter((s) => s.loss === "fl").map((s) => s.d))];
  const notRun = nearDims.size ? flDims.filter((d) => !nearDims.has(d)) : [];
  return [
    `## UFM global minimizers (notebook 01): K = ${p.K}, n = ${p.n}, d = ${p.d}, λ_W = λ_H = ${p.lambda}, λ_b = ${p.lambda_b}\n`,
    "One run per loss from a random start against the closed-form NC optimum (docs/method.md §5): optimised and predicted values with six significant digits (they agree to many), relative_error = optimised / predicted − 1 with two.\n",
    formattedTable(comparisons, ["loss", "quantity", "optimised", "predicted", "relative_error"]),
    "",
    "NC metrics at the optimum (two significant digits) and L-BFGS iterations; NC4 of the NC solution is 0 except for MSE, whose bias absorbs the target's mean.\n",
    figures("ufm_nc_history"),
    formattedTable(
      ufm.minimizers.map((r) => ({ ...r, loss: label(r.loss) })),
      ["loss", "nc1", "nc2", "nc3", "nc4", "nc4_predicted", "iterations"],
    ),
    "",
    `## UFM ‖w_k‖² against λ (notebook 01): λ ∈ {${p.sweep_lambdas.join(", ")}}\n`,
    figures("ufm_wnorm_vs_lambda", "ufm_wnorm_vs_lambda_column"),
    formattedTable(
      ufm.lambda_sweep.map((r) => ({ ...r, loss: label(r.loss) })),
      ["loss", "points", "w_norm_sq_smallest_lambda", "w_norm_sq_largest_lambda", "max_abs_rel_error"],
    ),
    "",
    `## UFM landscape (notebook 02): K = ${p.K}, n = ${p.landscape_n}, ${p.landscape_seeds} seeds per setting; ${ufm.landscape.reached} of ${ufm.landscape.runs} runs reach the predicted global minimizer (d ≥ K − 1 = ${
      p.K - 1
    } makes it attainable)\n`,
    `min_gap, max_gap: f(final) − f(predicted optimum) over the runs; max_nc123: the largest of NC1–NC3 over the runs.${
      notRun.length
        ? ` FL from a start near the NC optimum is not run at d = ${
          notRun.join(", ")
        }: below K − 1 the NC optimum it would start near does not exist.`
        : ""
    }\n`,
    figures("ufm_landscape_gaps"),
    formattedTable(
      ufm.landscape.settings.map((r) => ({ ...r, loss: label(r.loss) })),
      ["loss", "d", "start", "runs", "reached_optimum", "reached_percent", "min_gap", "max_gap", "max_nc123"],
    ),
    "",
  ];
}
