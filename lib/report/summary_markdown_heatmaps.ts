/**
 * The heat-map sections of `figures/SUMMARY.md` (notebook 04): the gap matrices with their
 * equivalence marks, how far each cell collapsed, the trend tests, accuracies and variance.
 *
 * @module
 */
import { formatDecimals, formatNumber, markdownTable } from "./number_format.ts";
import type { GapClaim, HeatmapReport } from "./heatmap_report.ts";
import { cellMatrix, decimals, figures, interval, label, yesNo } from "./summary_markdown_parts.ts";

/**
 * The heat-map sections, in order.
 *
 * @example
 * ```ts
 * heatmapSections(heatmapReport([])).length > 0; // true (the headings of empty tables)
 * ```
 */
export function heatmapSections(heat: HeatmapReport): string[] {
  const parts: string[] = [];
  const signed = (v: number, sd: number) =>
    `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(2)} ± ${Number.isFinite(sd) ? sd.toFixed(2) : "—"}`;
  for (const loss of [...new Set(heat.cells.map((c) => c.loss))]) {
    parts.push(
      `## Heat-map (notebook 04): CE − ${
        label(loss)
      } test accuracy, width × epochs (points, mean ± sd over paired seeds; best-validation epoch / last epoch; * where the TOST finds the two within ±${heat.margin} points)\n`,
      figures("heatmap_gaps"),
      cellMatrix(
        heat.cells,
        loss,
        (c) =>
          `${signed(c.gap_mean, c.gap_sd)}${c.equivalence.best_val.equivalent ? "*" : ""} / ${
            signed(c.final_gap_mean, c.final_gap_sd)
          }${c.equivalence.final_epoch.equivalent ? "*" : ""}`,
      ),
      "",
    );
  }
  for (const loss of [...new Set(heat.collapse.map((c) => c.loss))]) {
    parts.push(
      `## Heat-map (notebook 04): how far ${
        label(loss)
      } collapsed, width × epochs (last epoch: training accuracy %, mean over seeds / NC1, geometric mean over seeds / NC1 first over last)\n`,
      figures("heatmap_collapse"),
      cellMatrix(
        heat.collapse,
        loss,
        (c) => `${c.train_accuracy.toFixed(2)} / ${formatNumber(c.nc1, 2)} / ${formatNumber(c.nc1_drop, 3)}×`,
      ),
      "",
    );
  }
  const arrangements = (claim: Record<string, GapClaim>, axis: "width" | "epochs") => {
    const counts = [...new Set(Object.values(claim).map((c) => c[axis].permutations))];
    const exact = Object.values(claim).every((c) => c[axis].exact);
    return exact ? `all ${counts.join(" or ")}` : `${counts.join(" or ")} seeded random`;
  };
  const accuracies = [["best-val", heat.claim.best_val], ["last epoch", heat.claim.final_epoch]] as const;
  const trends = accuracies.flatMap(([accuracy, claim]) =>
    Object.entries(claim).map(([loss, c]) => ({
      X: label(loss),
      accuracy,
      seeds: c.seeds,
      rho_width: c.width.rho,
      p_width: formatDecimals(c.width.p_shrinks, 4),
      slope_width: `${formatDecimals(c.width.slope_per_doubling, 2)} ${interval(c.width.slope_interval)}`,
      rho_epochs: c.epochs.rho,
      p_epochs: formatDecimals(c.epochs.p_shrinks, 4),
      slope_epochs: `${formatDecimals(c.epochs.slope_per_doubling, 2)} ${interval(c.epochs.slope_interval)}`,
      holds: yesNo(c.holds),
    }))
  );
  parts.push(
    "## Heat-maps (notebook 04): does |gap| shrink with width and with epochs?\n",
    `ρ: Spearman's correlation of |gap| (mean over seeds of Acc_CE − Acc_X) with the width and with the epoch budget over the cells. p: one-sided permutation test of ρ < 0, the widths rearranged among the cells of each budget (${
      arrangements(heat.claim.best_val, "width")
    } arrangements) and the budgets among the cells of each width (${
      arrangements(heat.claim.best_val, "epochs")
    }). slope: change of |gap| per doubling (points), per-seed least squares on log2 width and log2 epochs together, mean over seeds [95 % t interval over seeds]. The claim holds where both p < 0.05 (docs/method.md §9).\n`,
    markdownTable(
      trends,
      [
        "X",
        "accuracy",
        "seeds",
        "rho_width",
        "p_width",
        "slope_width",
        "rho_epochs",
        "p_epochs",
        "slope_epochs",
        "holds",
      ],
      decimals(2),
    ),
    "",
    "## Heat-maps (notebook 04): |Acc_CE − Acc_X| per width and budget (percentage points)\n",
    "`mean` is loss X's and `ce_mean` CE's test accuracy at the best-validation epoch, mean over seeds (the cells of the accuracy heat-map and the points of the accuracy-against-budget figure).\n",
    figures("heatmap_accuracy", "accuracy_vs_epochs"),
    markdownTable(
      heat.accuracy.map((r) => ({ ...r, X: label(r.loss) })),
      ["X", "width", "epochs", "gap", "mean", "ce_mean"],
      decimals(2),
    ),
    "",
    "## Heat-map (notebook 04): variance of test accuracy over losses × seeds (%²)\n",
    figures("heatmap_variance", "heatmap_variance_column"),
    markdownTable(heat.variance, ["width", "epochs", "variance", "runs"], decimals(3)),
    "",
  );
  return parts;
}
