/**
 * `figures/SUMMARY.md`: the key numbers behind the figures of a preset, read from the run store.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { figureGrid } from "../experiments/figure_presets.ts";
import type { PresetName } from "../experiments/presets.ts";
import { readRun, type RunRecord } from "../experiments/run_store.ts";
import { expandGrid } from "../experiments/sweep.ts";
import { runId } from "../training/config.ts";
import { accuracyGaps, accuracyTable, summaryFrame } from "./run_frames.ts";

/** The stored runs of a figure's grid (runs not in the store are skipped). */
export function figureRuns(figure: string, preset: PresetName, runsDir: string): RunRecord[] {
  return expandGrid(figureGrid(figure, preset))
    .map((c) => join(runsDir, runId(c)))
    .filter((dir) => existsSync(join(dir, "status.json")))
    .map(readRun);
}

const fmt = (v: unknown, digits: number): string =>
  typeof v !== "number"
    ? String(v ?? "—")
    : Number.isInteger(v)
    ? String(v)
    : Math.abs(v) >= 1e-3
    ? v.toFixed(digits)
    : v.toExponential(2);

/** A markdown table of records, numbers with `digits` decimals. */
export function markdownTable(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
  digits = 2,
): string {
  const head = `| ${columns.join(" | ")} |\n| ${columns.map(() => "---").join(" | ")} |`;
  return [head, ...rows.map((r) => `| ${columns.map((c) => fmt(r[c], digits)).join(" | ")} |`)].join("\n");
}

/**
 * The summary's markdown.
 *
 * @example
 * ```ts
 * writeFileSync("figures/SUMMARY.md", summaryMarkdown("cpu", runsDir()));
 * ```
 */
export function summaryMarkdown(preset: PresetName, runsDir: string): string {
  const parts = [
    `# Key numbers (preset \`${preset}\`)\n`,
    "Read from the run store by `deno task reproduce`; accuracies in percent, test accuracy at the best-validation epoch unless stated.\n",
  ];
  const dynamics = figureRuns("nc_dynamics", preset, runsDir);
  if (dynamics.length) {
    const rows = dynamics.map((r) => {
      const first = r.rows[0], last = r.rows.at(-1)!;
      return {
        loss: r.config.loss.name.toUpperCase(),
        epoch: last.epoch,
        train_acc: 100 * last.trainAccuracy,
        test_acc: 100 * last.testAccuracy,
        NC1: last.nc1,
        NC2: last.nc2,
        NC3: last.nc3,
        NC4: last.nc4,
        NC1_first_over_last: first.nc1 / last.nc1,
      };
    });
    parts.push(
      "## NC dynamics (notebook 03): last evaluation per loss\n",
      markdownTable(
        rows,
        ["loss", "epoch", "train_acc", "test_acc", "NC1", "NC2", "NC3", "NC4", "NC1_first_over_last"],
        3,
      ),
      "",
    );
  }
  const heat = figureRuns("heatmaps", preset, runsDir);
  if (heat.length) {
    const gaps = accuracyGaps(summaryFrame(heat)).toRecords().map((r) => ({ ...r, X: String(r.loss).toUpperCase() }));
    parts.push(
      "## Heat-maps (notebook 04): |Acc_CE − Acc_X| per width and budget (percentage points)\n",
      markdownTable(gaps, ["X", "width", "epochs", "gap", "mean", "ce_mean"]),
      "",
    );
  }
  const table = figureRuns("accuracy_table", preset, runsDir);
  if (table.length) {
    const rows = accuracyTable(summaryFrame(table)).toRecords();
    parts.push(
      "## Accuracy table (notebook 05): mean ± sd over seeds\n",
      markdownTable(rows, ["dataset", "model", "width", "epochs", "loss_label", "seeds", "accuracy"]),
      "",
    );
  }
  const hyper = figureRuns("hyperparameters", preset, runsDir);
  if (hyper.length) {
    const rows = summaryFrame(hyper).sort(["loss", "loss_param"]).toRecords();
    parts.push(
      "## Loss hyper-parameters (notebook 06)\n",
      markdownTable(
        rows,
        ["loss_label", "loss_param", "test_accuracy", "final_train_accuracy", "nc1", "nc2", "nc3"],
        3,
      ),
      "",
    );
  }
  if (parts.length === 2) parts.push("No runs of this preset are in the run store yet.\n");
  return parts.join("\n") + "\n";
}
