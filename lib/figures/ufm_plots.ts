/**
 * Figures of the UFM notebooks (01, 02): NC metrics against iteration, the relative error of
 * optimised against predicted quantities, ‖w_k‖² against weight decay, and the landscape study's
 * gaps to the optimum. Each takes a figure `style` (`page` by default) and puts its loss legend in a
 * strip above the data; log axes have a tick at every decade.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { LossName } from "../core/losses.ts";
import { LOSS, LOSS_NAMES } from "../core/loss_registry.ts";
import { type LandscapeRun, reachedOptimum } from "../experiments/ufm_studies.ts";
import { composeFigures } from "./compose.ts";
import { figureLayout, type FigureStyleInput } from "./style.ts";
import { lossLegend, lossScales } from "./loss_style.ts";
import { decadeAxis, legendStrip, plotSvg, type SvgFigure } from "./svg.ts";

const label = (loss: LossName) => LOSS[loss].label;

/** One point of an NC-against-iteration curve. */
export interface NcHistoryRow {
  readonly loss: LossName;
  readonly iteration: number;
  readonly nc1: number;
  readonly nc2: number;
  readonly nc3: number;
}

/**
 * NC1, NC2 and NC3 against L-BFGS iteration, log–log, one panel per metric, one line per loss.
 * Values at or below `floor` (default 1e-16) are drawn at the floor.
 *
 * @example
 * ```ts
 * ncHistoryPlot([{ loss: "ce", iteration: 1, nc1: 1, nc2: 0.5, nc3: 0.4 }]);
 * ```
 */
export function ncHistoryPlot(
  rows: readonly NcHistoryRow[],
  options: { floor?: number; style?: FigureStyleInput } = {},
): SvgFigure {
  const { floor = 1e-16 } = options;
  const L = figureLayout(options.style);
  // The panels keep the height of a plain figure; the figure grows by the line of panel titles.
  const height = 16 * L.font + L.facetMargins.marginTop - L.marginTop;
  const long = rows.flatMap((r) =>
    (["nc1", "nc2", "nc3"] as const).map((metric) => ({
      loss: label(r.loss),
      iteration: r.iteration,
      metric: metric.toUpperCase(),
      value: Math.max(r[metric], floor),
    }))
  );
  const plot = plotSvg({
    width: L.width,
    height,
    ...L.facetMargins,
    ...lossScales(),
    x: {
      ...decadeAxis(long.map((d) => d.iteration), { length: L.width / 3, font: 2.5 * L.font }),
      label: "L-BFGS iteration",
    },
    y: {
      ...decadeAxis(long.map((d) => d.value), {
        length: height - L.facetMargins.marginTop - L.marginBottom,
        font: L.font,
      }),
      label: `metric value (≤ ${floor} drawn at ${floor})`,
      grid: true,
    },
    fx: { label: null, padding: 0.12 },
    marks: [
      Plot.frame({ stroke: "#ddd" }),
      Plot.line(long, {
        x: "iteration",
        y: "value",
        fx: "metric",
        stroke: "loss",
        strokeWidth: 1.2,
        sort: "iteration",
      }),
    ],
  }, { style: L.style });
  const legend = lossLegend(rows.map((r) => r.loss), { width: L.width, style: L.style, line: true });
  return composeFigures([legend, plot], { columns: 1, gap: L.gap / 2 });
}

/** An optimised value beside its prediction. */
export interface ComparisonRow {
  readonly loss: LossName;
  readonly optimised: number;
  readonly predicted: number;
}

/**
 * Agreement of optimised with predicted values as the relative error |optimised − predicted| /
 * |predicted| on a log axis, one symbol per loss; errors at or below `floor` (default 1e-16, double
 * precision) are drawn at the floor. Agreement to 1e-8 is then as visible as a 10 % miss.
 *
 * @example
 * ```ts
 * optimisedVsPredictedPlot([{ loss: "ce", optimised: 35.7, predicted: 35.7 }], { quantity: "mean ‖w_k‖²" });
 * ```
 */
