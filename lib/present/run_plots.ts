/**
 * Figures of the deep-network runs (notebooks 03–06): metric curves against epoch with one line per
 * loss, annotated heat-maps over width × epochs, and test accuracy against the epoch budget.
 *
 * Every function takes records (plain objects, e.g. `frame.toRecords()`) and an options object,
 * and returns one standalone SVG; colours and symbols per loss are those of `loss_style.ts`.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { LossName } from "../core/losses.ts";
import { composeFigures } from "./compose.ts";
import { LOSS, LOSS_NAMES } from "../core/loss_registry.ts";
import { FIGURE_DEFAULTS } from "./figure_defaults.ts";
import { lossScales } from "./loss_style.ts";
import { legendMarks, plotSvg, type SvgFigure } from "./svg.ts";

type Row = Record<string, unknown>;

/** Log axes of these figures: about five ticks, plain numbers (0.2, 1e-7), whatever the range. */
const LOG_AXIS = { type: "log" as const, ticks: 5, tickFormat: "~g" };

const lossLegend = (losses: Iterable<string>) => {
  const present = new Set(losses);
  return legendMarks(
    LOSS_NAMES.filter((l) => present.has(l)).map((l) => ({
      label: LOSS[l].label,
      color: LOSS[l].color,
      symbol: LOSS[l].symbol,
      line: true,
    })),
  );
};

/** A panel of {@link metricCurvesPlot}: which column, its axis label, and whether the y axis is logarithmic. */
export interface CurvePanel {
  readonly column: string;
  readonly label: string;
  readonly log?: boolean;
}

/** The panels of the paper's NC-dynamics figure (docs/method.md §7). */
export const NC_DYNAMICS_PANELS: readonly CurvePanel[] = [
  { column: "nc1", label: "NC1", log: true },
  { column: "nc2", label: "NC2" },
  { column: "nc3", label: "NC3" },
  { column: "nc4", label: "NC4" },
  { column: "trainAccuracy", label: "Training accuracy (%)" },
  { column: "valAccuracy", label: "Validation accuracy (%)" },
  { column: "testAccuracy", label: "Test accuracy (%)" },
];

/**
 * Metric against epoch, one line (with symbols) per loss, one panel per metric, as one SVG.
 *
 * @example
 * ```ts ignore (reads the run store)
 * metricCurvesPlot(metricsFrame(runs).toRecords(), { panels: NC_DYNAMICS_PANELS, columns: 4 });
 * ```
 */
export function metricCurvesPlot(
  rows: readonly Row[],
  options: {
    panels?: readonly CurvePanel[];
    columns?: number;
    panelWidth?: number;
    panelHeight?: number;
    logEpoch?: boolean;
  } = {},
): SvgFigure {
  const {
    panels = NC_DYNAMICS_PANELS,
    columns = 4,
    panelWidth = FIGURE_DEFAULTS.width.panel,
    panelHeight = FIGURE_DEFAULTS.height.panel,
    logEpoch = false,
  } = options;
  const data: Row[] = rows.map((r) => ({ ...r, label: LOSS[r.loss as LossName].label }));
  const figures = panels.map((panel, i) =>
    plotSvg({
      width: panelWidth,
      height: panelHeight,
      marginLeft: FIGURE_DEFAULTS.marginLeft.compact,
      ...lossScales(),
      x: { label: "epoch", ...(logEpoch ? LOG_AXIS : {}) },
      y: {
        label: panel.label,
        grid: true,
        ...(panel.log ? LOG_AXIS : {}),
      },
      marks: [
        Plot.line(data, {
          x: "epoch",
          y: panel.column,
          stroke: "label",
          strokeWidth: 1.8,
          strokeOpacity: 0.8,
          sort: "epoch",
        }),
        Plot.dot(data, { x: "epoch", y: panel.column, stroke: "label", fill: "label", symbol: "label", r: 2.5 }),
        ...(i === 0 ? lossLegend(data.map((d) => d.loss as string)) : []),
      ],
    })
  );
  return composeFigures(figures, { columns });
}

/** A heat-map cell: width × epochs and a value. */
export interface HeatmapCell {
  readonly width: number;
  readonly epochs: number;
  readonly value: number;
}

