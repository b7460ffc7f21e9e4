/**
 * The heat-map sections of `figures/SUMMARY.md` (notebook 04): the gap matrices with their
 * equivalence marks, how far each cell collapsed, the trend tests, each loss's accuracy and the
 * variance over losses and seeds. Numbers follow the display rule (`number_format.ts`).
 *
 * @module
 */
import { formatAccuracy, formatMetricColumn, markdownTable } from "./number_format.ts";
import type { GapClaim, HeatmapReport } from "./heatmap_report.ts";
import { bestValNote, cellMatrix, figures, formattedTable, interval, label } from "./summary_markdown_parts.ts";

const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? "+" : "−"}${formatAccuracy(Math.abs(v))}` : "—");

/** Texts of a column of numbers by the metric rule, looked up by row. */
function metricTexts<C>(cells: readonly C[], value: (c: C) => number): (c: C) => string {
  const texts = formatMetricColumn(cells.map(value));
  const at = new Map(cells.map((c, i) => [c, texts[i]]));
  return (c) => at.get(c)!;
}

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
  const budgets = heat.epochs.length ? `a run's ${Math.min(...heat.epochs)} to ${Math.max(...heat.epochs)}` : "a run's";
  parts.push(
    `## Heat-maps (notebook 04): CE − X test accuracy, width × epochs\n`,
    `Points, mean ± sd over paired seeds of Acc_CE − Acc_X (positive: CE is better), at the best-validation epoch / at the last epoch; * where the paired equivalence test (TOST) finds the two within ±${heat.margin} points. ${
      bestValNote(budgets)
    }`,
    figures("heatmap_gaps"),
  );
  for (const loss of [...new Set(heat.cells.map((c) => c.loss))]) {
    parts.push(
      `### CE − ${label(loss)}\n`,
      cellMatrix(
        heat.cells,
        loss,
        (c) =>
          `${signed(c.gap_mean)} ± ${formatAccuracy(c.gap_sd)}${c.equivalence.best_val.equivalent ? "*" : ""} / ${
            signed(c.final_gap_mean)
          } ± ${formatAccuracy(c.final_gap_sd)}${c.equivalence.final_epoch.equivalent ? "*" : ""}`,
      ),
      "",
    );
  }
  if (heat.collapse.length) {
    parts.push(
      `## Heat-maps (notebook 04): how far each loss collapsed, width × epochs\n`,
      "At the last epoch: training accuracy (%, mean over seeds) / NC1 (geometric mean over seeds) / NC1 at the first evaluation over NC1 at the last (geometric mean over seeds).\n",
      figures("heatmap_collapse"),
    );
  }
  for (const loss of [...new Set(heat.collapse.map((c) => c.loss))]) {
    const own = heat.collapse.filter((c) => c.loss === loss);
    // The drop is a factor: two significant digits, written out (1,400×), not in NC1's exponent form.
    const nc1 = metricTexts(own, (c) => c.nc1);
    const drop = (c: (typeof own)[number]) =>
      c.nc1_drop >= 100 ? Number(c.nc1_drop.toPrecision(2)).toLocaleString("en-US") : c.nc1_drop.toPrecision(2);
    parts.push(
      `### ${label(loss)}\n`,
      cellMatrix(own, loss, (c) => `${formatAccuracy(c.train_accuracy)} / ${nc1(c)} / ${drop(c)}×`),
      "",
    );
  }
  const arrangements = (claim: Record<string, GapClaim>, axis: "width" | "epochs") => {
    const counts = [...new Set(Object.values(claim).map((c) => c[axis].permutations))];
    const exact = Object.values(claim).every((c) => c[axis].exact);
    return exact ? `all ${counts.join(" or ")}` : `${counts.join(" or ")} seeded random`;
  };
  const accuracies = [["best_val", heat.claim.best_val], ["last_epoch", heat.claim.final_epoch]] as const;
  const trends = accuracies.flatMap(([accuracy, claim]) =>
    Object.entries(claim).map(([loss, c]) => ({
      loss: label(loss),
      accuracy,
      seeds: c.seeds,
      rho_width: c.width.rho,
      p_width: c.width.p_shrinks,
      slope_width: `${formatAccuracy(c.width.slope_per_doubling)} ${interval(c.width.slope_interval)}`,
      rho_epochs: c.epochs.rho,
      p_epochs: c.epochs.p_shrinks,
      slope_epochs: `${formatAccuracy(c.epochs.slope_per_doubling)} ${interval(c.epochs.slope_interval)}`,
      holds: c.holds,
    }))
  );
  parts.push(
    "## Heat-maps (notebook 04): does |gap| shrink with width and with epochs?\n",
    `rho: Spearman's correlation of |gap| (mean over seeds of Acc_CE − Acc_X) with the width and with the epoch budget over the cells. p: one-sided permutation test of rho < 0 (two significant digits), the widths rearranged among the cells of each budget (${
      arrangements(heat.claim.best_val, "width")
    } arrangements) and the budgets among the cells of each width (${
      arrangements(heat.claim.best_val, "epochs")
    }). slope: change of |gap| per doubling (points), per-seed least squares on log2 width and log2 epochs together, mean over seeds [95 % t interval over seeds]. holds: both p < 0.05 (docs/method.md §9).\n`,
    formattedTable(trends, [
      "loss",
      "accuracy",
      "seeds",
      "rho_width",
      "p_width",
      "slope_width",
      "rho_epochs",
      "p_epochs",
      "slope_epochs",
      "holds",
    ]),
    "",
  );
  const accuracyRows = accuracyMatrix(heat);
  if (accuracyRows.rows.length) {
    parts.push(
      "## Heat-maps (notebook 04): each loss's test accuracy, width × epochs\n",
      "Test accuracy (%) at the best-validation epoch, mean over seeds: the cells of the accuracy heat-map and the points of the accuracy-against-budget figure. Signed gaps to CE are in the matrices above.\n",
      figures("heatmap_accuracy", "accuracy_vs_epochs"),
      markdownTable(accuracyRows.rows, ["loss", "epochs", ...accuracyRows.columns], String),
      "",
    );
  }
  if (heat.variance.length) {
    const cells = heat.variance.map((r) => ({ ...r, loss: "all" }));
    const variance = metricTexts(cells, (r) => r.variance);
    parts.push(
      "## Heat-maps (notebook 04): variance of test accuracy over losses × seeds (%²)\n",
      `Population variance over the ${
        heat.variance[0].runs
      } runs of a cell (every loss and seed), best-validation epoch.\n`,
      figures("heatmap_variance", "heatmap_variance_column"),
      cellMatrix(cells, "all", variance),
      "",
    );
  }
  return parts;
}

/** Rows loss × budget (largest first), a column per width: each loss's mean test accuracy. */
function accuracyMatrix(heat: HeatmapReport): { rows: Record<string, string>[]; columns: string[] } {
  const widths = [...new Set(heat.accuracy.map((r) => r.width))].sort((a, b) => a - b);
  const epochs = [...new Set(heat.accuracy.map((r) => r.epochs))].sort((a, b) => b - a);
  const columns = widths.map((w) => `width_${w}`);
  const value = new Map<string, number>();
  for (const r of heat.accuracy) {
    value.set(`ce|${r.width}|${r.epochs}`, r.ce_mean);
    value.set(`${r.loss}|${r.width}|${r.epochs}`, r.mean);
  }
  const losses = heat.accuracy.length ? ["ce", ...new Set(heat.accuracy.map((r) => r.loss))] : [];
  const rows = losses.flatMap((loss) =>
    epochs.map((e) => ({
      loss: label(loss),
      epochs: String(e),
      ...Object.fromEntries(widths.map((w, i) => [columns[i], formatAccuracy(value.get(`${loss}|${w}|${e}`))])),
    }))
  );
  return { rows, columns };
}