export function optimisedVsPredictedPlot(
  rows: readonly ComparisonRow[],
  options: { quantity: string; floor?: number; style?: FigureStyleInput },
): SvgFigure {
  const { floor = 1e-16 } = options;
  const L = figureLayout(options.style);
  const height = 16 * L.font;
  const data = rows.map((r) => ({
    ...r,
    loss: label(r.loss),
    error: Math.max(Math.abs(r.optimised - r.predicted) / Math.abs(r.predicted || 1), floor),
  }));
  const y = decadeAxis([...data.map((d) => d.error), floor, 1], {
    length: height - L.marginTop - L.marginBottom,
    font: L.font,
  });
  return plotSvg({
    width: Math.min(L.width, 30 * L.font),
    height,
    ...L.margins,
    ...lossScales(),
    x: { domain: LOSS_NAMES.map(label).filter((l) => data.some((d) => d.loss === l)), label: null, padding: 0.3 },
    y: { ...y, label: `relative error of ${options.quantity}`, grid: true },
    marks: [
      Plot.ruleX(data, { x: "loss", y1: floor, y2: "error", stroke: "loss", strokeOpacity: 0.4 }),
      Plot.dot(data, { x: "loss", y: "error", stroke: "loss", fill: "loss", symbol: "loss", r: 3.5 }),
    ],
  }, { style: L.style });
}

/** A point of ‖w_k‖² against λ. */
export interface LambdaRow {
  readonly loss: LossName;
  readonly lambda: number;
  readonly wNormSq: number;
}

/**
 * ‖w_k‖² against the weight decay λ = λ_W = λ_H: theory curves and optimised points, log–log.
 *
 * @example
 * ```ts
 * const theoryRows = [{ loss: "ce", lambda: 1e-4, wNormSq: 30 }, { loss: "ce", lambda: 1e-2, wNormSq: 6 }] as const;
 * lambdaSweepPlot(theoryRows, [{ loss: "ce", lambda: 1e-3, wNormSq: 12 }]);
 * ```
 */
export function lambdaSweepPlot(
  theory: readonly LambdaRow[],
  optimised: readonly LambdaRow[],
  options: { style?: FigureStyleInput } = {},
): SvgFigure {
  const L = figureLayout(options.style);
  const width = Math.min(L.width, 36 * L.font), height = 22 * L.font;
  const positive = (rows: readonly LambdaRow[]) =>
    rows.filter((r) => r.wNormSq > 0).map((r) => ({ ...r, loss: label(r.loss) }));
  const all = [...positive(theory), ...positive(optimised)];
  const plot = plotSvg({
    width,
    height,
    ...L.margins,
    ...lossScales(),
    x: {
      ...decadeAxis(all.map((r) => r.lambda), { length: width, font: 2 * L.font }),
      label: "weight decay λ = λ_W = λ_H",
    },
    y: {
      ...decadeAxis(all.map((r) => r.wNormSq), { length: height - L.marginTop - L.marginBottom, font: L.font }),
      label: "‖w_k‖² at the optimum",
      grid: true,
    },
    marks: [
      Plot.line(positive(theory), { x: "lambda", y: "wNormSq", stroke: "loss", strokeWidth: 1.2, sort: "lambda" }),
      Plot.dot(positive(optimised), { x: "lambda", y: "wNormSq", stroke: "loss", fill: "none", symbol: "loss", r: 3 }),
    ],
  }, { style: L.style });
  const legend = legendStrip([
    ...LOSS_NAMES.filter((l) => theory.some((r) => r.loss === l)).map((l) => ({
      label: LOSS[l].label,
      color: LOSS[l].color,
      symbol: LOSS[l].symbol,
      line: true,
    })),
  ], { width, style: L.style });
  const note = legendStrip([{ label: "line: predicted · symbol: optimised", color: "#555" }], {
    width,
    style: L.style,
  });
  return composeFigures([legend, note, plot], { columns: 1, gap: 0 });
}

/** One run of the landscape study: loss, dimension, start, f(final) − f(predicted optimum) and NC1–NC3. */
export type LandscapeRow = Pick<LandscapeRun, "loss" | "d" | "start" | "gap" | "nc1" | "nc2" | "nc3">;