/**
 * Annotated heat-map with width across and the epoch budget down (largest on top), viridis
 * colours, white cell labels (`digits` decimals), and a colour ramp beneath (docs/method.md §7).
 *
 * @example
 * ```ts
 * const cells = [{ width: 32, epochs: 10, value: 1.2 }, { width: 64, epochs: 10, value: 0.4 }];
 * heatmapPlot(cells, { title: "|Acc_CE − Acc_MSE| (test, %)" });
 * ```
 */
export function heatmapPlot(
  cells: readonly HeatmapCell[],
  options: { title: string; digits?: number; domain?: [number, number]; width?: number } = { title: "" },
): SvgFigure {
  const { digits = 2, width = FIGURE_DEFAULTS.width.heatmap } = options;
  const widths = [...new Set(cells.map((c) => c.width))].sort((a, b) => a - b);
  const budgets = [...new Set(cells.map((c) => c.epochs))].sort((a, b) => b - a);
  const values = cells.map((c) => c.value);
  const domain = options.domain ?? [Math.min(...values), Math.max(...values)];
  const color = { type: "linear" as const, scheme: "viridis" as const, domain };
  const map = plotSvg({
    width,
    height: 60 + 52 * budgets.length,
    marginTop: 36,
    marginLeft: FIGURE_DEFAULTS.marginLeft.standard,
    x: { domain: widths, label: "width", padding: 0.04 },
    y: { domain: budgets, label: "epochs", padding: 0.04 },
    color,
    marks: [
      Plot.cell(cells, { x: "width", y: "epochs", fill: "value", inset: 0.5 }),
      Plot.text(cells, {
        x: "width",
        y: "epochs",
        text: (c: HeatmapCell) => c.value.toFixed(digits),
        fill: "white",
        fontSize: FIGURE_DEFAULTS.fontSize.annotation,
        fontWeight: "bold",
      }),
      Plot.text([options.title], {
        frameAnchor: "top",
        dy: -26,
        fontSize: FIGURE_DEFAULTS.fontSize.title,
        fontWeight: "bold",
      }),
    ],
  });
  return composeFigures([map, colorRamp(domain, width)], { columns: 1, gap: 0 });
}

/** A horizontal viridis colour bar over `domain`, drawn with SVG marks (Plot's own ramp needs a canvas). */
function colorRamp(domain: [number, number], width: number): SvgFigure {
  const steps = 64;
  const [lo, hi] = domain[0] === domain[1] ? [domain[0], domain[0] + 1e-9] : domain;
  const stops = Array.from({ length: steps }, (_, i) => lo + ((hi - lo) * (i + 0.5)) / steps);
  return plotSvg({
    width,
    height: FIGURE_DEFAULTS.height.colorRamp,
    marginLeft: FIGURE_DEFAULTS.marginLeft.standard,
    marginTop: 4,
    marginBottom: 24,
    x: { domain: [lo, hi], label: null, ticks: 5 },
    y: { axis: null },
    color: { type: "linear", scheme: "viridis", domain: [lo, hi] },
    marks: [
      Plot.rectY(stops, {
        x1: (v: number) => v - (hi - lo) / steps / 2,
        x2: (v: number) => v + (hi - lo) / steps / 2,
        y1: 0,
        y2: 1,
        fill: (v: number) => v,
      }),
    ],
  });
}

/**
 * Test accuracy against the epoch budget (log scale), one line per loss and width (docs/method.md §7,
 * `plot_test_line`). Rows need `loss`, `width`, `epochs` and `mean`.
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * accuracyVsEpochsPlot(meanOverSeeds(summary).toRecords());
 * ```
 */
