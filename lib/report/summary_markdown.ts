/**
 * `figures/SUMMARY.md`: the report's key numbers beside the figures they belong to, as markdown.
 *
 * @module
 */
import { formatDecimals, formatNumber, markdownTable } from "./number_format.ts";
import type { Report } from "./report.ts";
import { heatmapSections } from "./summary_markdown_heatmaps.ts";
import { decimals, figures, interval, label, precise, yesNo } from "./summary_markdown_parts.ts";
import type { UfmNumbers } from "./ufm_report.ts";

function ufmSections(ufm: UfmNumbers): string[] {
  const { problem: p } = ufm;
  const table = (rows: Record<string, unknown>[]) => markdownTable(rows, Object.keys(rows[0] ?? {}), precise);
  return [
    `## UFM global minimizers (notebook 01): K = ${p.K}, n = ${p.n}, d = ${p.d}, λ_W = λ_H = ${p.lambda}, λ_b = ${p.lambda_b}\n`,
    figures(
      "ufm_nc_history",
      "ufm_objective_optimised_vs_predicted",
      "ufm_objective_optimised_vs_predicted_column",
      "ufm_wnorm_optimised_vs_predicted",
      "ufm_wnorm_optimised_vs_predicted_column",
    ),
    table(ufm.minimizers.map((r) => ({
      loss: label(r.loss),
      objective: r.objective,
      objective_predicted: r.objective_predicted,
      objective_rel_error: r.objective_rel_error,
      "‖w_k‖²": r.w_norm_sq,
      "‖w_k‖²_predicted": r.w_norm_sq_predicted,
      "‖w_k‖²_rel_error": r.w_norm_sq_rel_error,
      NC1: r.nc1,
      NC2: r.nc2,
      NC3: r.nc3,
      NC4: r.nc4,
      NC4_predicted: r.nc4_predicted,
      iterations: r.iterations,
    }))),
    "",
    `## UFM ‖w_k‖² against λ (notebook 01): λ ∈ {${p.sweep_lambdas.join(", ")}}\n`,
    figures("ufm_wnorm_vs_lambda", "ufm_wnorm_vs_lambda_column"),
    table(ufm.lambda_sweep.map((r) => ({
      loss: label(r.loss),
      points: r.points,
      "‖w_k‖²_smallest_λ": r.w_norm_sq_smallest_lambda,
      "‖w_k‖²_largest_λ": r.w_norm_sq_largest_lambda,
      max_abs_rel_error: r.max_abs_rel_error,
    }))),
    "",
    `## UFM landscape (notebook 02): K = ${p.K}, n = ${p.landscape_n}, ${p.landscape_seeds} seeds per setting; ${ufm.landscape.reached} of ${ufm.landscape.runs} runs reach the predicted global minimizer (d ≥ K − 1 = ${
      p.K - 1
    } makes it attainable)\n`,
    figures("ufm_landscape_gaps"),
    table(ufm.landscape.settings.map((r) => ({
      loss: label(r.loss),
      d: r.d,
      start: r.start,
      runs: r.runs,
      reached_optimum: r.reached_optimum,
      fraction: `${r.reached_percent} %`,
      min_gap: r.min_gap,
      max_gap: r.max_gap,
      max_NC123: r.max_nc123,
    }))),
    "",
  ];
}

