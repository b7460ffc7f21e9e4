/**
 * Figures of the deep-network runs (notebooks 03–06): annotated heat-maps over width × epochs, test
 * accuracy against the epoch budget, and the axes and panels they share with the metric curves of
 * `metric_curves.ts`.
 *
 * Every function takes records (plain objects, e.g. `frame.toRecords()`) and an options object
 * with a figure `style` (`page` by default, see `style.ts`), and returns one standalone
 * SVG of that physical width; colours and symbols per loss are those of `loss_style.ts`, and the
 * legend is a strip above the panels, never over data. NC metrics are drawn on log axes with a
 * tick at every decade; accuracy axes follow {@link accuracyDomain}.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { LossName } from "../core/losses.ts";
import { composeFigures } from "./compose.ts";
import { LOSS, LOSS_NAMES } from "../core/loss_registry.ts";
import { figureLayout, type FigureStyleInput } from "./style.ts";
import { lossLegend, lossScales } from "./loss_style.ts";
import { decadeAxis, plotSvg, type SvgFigure } from "./svg.ts";
import type { AccuracyTableRow, SeedMeanRow } from "../report/run_frames.ts";

export { heatmapGridPlot, type HeatmapPanel, heatmapPlot } from "./heatmap_plots.ts";

/** A row with a loss and metric columns chosen by name (a record of `metricRows` or `summaryFrame`). */
export interface LossRow {
  readonly loss: string;
  readonly [column: string]: unknown;
}

/** A row of {@link metricCurvesPlot}: one evaluation of one run (a record of `metricRows`). */
export interface CurveRow extends LossRow {
  readonly epoch: number;
}

/** A row of {@link hyperparameterPlot}: one run with its loss parameter. */
export interface HyperparameterRow extends LossRow {
  readonly loss_param: number;
}

/** A column's value as a number: NaN where the column is missing or not a number. */
export const numeric = (value: unknown): number => (typeof value === "number" ? value : NaN);
const label = (loss: string) => LOSS[loss as LossName].label;

/** The smallest span (percentage points) of an accuracy axis: see {@link accuracyDomain}. */
export const ACCURACY_MIN_SPAN = 5;

/**
 * The y domain of an accuracy axis, by a rule that does not magnify noise: the data's range (with
 * error bars), widened to at least {@link ACCURACY_MIN_SPAN} percentage points about its centre,
 * kept within [0, 100]. A 0.3-point difference then fills at most 6 % of the axis.
 *
 * @example
 * ```ts
 * accuracyDomain([82.4, 82.7]); // [80.05, 85.05]
 * accuracyDomain([10, 95]); // [10, 95]
 * ```
 */
export function accuracyDomain(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  const lo = Math.min(...finite), hi = Math.max(...finite);
  if (hi - lo >= ACCURACY_MIN_SPAN) return [lo, hi];
  const mid = (lo + hi) / 2;
  const top = Math.min(100, mid + ACCURACY_MIN_SPAN / 2);
  const bottom = Math.max(0, top - ACCURACY_MIN_SPAN);
  return [bottom, bottom + ACCURACY_MIN_SPAN];
}

/**
 * Three round ticks from 0 to about `max`, so that narrow panels never crowd their labels.
 *
 * @example
 * ```ts
 * fewTicks(400); // [0, 200, 400]
 * ```
 */
export function fewTicks(max: number): number[] {
  const raw = max / 2, power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw * 0.99) ?? raw;
  return [0, step, 2 * step].filter((t) => t <= max * 1.001);
}

/** Dotted vertical lines at the epochs where the learning rate decays (none when not given). */
export function milestoneRules(milestones?: readonly number[]): Plot.Markish[] {
  return milestones?.length
    ? [Plot.ruleX(milestones, { stroke: "#888", strokeDasharray: "1.5 2", strokeWidth: 0.8 })]
    : [];
}

/** A panel of {@link metricCurvesPlot}: which column, its axis label, and whether the y axis is logarithmic. */
export interface CurvePanel {
  readonly column: string;
  readonly label: string;
  readonly log?: boolean;
  /** An accuracy in percent: its axis follows {@link accuracyDomain}. */
  readonly accuracy?: boolean;
}