export function accuracyVsEpochsPlot(rows: readonly Row[], options: { width?: number } = {}): SvgFigure {
  const data: Row[] = rows.map((r) => ({
    ...r,
    label: LOSS[r.loss as LossName].label,
    series: `${r.loss}-${r.width}`,
    panel: `width ${r.width}`,
  }));
  const panels = [...new Set(data.map((d) => d.width as number))].sort((a, b) => a - b).map((w) => `width ${w}`);
  const budgets = [...new Set(data.map((d) => d.epochs as number))].sort((a, b) => a - b);
  return plotSvg({
    width: options.width ?? FIGURE_DEFAULTS.width.full,
    height: FIGURE_DEFAULTS.height.row,
    marginLeft: FIGURE_DEFAULTS.marginLeft.compact,
    ...lossScales(),
    x: { type: "log", label: "epochs (budget of the run)", ticks: budgets, tickFormat: "~g" },
    y: { label: "test accuracy (%) at the best-validation epoch", grid: true },
    fx: { domain: panels, label: null },
    marks: [
      Plot.frame({ stroke: "#ddd" }),
      Plot.line(data, {
        x: "epochs",
        y: "mean",
        fx: "panel",
        z: "series",
        stroke: "label",
        strokeWidth: 1.6,
        sort: "epochs",
      }),
      Plot.dot(data, { x: "epochs", y: "mean", fx: "panel", stroke: "label", fill: "label", symbol: "label", r: 3 }),
      ...lossLegend(data.map((d) => d.loss as string)),
    ],
  });
}

/**
 * A metric against a loss hyper-parameter, LS α and FL γ side by side on their own axes, one
 * line per loss (notebook 06). Rows need `loss`, `loss_param` and the column.
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * hyperparameterPlot(summary.toRecords(), { column: "test_accuracy", label: "test accuracy (%)" });
 * ```
 */
export function hyperparameterPlot(
  rows: readonly Row[],
  options: { column: string; label: string; log?: boolean; width?: number },
): SvgFigure {
  const panel = (loss: LossName, axis: string) => {
    const data: Row[] = rows.filter((r) => r.loss === loss).map((r) => ({ ...r, label: LOSS[loss].label }));
    const values = [...new Set(data.map((d) => d.loss_param as number))].sort((a, b) => a - b);
    return plotSvg({
      width: (options.width ?? FIGURE_DEFAULTS.width.medium) / 2,
      height: FIGURE_DEFAULTS.height.hyperparameterPanel,
      marginLeft: FIGURE_DEFAULTS.marginLeft.standard,
      ...lossScales(),
      x: { label: axis, ticks: values, tickFormat: "~g" },
      y: { label: options.label, grid: true, ...(options.log ? LOG_AXIS : {}) },
      marks: [
        Plot.line(data, { x: "loss_param", y: options.column, stroke: "label", sort: "loss_param" }),
        Plot.dot(data, { x: "loss_param", y: options.column, stroke: "label", fill: "label", symbol: "label", r: 3.5 }),
      ],
    });
  };
  return composeFigures([panel("ls", "LS smoothing α"), panel("fl", "FL focusing γ")], {
    columns: 2,
    gap: FIGURE_DEFAULTS.gap,
  });
}

/**
 * Test accuracy per loss as mean ± one standard deviation over seeds (dot and error bar), one
 * panel per dataset (notebook 05). Rows need `dataset`, `loss`, `mean` and `sd`.
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * accuracyBarsPlot(accuracyTable(summary).toRecords());
 * ```
 */
export function accuracyBarsPlot(rows: readonly Row[], options: { width?: number } = {}): SvgFigure {
  const data: Row[] = rows.map((r) => {
    const sd = (r.sd as number | null) ?? 0;
    return {
      ...r,
      label: LOSS[r.loss as LossName].label,
      low: (r.mean as number) - sd,
      high: (r.mean as number) + sd,
    };
  });
  return plotSvg({
    width: options.width ?? FIGURE_DEFAULTS.width.narrow,
    height: FIGURE_DEFAULTS.height.bars,
    marginLeft: FIGURE_DEFAULTS.marginLeft.standard,
    ...lossScales(),
    x: {
      domain: LOSS_NAMES.map((l) => LOSS[l].label).filter((l) => data.some((d) => d.label === l)),
      label: null,
    },
    y: { label: "test accuracy (%), mean ± sd over seeds", grid: true, nice: true },
    fx: { label: null },
    marks: [
      Plot.ruleX(data, { x: "label", y1: "low", y2: "high", fx: "dataset", stroke: "label", strokeWidth: 2 }),
      Plot.dot(data, { x: "label", y: "mean", fx: "dataset", stroke: "label", fill: "label", symbol: "label", r: 5 }),
    ],
  });
}