function dynamicsSections(report: Report): string[] {
  const { targets, runs } = report.collapse;
  const meanSd = (m: number, sd: number, digits: number) =>
    `${formatNumber(m, digits)} ± ${Number.isFinite(sd) ? formatNumber(sd, 2) : "—"}`;
  const parts = [
    "## NC dynamics (notebook 03): last evaluation of every seed\n",
    `Targets: ${targets.train_accuracy} % training accuracy, NC1 at least ${targets.nc1Drop}× below its first evaluation, NC2 and NC3 below ${targets.nc2}. test_acc_best_val: at the best-validation epoch (the paper's protocol); test_acc_last: at the last epoch (the network at collapse).\n`,
    figures("nc_dynamics"),
    markdownTable(
      runs.map((r) => ({
        loss: label(r.loss),
        seed: r.seed,
        epoch: r.epoch,
        train_acc: r.train_accuracy,
        test_acc_best_val: r.test_accuracy_best_val,
        test_acc_last: r.test_accuracy_last,
        NC1: formatNumber(r.nc1, 3),
        NC2: r.nc2,
        NC3: r.nc3,
        NC4: r.nc4,
        NC1_first_over_last: formatNumber(r.nc1_drop, 3),
        targets_met: yesNo(r.targets_met),
      })),
      [
        "loss",
        "seed",
        "epoch",
        "train_acc",
        "test_acc_best_val",
        "test_acc_last",
        "NC1",
        "NC2",
        "NC3",
        "NC4",
        "NC1_first_over_last",
        "targets_met",
      ],
      decimals(3),
    ),
    "",
    "## NC dynamics (notebook 03): mean ± sd over seeds\n",
    markdownTable(
      Object.entries(report.nc_dynamics).map(([loss, d]) => ({
        loss: label(loss),
        seeds: d.seeds.length,
        NC1_last: meanSd(d.mean.nc1_last, d.sd.nc1_last, 3),
        NC1_first_over_last: meanSd(d.mean.nc1_drop, d.sd.nc1_drop, 3),
        NC2_last: meanSd(d.mean.nc2_last, d.sd.nc2_last, 3),
        NC3_last: meanSd(d.mean.nc3_last, d.sd.nc3_last, 3),
        NC4_last: meanSd(d.mean.nc4_last, d.sd.nc4_last, 3),
        test_acc_best_val: meanSd(d.mean.test_accuracy_best_val, d.sd.test_accuracy_best_val, 4),
        test_acc_last: meanSd(d.mean.test_accuracy_last, d.sd.test_accuracy_last, 4),
        best_val_epoch: d.per_seed.map((s) => s.best_val_epoch).join(", "),
      })),
      [
        "loss",
        "seeds",
        "NC1_last",
        "NC1_first_over_last",
        "NC2_last",
        "NC3_last",
        "NC4_last",
        "test_acc_best_val",
        "test_acc_last",
        "best_val_epoch",
      ],
      decimals(3),
    ),
    "",
  ];
  if (report.layers.length) {
    parts.push(
      "## Collapse layer by layer (notebook 07): every hidden layer at the first and last evaluation\n",
      figures("layer_collapse"),
      markdownTable(
        report.layers.map((r) => ({ ...r, loss_label: label(r.loss) })),
        ["loss_label", "seed", "layer", "nc1_first", "nc1_last", "nc1_drop", "nc2_means_last"],
        decimals(3),
      ),
      "",
    );
  }
  return parts;
}

function accuracySections(report: Report): string[] {
  const meanSd = (m: number, sd: number) => `${m.toFixed(2)} ± ${(Number.isFinite(sd) ? sd : 0).toFixed(2)}`;
  const rows = Object.entries(report.accuracy_table).map(([loss, a]) => ({
    ...a,
    loss_label: label(loss),
    best_val: meanSd(a.mean, a.sd),
    last_epoch: meanSd(a.final_mean, a.final_sd),
  }));
  const parts = [
    "## Accuracy table (notebook 05): test accuracy at the best-validation epoch and at the last, mean ± sd over seeds\n",
    figures("accuracy_table", "accuracy_table_column"),
    markdownTable(
      rows,
      ["dataset", "model", "width", "epochs", "loss_label", "seeds", "best_val", "last_epoch"],
      decimals(2),
    ),
    "",
  ];
  const s = report.accuracy_spread;
  if (s) {
    parts.push(
      `Spread of the losses' means ${s.range.toFixed(2)} points, pooled seed sd ${
        s.seed_sd.toFixed(2)
      }; one-way ANOVA F = ${s.F.toFixed(2)}, p = ${s.p.toFixed(3)}: ${
        s.within_seed_noise ? "no spread detected beyond seed noise" : "larger than seed noise"
      } (docs/method.md §9).\n`,
    );
  }
  const c = report.accuracy_comparisons;
  if (c) parts.push(...comparisonSections(c));
  return parts;
}

