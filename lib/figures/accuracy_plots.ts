/**
 * Figures of test accuracy over seeds (notebooks 04 and 05): against the epoch budget, and per loss.
 * Every seed is drawn as a small hollow dot with the mean (or mean ± sd) of its group, so that the
 * spread a reader compares differences with is on the figure itself; accuracy axes then span the
 * data ({@link accuracyDomain} with a 2-point minimum) rather than a fixed 5 points. The metrics
 * against a loss hyper-parameter (notebook 06) are in `hyperparameter_plot.ts`.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { LossName } from "../core/losses.ts";
import { LOSS, LOSS_NAMES, lossLabel } from "../core/loss_registry.ts";
import { mean } from "../core/statistics.ts";
import { formatAccuracy } from "../report/number_format.ts";
import { composeFigures } from "./compose.ts";
import { type FigureDataRow, withFigureData } from "./figure_data.ts";
import { figureLayout, type FigureStyleInput } from "./style.ts";
import { LOSS_MARK, lossLegendItems, lossScales } from "./loss_style.ts";
import { SEED_DOT, seedDotLegendItem } from "./seed_band.ts";
import { legendStrip, plotSvg, type SvgFigure, textWidthEm } from "./svg.ts";
import { accuracyDomain, logAxis, numeric, panelRows, SEED_ACCURACY_MIN_SPAN } from "./run_plots.ts";
import type { AccuracyTableRow } from "../report/run_frames.ts";

const label = lossLabel;

/** A row of {@link accuracyVsEpochsPlot}: one run's accuracy (a record of `summaryFrame`). */
export interface BudgetRow {
  readonly loss: string;
  readonly width: number;
  readonly epochs: number;
  readonly seed: number;
  readonly [column: string]: unknown;
}

/**
 * Test accuracy against the epoch budget (log axis), one panel per width (docs/method.md §7,
 * `plot_test_line`), as many panels a row as fit: per loss a line through the means over seeds,
 * and each seed as a hollow dot drawn over the means; the losses are set a few points apart at each
 * budget so that their seeds do not cover one another. Rows are one per run (`summaryFrame` records: `loss`, `width`,
 * `epochs`, `seed` and the `column`, default `test_accuracy`); `note` says which accuracy it is.
 * The figure carries its data.
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * accuracyVsEpochsPlot(summaryFrame(runs).toRecords(), { column: "final_test_accuracy", note: "at the last epoch" });
 * ```
 */
