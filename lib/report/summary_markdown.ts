/**
 * `figures/SUMMARY.md`: the key numbers behind the figures of a preset, from the figures' runs.
 *
 * @module
 */
import type { FigureName } from "../experiments/figure_presets.ts";
import type { PresetName } from "../experiments/presets.ts";
import type { RunRecord } from "../training/run.ts";
import { collapseReached, gapTrends, gapTrendsFrame, lossSpread } from "./claims.ts";
import {
  accuracyGaps,
  accuracyTable,
  hyperparameterTable,
  layerCollapseTable,
  layerMetricsFrame,
  lossVariance,
  nc1Drop,
  signedAccuracyGaps,
  summaryFrame,
} from "./run_frames.ts";
import { type UfmStudies, ufmSummaryMarkdown } from "./ufm_summary.ts";

const figures = (...names: string[]) => `Figures: ${names.map((n) => `[${n}.svg](${n}.svg)`).join(", ")}.\n`;

const fmt = (v: unknown, digits: number): string =>
  typeof v !== "number"
    ? String(v ?? "—")
    : Number.isInteger(v)
    ? String(v)
    : Math.abs(v) >= 1e-3
    ? v.toFixed(digits)
    : v.toExponential(2);

/** A markdown table of records, numbers with `digits` decimals. */
function markdownTable(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
  digits = 2,
): string {
  const head = `| ${columns.join(" | ")} |\n| ${columns.map(() => "---").join(" | ")} |`;
  return [head, ...rows.map((r) => `| ${columns.map((c) => fmt(r[c], digits)).join(" | ")} |`)].join("\n");
}

/**
 * The summary's markdown, from the stored runs of each figure's grid (a figure without runs is left
 * out) and, when given, the outcomes of the UFM studies (notebooks 01 and 02, see {@link ufmStudies}).
 * Each section names the figures (in `figures/`, each also as `.png` and `.pdf`) whose numbers it gives.
 *
 * @example
 * ```ts ignore (reads the run store)
 * const runs = Object.fromEntries(FIGURE_NAMES.map((f) => [f, storedRuns(figureGrid(f, "cpu"), runsDir())]));
 * writeFileSync("figures/SUMMARY.md", summaryMarkdown("cpu", runs, ufmStudies(UFM_PRESETS.cpu)));
 * ```
 */