function comparisonSections(c: NonNullable<Report["accuracy_comparisons"]>): string[] {
  const accuracies = [["best-val", c.best_val], ["last epoch", c.final_epoch]] as const;
  const equivalence = accuracies.flatMap(([accuracy, a]) =>
    Object.entries(a.equivalence_to_ce).map(([loss, e]) => ({
      X: label(loss),
      accuracy,
      seeds: e.seeds,
      ce_minus_x: e.mean_difference,
      interval: interval(e.interval),
      p: formatDecimals(e.p, 4),
      equivalent: yesNo(e.equivalent),
      smallest_margin: e.smallest_margin,
    }))
  );
  const pairs = accuracies.flatMap(([accuracy, a]) =>
    a.pairs.map((d) => ({
      pair: `${label(d.loss)} − ${label(d.other)}`,
      accuracy,
      seeds: d.seeds,
      difference: d.mean_difference,
      interval: interval(d.interval),
      p: formatDecimals(d.p, 4),
      p_holm: formatDecimals(d.p_holm, 4),
    }))
  );
  return [
    `## Accuracy table (notebook 05): nearly the same accuracy? Equivalence to CE within ±${c.margin} points\n`,
    `Paired by seed: Acc_CE − Acc_X (points), its ${
      formatNumber(100 * c.equivalence_interval_level)
    } % t interval, and the two one-sided tests' p; equivalent where the interval lies inside ±${c.margin} (p < 0.05). smallest_margin: the margin at which equivalence would be declared. Test accuracy at the best-validation epoch and at the last epoch (docs/method.md §9).\n`,
    markdownTable(
      equivalence,
      ["X", "accuracy", "seeds", "ce_minus_x", "interval", "p", "equivalent", "smallest_margin"],
      decimals(2),
    ),
    "",
    "## Accuracy table (notebook 05): every pair of losses\n",
    `Paired by seed: mean difference (points) with a ${
      formatNumber(100 * c.pair_interval_level)
    } % t interval (simultaneous 95 % over the pairs, Bonferroni), the paired t test's p and Holm's adjustment of it.\n`,
    markdownTable(pairs, ["pair", "accuracy", "seeds", "difference", "interval", "p", "p_holm"], decimals(2)),
    "",
  ];
}

function hyperparameterSections(report: Report): string[] {
  return [
    "## Loss hyper-parameters (notebook 06): mean and sd over seeds\n",
    figures("loss_hyperparameters", "hyperparameter_nc1_trajectories"),
    markdownTable(
      report.hyperparameters.map((r) => ({
        loss_label: label(r.loss),
        loss_param: r.parameter,
        seeds: r.seeds,
        test_accuracy_mean: r.test_accuracy_mean,
        test_accuracy_sd: r.test_accuracy_sd,
        nc1_mean: r.nc1_last_mean,
        nc1_sd: r.nc1_last_sd,
        nc2_mean: r.nc2_last_mean,
        nc3_mean: r.nc3_last_mean,
      })),
      [
        "loss_label",
        "loss_param",
        "seeds",
        "test_accuracy_mean",
        "test_accuracy_sd",
        "nc1_mean",
        "nc1_sd",
        "nc2_mean",
        "nc3_mean",
      ],
      decimals(3),
    ),
    "",
  ];
}

/**
 * The report as markdown (`figures/SUMMARY.md`): each section names the figures (in `figures/`,
 * each also as `.png` and `.pdf`) whose numbers it gives; a figure without runs is left out.
 *
 * @example
 * ```ts
 * summaryMarkdown(reproductionReport("smoke", {})).includes("No runs of this preset"); // true
 * ```
 */
export function summaryMarkdown(report: Report): string {
  const parts = [
    `# Key numbers (preset \`${report.preset}\`)\n`,
    "Read from the run store by `deno task reproduce`; accuracies in percent, test accuracy at the best-validation epoch unless stated. Every figure is in this folder as `.svg`, `.png` and `.pdf`.\n",
  ];
  if (report.ufm) parts.push(...ufmSections(report.ufm));
  if (report.collapse.runs.length) parts.push(...dynamicsSections(report));
  if (report.heatmaps.cells.length || report.heatmaps.collapse.length) {
    parts.push(...heatmapSections(report.heatmaps));
  }
  if (Object.keys(report.accuracy_table).length) parts.push(...accuracySections(report));
  if (report.hyperparameters.length) parts.push(...hyperparameterSections(report));
  if (parts.length === 2) parts.push("No runs of this preset are in the run store yet.\n");
  return parts.join("\n") + "\n";
}