export function accuracyVsEpochsPlot(
  rows: readonly BudgetRow[],
  options: { column?: string; label?: string; note?: string; style?: FigureStyleInput } = {},
): SvgFigure {
  const { column = "test_accuracy", label: yLabel = "test accuracy (%)" } = options;
  const note = options.note ?? (column === "test_accuracy" ? "at the best-validation epoch" : undefined);
  const L = figureLayout(options.style);
  const runs = rows.filter((r) => Number.isFinite(numeric(r[column])))
    .map((r) => ({ ...r, value: numeric(r[column]), label: label(r.loss) }));
  const losses = LOSS_NAMES.filter((l) => runs.some((r) => r.loss === l));
  const groups = Map.groupBy(runs, (r) => `${r.loss}|${r.width}|${r.epochs}`);
  const means = [...groups.values()].map((g) => ({
    loss: g[0].loss,
    label: g[0].label,
    width: g[0].width,
    epochs: g[0].epochs,
    value: mean(g.map((r) => r.value)),
    seeds: g.length,
  }));
  const widths = [...new Set(runs.map((d) => d.width))].sort((a, b) => a - b);
  const budgets = [...new Set(runs.map((d) => d.epochs))].sort((a, b) => a - b);
  const domain = accuracyDomain(runs.map((d) => d.value), { minSpan: SEED_ACCURACY_MIN_SPAN });
  const perRow = Math.max(1, Math.min(widths.length, Math.floor(L.width / (13 * L.font))));
  // Losses side by side at each budget, 0.75 text heights apart, centred on the budget.
  const dodge = (loss: string) => (losses.indexOf(loss as LossName) - (losses.length - 1) / 2) * 0.75 * L.font;
  const at = (text: string, d: { label: string; width: number; epochs: number }) =>
    `${d.label} · width ${d.width} · ${d.epochs} epochs${text}`;
  const panel = (width: number, panelWidth: number, first: boolean) => {
    const length = panelWidth - L.marginLeft - L.marginRight - 2 * L.font;
    const xLabel = textWidthEm("epoch budget (log scale)") * L.font <= panelWidth - L.marginLeft
      ? "epoch budget (log scale)"
      : "epoch budget (log)";
    const marks = losses.flatMap((loss) => {
      const dx = dodge(loss);
      const own = <T extends { loss: string; width: number }>(list: T[]) =>
        list.filter((d) => d.loss === loss && d.width === width);
      return [
        Plot.line(own(means), {
          x: "epochs",
          y: "value",
          stroke: "label",
          strokeWidth: LOSS_MARK.strokeWidth,
          sort: "epochs",
          dx,
        }),
        Plot.dot(own(means), {
          x: "epochs",
          y: "value",
          stroke: "label",
          fill: "label",
          symbol: "label",
          r: LOSS_MARK.r,
          dx,
          title: (d: (typeof means)[number]) =>
            at(`: ${formatAccuracy(d.value, "figure")} % (mean of ${d.seeds} seeds)`, d),
        }),
        // Each seed over the means, hollow (white inside), so that neither hides the other.
        Plot.dot(own(runs), {
          x: "epochs",
          y: "value",
          stroke: "label",
          r: SEED_DOT.r,
          strokeWidth: SEED_DOT.strokeWidth,
          fill: SEED_DOT.fill,
          dx,
          title: (d: (typeof runs)[number]) => at(` · seed ${d.seed}: ${formatAccuracy(d.value, "figure")} %`, d),
        }),
      ];
    });
    return plotSvg({
      width: panelWidth,
      height: 16 * L.font + L.facetMargins.marginTop - L.marginTop,
      ...L.facetMargins,
      ...lossScales(),
      x: {
        ...logAxis(budgets, { domain: [budgets[0], budgets.at(-1)!], label: xLabel, length, font: L.font }),
        inset: L.font,
      },
      y: { label: first ? yLabel : null, grid: true, domain, nice: true, ticks: 4 },
      marks: [
        Plot.frame({ stroke: "#ddd" }),
        ...marks,
        // The panel's title, centred above the frame (the y-axis label holds the left).
        Plot.text([`width ${width}`], {
          frameAnchor: "top",
          lineAnchor: "bottom",
          dy: -0.4 * L.font,
          text: (d: string) => d,
        }),
      ],
    }, { style: L.style });
  };
  const lines: SvgFigure[] = [];
  let start = 0;
  for (const count of panelRows(widths.length, perRow)) {
    const panelWidth = (L.width - L.gap * (perRow - 1)) / perRow;
    lines.push(
      composeFigures(widths.slice(start, start + count).map((w, i) => panel(w, panelWidth, i === 0)), { gap: L.gap }),
    );
    start += count;
  }
  const legend = legendStrip([
    ...lossLegendItems(losses),
    seedDotLegendItem(),
    ...(note ? [{ label: note, color: "#333", note: true }] : []),
  ], { width: L.width, style: L.style });
  const data: FigureDataRow[] = [
    ...means.map((d) => ({
      loss: d.label,
      width: d.width,
      epochs: d.epochs,
      seed: "mean",
      [column]: d.value,
      seeds: d.seeds,
    })),
    ...runs.map((d) => ({ loss: d.label, width: d.width, epochs: d.epochs, seed: d.seed, [column]: d.value })),
  ];
  return withFigureData(composeFigures([legend, ...lines], { columns: 1, gap: L.gap / 2, center: true }), data);
}