export function summaryMarkdown(
  preset: PresetName,
  runs: Partial<Record<FigureName, RunRecord[]>>,
  ufm?: UfmStudies,
): string {
  const parts = [
    `# Key numbers (preset \`${preset}\`)\n`,
    "Read from the run store by `deno task reproduce`; accuracies in percent, test accuracy at the best-validation epoch unless stated. Every figure is in this folder as `.svg`, `.png` and `.pdf`.\n",
  ];
  if (ufm) parts.push(ufmSummaryMarkdown(ufm));
  const dynamics = runs.nc_dynamics ?? [];
  if (dynamics.length) {
    const key = (loss: unknown, seed: unknown) => `${loss}|${seed}`;
    const byRun = new Map<string, RunRecord>(dynamics.map((r) => [key(r.config.loss.name, r.config.seed), r]));
    const rows = collapseReached(dynamics).toRecords().map((c) => {
      const r = byRun.get(key(c.loss, c.seed))!, last = r.rows.at(-1)!;
      return {
        loss: String(c.loss).toUpperCase(),
        seed: c.seed,
        epoch: last.epoch,
        train_acc: 100 * last.trainAccuracy,
        test_acc_best_val: 100 * (r.status.summary?.bestValTestAccuracy ?? NaN),
        NC1: last.nc1,
        NC2: last.nc2,
        NC3: last.nc3,
        NC4: last.nc4,
        NC1_first_over_last: nc1Drop(r),
        targets_met: c.all ? "yes" : "no",
      };
    });
    parts.push(
      "## NC dynamics (notebook 03): last evaluation per loss\n",
      "Targets: 100 % training accuracy, NC1 at least 100× below its first evaluation, NC2 and NC3 below 0.2.\n",
      figures("nc_dynamics"),
      markdownTable(
        rows,
        [
          "loss",
          "seed",
          "epoch",
          "train_acc",
          "test_acc_best_val",
          "NC1",
          "NC2",
          "NC3",
          "NC4",
          "NC1_first_over_last",
          "targets_met",
        ],
        3,
      ),
      "",
    );
    const layers = layerMetricsFrame(dynamics);
    if (layers.height > 0) {
      parts.push(
        "## Collapse layer by layer (notebook 07): every hidden layer at the first and last evaluation\n",
        figures("layer_collapse"),
        markdownTable(
          layerCollapseTable(layers).toRecords(),
          ["loss_label", "layer", "nc1_first", "nc1_last", "nc1_drop", "nc2_means_last"],
          3,
        ),
        "",
      );
    }
  }
  const heat = runs.heatmaps ?? [];
  if (heat.length) {
    const summary = summaryFrame(heat);
    const signed = signedAccuracyGaps(summary).toRecords();
    const widths = [...new Set(signed.map((r) => r.width as number))].sort((a, b) => a - b);
    const epochs = [...new Set(signed.map((r) => r.epochs as number))].sort((a, b) => a - b);
    for (const loss of [...new Set(signed.map((r) => r.loss as string))]) {
      const cell = (w: number, e: number) => {
        const r = signed.find((x) => x.loss === loss && x.width === w && x.epochs === e);
        if (!r) return "—";
        const gap = r.gap as number, sd = r.gap_sd as number;
        const text = `${gap >= 0 ? "+" : "−"}${Math.abs(gap).toFixed(2)} ± ${
          Number.isFinite(sd) ? sd.toFixed(2) : "—"
        }`;
        return r.within_noise ? `(${text})` : text;
      };
      const rows = epochs.map((e) => ({
        epochs: e,
        ...Object.fromEntries(widths.map((w) => [`width ${w}`, cell(w, e)])),
      }));
      parts.push(
        `## Heat-map (notebook 04): CE − ${loss.toUpperCase()} test accuracy, width × epochs (points, mean ± sd over seeds; in parentheses where |gap| ≤ sd)\n`,
        figures("heatmap_gaps"),
        markdownTable(rows, ["epochs", ...widths.map((w) => `width ${w}`)]),
        "",
      );
    }
    const trends = gapTrendsFrame(gapTrends(summary)).toRecords().map((r) => ({
      X: String(r.loss).toUpperCase(),
      seeds: r.seeds,
      rho_width: r.rho_width,
      interval_width: `[${(r.rho_width_low as number).toFixed(2)}, ${(r.rho_width_high as number).toFixed(2)}]`,
      rho_epochs: r.rho_epochs,
      interval_epochs: `[${(r.rho_epochs_low as number).toFixed(2)}, ${(r.rho_epochs_high as number).toFixed(2)}]`,
      holds: r.holds ? "yes" : "no",
    }));
    parts.push(
      "## Heat-maps (notebook 04): does |gap| shrink with width and with epochs?\n",
      "Spearman's ρ of |gap| with width and with the epoch budget over the cells, 90 % bootstrap interval over seeds; the claim holds where both intervals lie below 0 (docs/method.md §9).\n",
      markdownTable(trends, ["X", "seeds", "rho_width", "interval_width", "rho_epochs", "interval_epochs", "holds"]),
      "",
    );
    const gaps = accuracyGaps(summary).toRecords().map((r) => ({ ...r, X: String(r.loss).toUpperCase() }));
    parts.push(
      "## Heat-maps (notebook 04): |Acc_CE − Acc_X| per width and budget (percentage points)\n",
      "`mean` is loss X's and `ce_mean` CE's test accuracy, mean over seeds (the cells of the accuracy heat-map and the points of the accuracy-against-budget figure).\n",
      figures("heatmap_accuracy", "accuracy_vs_epochs"),
      markdownTable(gaps, ["X", "width", "epochs", "gap", "mean", "ce_mean"]),
      "",
      "## Heat-map (notebook 04): variance of test accuracy over losses × seeds (%²)\n",
      figures("heatmap_variance", "heatmap_variance_column"),
      markdownTable(lossVariance(summary).toRecords(), ["width", "epochs", "variance", "runs"], 3),
      "",
    );
  }
  const table = runs.accuracy_table ?? [];
  if (table.length) {
    const frame = summaryFrame(table);
    const rows = accuracyTable(frame).toRecords();
    parts.push(
      "## Accuracy table (notebook 05): mean ± sd over seeds\n",
      figures("accuracy_table", "accuracy_table_column"),
      markdownTable(rows, ["dataset", "model", "width", "epochs", "loss_label", "seeds", "accuracy"]),
      "",
    );
    if (rows.some((r) => (r.seeds as number) > 1)) {
      const s = lossSpread(frame);
      parts.push(
        `Spread of the losses' means ${s.range.toFixed(2)} points, pooled seed sd ${
          s.seedSd.toFixed(2)
        }; one-way ANOVA F = ${s.F.toFixed(2)}, p = ${s.p.toFixed(3)}: ${
          s.withinSeedNoise ? "within seed noise" : "larger than seed noise"
        } (docs/method.md §9).\n`,
      );
    }
  }
  const hyper = runs.hyperparameters ?? [];
  if (hyper.length) {
    const rows = hyperparameterTable(summaryFrame(hyper)).toRecords();
    parts.push(
      "## Loss hyper-parameters (notebook 06): mean and sd over seeds\n",
      figures("loss_hyperparameters", "hyperparameter_nc1_trajectories"),
      markdownTable(
        rows,
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
        3,
      ),
      "",
    );
  }
  if (parts.length === 2 && !ufm) parts.push("No runs of this preset are in the run store yet.\n");
  return parts.join("\n") + "\n";
}