/**
 * Gap of each run's final objective to the predicted NC optimum: one panel per feature dimension,
 * one row per loss and start, one symbol per run (runs with equal gaps overlap), and at the right of
 * each row how many runs reached the optimum (`reachedOptimum`). Gaps at or below `floor`
 * (default 1e-12) are drawn at the floor.
 *
 * @example
 * ```ts
 * landscapePlot([{ loss: "ls", d: 9, start: "random", gap: 1e-14, nc1: 1e-7, nc2: 1e-7, nc3: 1e-7 }]);
 * ```
 */
export function landscapePlot(
  rows: readonly LandscapeRow[],
  options: { floor?: number; style?: FigureStyleInput } = {},
): SvgFigure {
  const { floor = 1e-12 } = options;
  const L = figureLayout(options.style);
  const rowLabel = (r: LandscapeRow) => `${label(r.loss)} · ${r.start}`;
  const panel = (d: number) => `d = ${d}`;
  const data = rows.map((r) => ({
    ...r,
    loss: label(r.loss),
    row: rowLabel(r),
    panel: panel(r.d),
    shown: Math.max(Math.abs(r.gap), floor),
  }));
  const order = [...rows].sort((a, b) =>
    LOSS_NAMES.indexOf(a.loss) - LOSS_NAMES.indexOf(b.loss) || a.start.localeCompare(b.start)
  );
  const rowDomain = [...new Set(order.map(rowLabel))];
  const panelDomain = [...new Set(rows.map((r) => r.d))].sort((a, b) => a - b).map(panel);
  const counts = new Map<string, { row: string; panel: string; reached: number; runs: number }>();
  for (const r of data) {
    const key = `${r.row}|${r.panel}`;
    const c = counts.get(key) ?? { row: r.row, panel: r.panel, reached: 0, runs: 0 };
    c.runs++;
    if (reachedOptimum(r)) c.reached++;
    counts.set(key, c);
  }
  const countWidth = 3.4 * L.small;
  const x = decadeAxis([floor, ...data.map((d) => d.shown)], {
    length: L.width / panelDomain.length,
    font: 4 * L.font,
  });
  const height = L.marginTop + L.marginBottom + 1.9 * L.font * rowDomain.length + L.font;
  const inner = (L.width - L.marginLeftWide - L.gap * (panelDomain.length - 1)) / panelDomain.length;
  const panels = panelDomain.map((p, i) =>
    plotSvg({
      width: inner + (i === 0 ? L.marginLeftWide : 0),
      height,
      marginLeft: i === 0 ? L.marginLeftWide : 2 * L.font,
      marginRight: countWidth + 0.4 * L.font,
      marginTop: L.marginTop,
      marginBottom: L.marginBottom,
      ...lossScales(),
      x: { ...x, label: null, grid: true },
      y: { domain: rowDomain, label: null, ...(i === 0 ? {} : { axis: null }) },
      marks: [
        Plot.frame({ stroke: "#ddd" }),
        Plot.text([p], { frameAnchor: "top", dy: -1.2 * L.font }),
        Plot.dot(data.filter((d) => d.panel === p), {
          x: "shown",
          y: "row",
          stroke: "loss",
          symbol: "loss",
          r: 2.8,
          strokeOpacity: 0.7,
        }),
        Plot.text([...counts.values()].filter((c) => c.panel === p), {
          y: "row",
          frameAnchor: "right",
          dx: countWidth + 0.2 * L.font,
          text: (c: { reached: number; runs: number }) => `${c.reached}/${c.runs}`,
          textAnchor: "end",
          fontSize: L.small,
        }),
      ],
    }, { style: L.style })
  );
  const caption = legendStrip([{
    label: `|f(final) − f(NC prediction)|, ≤ ${floor} drawn at ${floor}; right: runs at the optimum`,
    color: "#000",
  }], { width: L.width, style: L.style });
  return composeFigures([composeFigures(panels, { gap: L.gap }), caption], { columns: 1, gap: 0 });
}
