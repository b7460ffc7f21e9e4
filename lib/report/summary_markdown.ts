/**
 * `figures/SUMMARY.md`: the report's key numbers beside the figures they belong to, as markdown.
 * Every number follows the display rule (`number_format.ts`): accuracies (and differences of
 * accuracies, in points) with two decimals, NC metrics and other measured values with two
 * significant digits and one notation a column, p-values with two significant digits ("< 0.001"
 * below), UFM values compared with a closed form with six. Column names are snake_case, losses
 * their labels (CE, LS, FL, MSE), and tables stay short: per-seed detail is in `summary.json`.
 *
 * @module
 */
import { formatNumber } from "./number_format.ts";
import type { Report } from "./report.ts";
import { accuracySections } from "./summary_markdown_accuracy.ts";
import { heatmapSections } from "./summary_markdown_heatmaps.ts";
import { bestValNote, figures, formattedTable, label, meanSdColumn } from "./summary_markdown_parts.ts";
import { ufmSections } from "./summary_markdown_ufm.ts";

function dynamicsSections(report: Report): string[] {
  const { targets, runs } = report.collapse;
  const epochs = [...new Set(runs.map((r) => r.epoch))];
  const parts = [
    "## NC dynamics (notebook 03): last evaluation of every seed\n",
    `Targets: ${targets.train_accuracy} % training accuracy, NC1 at least ${targets.nc1Drop}× below its first evaluation, NC2 and NC3 below ${targets.nc2}. test_acc_best_val: test accuracy at the best-validation epoch (the paper's protocol); test_acc_last: at the last epoch (the network at collapse). ${
      bestValNote(epochs.map((e) => formatNumber(e)).join(" or "))
    }`,
    figures("nc_dynamics"),
    formattedTable(
      runs.map((r) => ({
        loss: label(r.loss),
        seed: r.seed,
        epoch: r.epoch,
        train_acc: r.train_accuracy,
        test_acc_best_val: r.test_accuracy_best_val,
        test_acc_last: r.test_accuracy_last,
        nc1: r.nc1,
        nc2: r.nc2,
        nc3: r.nc3,
        nc4: r.nc4,
        nc1_first_over_last: r.nc1_drop,
        targets_met: r.targets_met,
      })),
      [
        "loss",
        "seed",
        "epoch",
        "train_acc",
        "test_acc_best_val",
        "test_acc_last",
        "nc1",
        "nc2",
        "nc3",
        "nc4",
        "nc1_first_over_last",
        "targets_met",
      ],
    ),
    "",
    "## NC dynamics (notebook 03): mean ± sd over seeds\n",
  ];
  const dynamics = Object.entries(report.nc_dynamics);
  const column = (key: keyof (typeof dynamics)[number][1]["mean"], rule: "accuracy" | "metric") =>
    meanSdColumn(dynamics.map(([, d]) => d.mean[key]), dynamics.map(([, d]) => d.sd[key]), rule);
  const cells = {
    nc1_last: column("nc1_last", "metric"),
    nc1_first_over_last: column("nc1_drop", "metric"),
    nc2_last: column("nc2_last", "metric"),
    nc3_last: column("nc3_last", "metric"),
    nc4_last: column("nc4_last", "metric"),
    test_acc_best_val: column("test_accuracy_best_val", "accuracy"),
    test_acc_last: column("test_accuracy_last", "accuracy"),
  };
  parts.push(
    formattedTable(
      dynamics.map(([loss, d], i) => ({
        loss: label(loss),
        seeds: d.seeds.length,
        ...Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, v[i]])),
        best_val_epoch: d.per_seed.map((s) => (Number.isFinite(s.best_val_epoch) ? s.best_val_epoch : "—")).join(", "),
      })),
      ["loss", "seeds", ...Object.keys(cells), "best_val_epoch"],
    ),
    "",
  );
  if (report.layers.length) parts.push(...layerSection(report));
  return parts;
}

/** Every hidden layer's collapse per loss over seeds (`layer_means` of the report). */
function layerSection(report: Report): string[] {
  const rows = report.layer_means.map((r) => ({ ...r, loss: label(r.loss), nc1_first_over_last: r.nc1_drop }));
  return [
    "## Collapse layer by layer (notebook 07): every hidden layer at the first and last evaluation\n",
    "NC1 at the first and the last evaluation and their ratio (geometric means over seeds), NC2 of the layer's class means at the last (mean over seeds); per seed in summary.json.\n",
    figures("layer_collapse"),
    formattedTable(rows, [
      "loss",
      "layer",
      "seeds",
      "nc1_first",
      "nc1_last",
      "nc1_first_over_last",
      "nc2_means_last",
    ]),
    "",
  ];
}

function hyperparameterSections(report: Report): string[] {
  const rows = report.hyperparameters;
  const accuracy = meanSdColumn(rows.map((r) => r.test_accuracy_mean), rows.map((r) => r.test_accuracy_sd), "accuracy");
  const nc1 = meanSdColumn(rows.map((r) => r.nc1_last_mean), rows.map((r) => r.nc1_last_sd), "metric");
  return [
    "## Loss hyper-parameters (notebook 06): mean ± sd over seeds\n",
    "loss_param: LS's α or FL's γ. Test accuracy at the best-validation epoch; NC metrics at the last epoch (NC2 and NC3 means over seeds).\n",
    figures("loss_hyperparameters", "hyperparameter_nc1_trajectories"),
    formattedTable(
      rows.map((r, i) => ({
        loss: label(r.loss),
        loss_param: r.parameter,
        seeds: r.seeds,
        test_accuracy: accuracy[i],
        nc1: nc1[i],
        nc2_mean: r.nc2_last_mean,
        nc3_mean: r.nc3_last_mean,
      })),
      ["loss", "loss_param", "seeds", "test_accuracy", "nc1", "nc2_mean", "nc3_mean"],
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
    'Read from the run store by `deno task reproduce`; accuracies in percent (two decimals), NC metrics and other measured values with two significant digits, p-values with two significant digits ("< 0.001" below 0.001). Test accuracy at the best-validation epoch unless stated. Every figure is in this folder as `.svg`, `.png` and `.pdf`, its data as `.csv`; every number at full precision in `summary.json`.\n',
  ];
  if (report.ufm) parts.push(...ufmSections(report.ufm));
  if (report.collapse.runs.length) parts.push(...dynamicsSections(report));
  if (report.heatmaps.cells.length || report.heatmaps.collapse.length) {
    parts.push(...heatmapSections(report.heatmaps));
  }
  parts.push(...accuracySections(report));
  if (report.hyperparameters.length) parts.push(...hyperparameterSections(report));
  if (parts.length === 2) parts.push("No runs of this preset are in the run store yet.\n");
  return parts.join("\n") + "\n";
}