/** The panels of the paper's NC-dynamics figure (docs/method.md §7). */
export const NC_DYNAMICS_PANELS: readonly CurvePanel[] = [
  { column: "nc1", label: "NC1", log: true },
  { column: "nc2", label: "NC2", log: true },
  { column: "nc3", label: "NC3", log: true },
  { column: "nc4", label: "NC4" },
  { column: "trainAccuracy", label: "train accuracy (%)", accuracy: true },
  { column: "valAccuracy", label: "validation accuracy (%)", accuracy: true },
  { column: "testAccuracy", label: "test accuracy (%)", accuracy: true },
];

/** Splits `n` panels into rows of at most `perRow`, as even as possible (7 by 4: 4 + 3), so no panel is empty. */
export function panelRows(n: number, perRow: number): number[] {
  const rows = Math.ceil(n / perRow);
  return Array.from({ length: rows }, (_, i) => Math.floor(n / rows) + (i < n % rows ? 1 : 0));
}

/**
 * Test accuracy against the epoch budget (log scale), one line per loss, one panel per width
 * (docs/method.md §7, `plot_test_line`), the legend above. Rows need `loss`, `width`, `epochs` and `mean`.
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * accuracyVsEpochsPlot(meanOverSeeds(summary).toRecords());
 * ```
 */
export function accuracyVsEpochsPlot(
  rows: readonly Pick<SeedMeanRow, "loss" | "width" | "epochs" | "mean">[],
  options: { style?: FigureStyleInput } = {},
): SvgFigure {
  const L = figureLayout(options.style);
  const data = rows.map((r) => ({ ...r, label: label(r.loss), panel: `width ${r.width}` }));
  const panels = [...new Set(data.map((d) => d.width))].sort((a, b) => a - b).map((w) => `width ${w}`);
  const budgets = [...new Set(data.map((d) => d.epochs))].sort((a, b) => a - b);
  const plot = plotSvg({
    width: L.width,
    height: 16 * L.font + L.facetMargins.marginTop - L.marginTop,
    ...L.facetMargins,
    ...lossScales(),
    x: { type: "log", label: "epochs (budget of the run)", ticks: budgets, tickFormat: "~g" },
    y: {
      label: "test accuracy (%), best-val. epoch",
      grid: true,
      domain: accuracyDomain(data.map((d) => d.mean)),
      ticks: 4,
    },
    // Enough room between panels that the last tick label of one stays clear of the first of the next.
    fx: { domain: panels, label: null, padding: 0.2 },
    marks: [
      Plot.frame({ stroke: "#ddd" }),
      Plot.line(data, { x: "epochs", y: "mean", fx: "panel", z: "label", stroke: "label", strokeWidth: 1.2 }),
      Plot.dot(data, { x: "epochs", y: "mean", fx: "panel", stroke: "label", fill: "label", symbol: "label", r: 2.2 }),
    ],
  }, { style: L.style });
  return composeFigures([lossLegend(data.map((d) => d.loss), { width: L.width, style: L.style }), plot], {
    columns: 1,
    gap: L.gap / 2,
  });
}

/**
 * A metric against a loss hyper-parameter, LS α and FL γ side by side on their own axes, one
 * line per loss (notebook 06): the mean over seeds (geometric for a `log` metric) with a bar over
 * the seeds' range. Rows need `loss`, `loss_param` and the column, one row per run. A `log` metric
 * gets a decade axis; an `accuracy` metric follows {@link accuracyDomain}.
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * hyperparameterPlot(summary.toRecords(), { column: "test_accuracy", label: "test accuracy (%)", accuracy: true });
 * ```
 */
