/**
 * The heat-map figures of notebook 04, drawn from the report's heat-map section
 * (`heatmapReport`): the signed gaps CE − X with their equivalence marks, how far each cell
 * collapsed, each loss's test accuracy, and the variance over losses and seeds. Each is a
 * {@link heatmapGridPlot} carrying its cells as data, under the colour-scale rule of
 * `heatmap_scale.ts`.
 *
 * @module
 */
import { lossLabel } from "../core/loss_registry.ts";
import type { AccuracyKind, HeatmapReport } from "../report/heatmap_report.ts";
import { composeFigures } from "./compose.ts";
import { withFigureData } from "./figure_data.ts";
import { heatmapColumns, heatmapGridPlot, type HeatmapPanel, heatmapPlot } from "./heatmap_plots.ts";
import { figureLayout, type FigureStyleInput } from "./style.ts";
import type { SvgFigure } from "./svg.ts";

const label = lossLabel;
const lossesOf = (rows: readonly { loss: string }[]) => [...new Set(rows.map((r) => r.loss))];
// Non-breaking spaces: a title that wraps breaks after the comma.
const ACCURACY_TITLE: Record<AccuracyKind, string> = { best_val: "best\u00a0val.", final_epoch: "last\u00a0epoch" };

/**
 * CE − X test accuracy (points) per width and budget, one panel per loss X and accuracy, mean ± sd
 * over paired seeds, cells dashed where the paired equivalence test finds the two within ±margin.
 * Where a row holds every loss, a row per accuracy (best-validation epoch above, last epoch
 * below); on narrower figures a row per loss (best-validation epoch left, last epoch right).
 *
 * @example
 * ```ts
 * gapHeatmapPlot(heatmapReport([])); // a figure of no panels when there are no runs
 * ```
 */
export function gapHeatmapPlot(report: HeatmapReport, options: { style?: FigureStyleInput } = {}): SvgFigure {
  const losses = lossesOf(report.cells), kinds = ["best_val", "final_epoch"] as const;
  const panel = (x: string, kind: AccuracyKind): HeatmapPanel => ({
    title: `CE − ${label(x)}, ${ACCURACY_TITLE[kind]}`,
    keys: { loss: label(x), accuracy: kind === "best_val" ? "best_val" : "last_epoch" },
    cells: report.cells.filter((c) => c.loss === x).map((c) => ({
      width: c.width,
      epochs: c.epochs,
      value: kind === "best_val" ? c.gap_mean : c.final_gap_mean,
      spread: kind === "best_val" ? c.gap_sd : c.final_gap_sd,
      marked: c.equivalence[kind].equivalent,
    })),
  });
  const common = {
    label: "CE − X test accuracy (points), mean ± sd over seeds",
    values: "accuracy" as const,
    diverging: true,
    markNote: `equivalent within ±${report.margin} (TOST)`,
    markName: "equivalent",
    valueName: "ce_minus_x",
    style: options.style,
  };
  const byAccuracy = kinds.flatMap((kind) => losses.map((x) => panel(x, kind)));
  if (heatmapColumns(byAccuracy, { ...common, columns: losses.length }) === losses.length) {
    return heatmapGridPlot(byAccuracy, { ...common, columns: losses.length });
  }
  return heatmapGridPlot(losses.flatMap((x) => kinds.map((kind) => panel(x, kind))), { ...common, columns: 2 });
}

/**
 * How far each loss's runs collapsed per width and budget at the last epoch: training accuracy
 * (mean over seeds) above, NC1 (geometric mean over seeds) below, a panel per loss.
 *
 * @example
 * ```ts
 * collapseHeatmapPlot(heatmapReport([])); // a figure of no panels when there are no runs
 * ```
 */
export function collapseHeatmapPlot(report: HeatmapReport, options: { style?: FigureStyleInput } = {}): SvgFigure {
  const panels = (value: (c: HeatmapReport["collapse"][number]) => number): HeatmapPanel[] =>
    lossesOf(report.collapse).map((x) => ({
      title: label(x),
      keys: { loss: label(x) },
      cells: report.collapse.filter((c) => c.loss === x).map((c) => ({
        width: c.width,
        epochs: c.epochs,
        value: value(c),
      })),
    }));
  const accuracy = heatmapGridPlot(panels((c) => c.train_accuracy), {
    label: "training accuracy at the last epoch (%), mean over seeds",
    values: "accuracy",
    valueName: "train_accuracy",
    style: options.style,
  });
  const nc1 = heatmapGridPlot(panels((c) => c.nc1), {
    label: "NC1 at the last epoch, geometric mean over seeds (lower = more collapse)",
    valueName: "nc1",
    style: options.style,
  });
  // One row a cell, both quantities side by side.
  const rows = report.collapse.map((c) => ({
    loss: label(c.loss),
    width: c.width,
    epochs: c.epochs,
    seeds: c.seeds,
    train_accuracy: c.train_accuracy,
    nc1: c.nc1,
  }));
  const L = figureLayout(options.style);
  return withFigureData(composeFigures([accuracy, nc1], { columns: 1, gap: L.gap }), rows);
}

/**
 * Each loss's test accuracy at the best-validation epoch per width and budget, mean over seeds.
 *
 * @example
 * ```ts
 * accuracyHeatmapPlot(heatmapReport([])); // a figure of no panels when there are no runs
 * ```
 */
export function accuracyHeatmapPlot(report: HeatmapReport, options: { style?: FigureStyleInput } = {}): SvgFigure {
  const others = lossesOf(report.accuracy);
  const ce = [...new Map(report.accuracy.map((r) => [`${r.width}|${r.epochs}`, r])).values()].map((r) => ({
    width: r.width,
    epochs: r.epochs,
    value: r.ce_mean,
  }));
  const panels: HeatmapPanel[] = [
    ...(ce.length ? [{ title: "CE", keys: { loss: "CE" }, cells: ce }] : []),
    ...others.map((x) => ({
      title: label(x),
      keys: { loss: label(x) },
      cells: report.accuracy.filter((r) => r.loss === x).map((r) => ({
        width: r.width,
        epochs: r.epochs,
        value: r.mean,
      })),
    })),
  ];
  return heatmapGridPlot(panels, {
    label: "test accuracy at the best-validation epoch (%), mean over seeds",
    values: "accuracy",
    valueName: "test_accuracy",
    style: options.style,
  });
}

/**
 * The variance of test accuracy over every loss and seed of a cell (%², best-validation epoch).
 *
 * @example
 * ```ts
 * varianceHeatmapPlot(heatmapReport([])); // a figure of no panels when there are no runs
 * ```
 */
export function varianceHeatmapPlot(report: HeatmapReport, options: { style?: FigureStyleInput } = {}): SvgFigure {
  return heatmapPlot(
    report.variance.map((r) => ({ width: r.width, epochs: r.epochs, value: r.variance })),
    {
      title: "variance over losses × seeds",
      label: "variance of test accuracy (%²)",
      valueName: "variance",
      style: options.style,
    },
  );
}