/**
 * Test accuracy per loss as mean ± one standard deviation over seeds (symbol and bar), with each
 * seed's value as a small hollow dot beside it when `seeds` are given, one panel per dataset
 * (notebook 05). The axis spans the bars and the seeds (at least 2 points), so that the bars are
 * longer than the symbols wherever the seeds differ by more than a few hundredths of a point. Rows
 * need `dataset`, `loss`, `mean` and `sd`. The figure carries its data.
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * accuracyBarsPlot(accuracyTable(summary).toRecords(), { style: "column" });
 * ```
 */
export function accuracyBarsPlot(
  rows: readonly Pick<AccuracyTableRow, "dataset" | "loss" | "mean" | "sd">[],
  options: {
    style?: FigureStyleInput;
    /** Each seed's value, drawn as a small hollow dot beside its loss's mean and bar. */
    seeds?: readonly { dataset: string; loss: string; value: number; seed?: number }[];
  } = {},
): SvgFigure {
  const L = figureLayout(options.style);
  const data = rows.map((r) => ({ ...r, label: label(r.loss), low: r.mean - (r.sd ?? 0), high: r.mean + (r.sd ?? 0) }));
  const seeds = (options.seeds ?? []).map((s) => ({ ...s, label: label(s.loss) }));
  const datasets = [...new Set(data.map((d) => d.dataset))];
  const plot = plotSvg({
    width: datasets.length > 1 ? L.width : Math.min(L.width, 30 * L.font),
    height: 17 * L.font + L.facetMargins.marginTop - L.marginTop,
    ...L.facetMargins,
    ...lossScales(),
    x: {
      domain: LOSS_NAMES.map((l) => LOSS[l].label).filter((l) => data.some((d) => d.label === l)),
      label: null,
      tickSize: 0,
    },
    y: {
      label: seeds.length ? "test accuracy (%): mean ± sd, each seed ○" : "test accuracy (%): mean ± sd",
      grid: true,
      domain: accuracyDomain([...data.flatMap((d) => [d.low, d.high]), ...seeds.map((s) => s.value)], {
        minSpan: SEED_ACCURACY_MIN_SPAN,
      }),
      nice: true,
      ticks: 5,
    },
    fx: { label: null, ...(datasets.length > 1 ? {} : { axis: "top" as const }) },
    marks: [
      Plot.ruleX(data, {
        x: "label",
        y1: "low",
        y2: "high",
        fx: "dataset",
        stroke: "label",
        strokeWidth: 1.4,
        title: (d: (typeof data)[number]) =>
          `${d.label} · ${d.dataset}: ${formatAccuracy(d.low, "figure")} to ${
            formatAccuracy(d.high, "figure")
          } % (mean ± sd)`,
      }),
      Plot.dot(data, {
        x: "label",
        y: "mean",
        fx: "dataset",
        stroke: "label",
        fill: "label",
        symbol: "label",
        r: LOSS_MARK.r,
        title: (d: (typeof data)[number]) =>
          `${d.label} · ${d.dataset}: ${formatAccuracy(d.mean, "figure")} ± ${formatAccuracy(d.sd ?? 0, "figure")} %`,
      }),
      // The seeds a little to the right of their loss's bar, hollow, so the mean and its bar stay visible.
      Plot.dot(seeds, {
        x: "label",
        y: "value",
        fx: "dataset",
        stroke: "label",
        r: SEED_DOT.r,
        strokeWidth: SEED_DOT.strokeWidth,
        dx: 0.9 * L.font,
        title: (d: (typeof seeds)[number]) =>
          `${d.label} · ${d.dataset}${d.seed === undefined ? "" : ` · seed ${d.seed}`}: ${
            formatAccuracy(d.value, "figure")
          } %`,
      }),
    ],
  }, { style: L.style });
  return withFigureData(plot, [
    ...data.map((d) => ({
      panel: d.dataset,
      loss: d.label,
      seed: "mean",
      test_accuracy: d.mean,
      sd: d.sd ?? null,
      low: d.low,
      high: d.high,
    })),
    ...seeds.map((s) => ({ panel: s.dataset, loss: s.label, seed: s.seed ?? null, test_accuracy: s.value })),
  ]);
}