export function hyperparameterPlot(
  rows: readonly HyperparameterRow[],
  options: { column: string; label: string; log?: boolean; accuracy?: boolean; style?: FigureStyleInput },
): SvgFigure {
  const L = figureLayout(options.style);
  const height = 13 * L.font;
  const all = rows.filter((r) => r.loss === "ls" || r.loss === "fl").map((r) => numeric(r[options.column]));
  const y = options.log
    ? decadeAxis(all, { length: height - L.marginTop - L.marginBottom, font: L.font })
    : options.accuracy
    ? { domain: accuracyDomain(all), ticks: 4 }
    : { ticks: 4, nice: true };
  const mean = (v: number[]) =>
    options.log ? Math.exp(v.reduce((a, x) => a + Math.log(x), 0) / v.length) : v.reduce((a, x) => a + x, 0) / v.length;
  const panel = (loss: LossName, axis: string) => {
    const values = [...new Set(rows.filter((r) => r.loss === loss).map((r) => r.loss_param))].sort((a, b) => a - b);
    const data = values.map((value) => {
      const v = rows.filter((r) => r.loss === loss && r.loss_param === value).map((r) => numeric(r[options.column]));
      return { loss_param: value, value: mean(v), low: Math.min(...v), high: Math.max(...v), label: LOSS[loss].label };
    });
    return plotSvg({
      width: (L.width - L.gap) / 2,
      height,
      ...L.margins,
      ...lossScales(),
      x: { label: axis, ticks: values, tickFormat: "~g" },
      y: { label: options.label, grid: true, ...y },
      marks: [
        Plot.ruleX(data, { x: "loss_param", y1: "low", y2: "high", stroke: "label", strokeWidth: 1 }),
        Plot.line(data, { x: "loss_param", y: "value", stroke: "label", sort: "loss_param" }),
        Plot.dot(data, { x: "loss_param", y: "value", stroke: "label", fill: "label", symbol: "label", r: 2.5 }),
      ],
    }, { style: L.style });
  };
  return composeFigures([panel("ls", "LS smoothing α"), panel("fl", "FL focusing γ")], { columns: 2, gap: L.gap });
}

/**
 * Test accuracy per loss as mean ± one standard deviation over seeds (dot and error bar), with
 * each seed's value as a small hollow dot beside it when `seeds` are given, one panel per dataset
 * (notebook 05), on an axis that follows {@link accuracyDomain}. Rows need `dataset`, `loss`,
 * `mean` and `sd`.
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
    seeds?: readonly { dataset: string; loss: string; value: number }[];
  } = {},
): SvgFigure {
  const L = figureLayout(options.style);
  const data = rows.map((r) => ({ ...r, label: label(r.loss), low: r.mean - (r.sd ?? 0), high: r.mean + (r.sd ?? 0) }));
  const seeds = (options.seeds ?? []).map((s) => ({ ...s, label: label(s.loss) }));
  const datasets = [...new Set(data.map((d) => d.dataset))];
  return plotSvg({
    width: datasets.length > 1 ? L.width : Math.min(L.width, 30 * L.font),
    height: 16 * L.font + L.facetMargins.marginTop - L.marginTop,
    ...L.facetMargins,
    ...lossScales(),
    x: {
      domain: LOSS_NAMES.map((l) => LOSS[l].label).filter((l) => data.some((d) => d.label === l)),
      label: null,
    },
    y: {
      label: seeds.length ? "test accuracy (%): mean ± sd, and each seed" : "test accuracy (%), mean ± sd",
      grid: true,
      domain: accuracyDomain([...data.flatMap((d) => [d.low, d.high]), ...seeds.map((s) => s.value)]),
      ticks: 5,
    },
    fx: { label: null, ...(datasets.length > 1 ? {} : { axis: "top" as const }) },
    marks: [
      Plot.ruleX(data, { x: "label", y1: "low", y2: "high", fx: "dataset", stroke: "label", strokeWidth: 1.5 }),
      Plot.dot(data, { x: "label", y: "mean", fx: "dataset", stroke: "label", fill: "label", symbol: "label", r: 2.5 }),
      // The seeds a little to the right of their loss's bar, hollow, so the mean and its bar stay visible.
      Plot.dot(seeds, {
        x: "label",
        y: "value",
        fx: "dataset",
        stroke: "label",
        r: 1.6,
        strokeWidth: 0.8,
        dx: 0.9 * L.font,
      }),
    ],
  }, { style: L.style });
}
