/**
 * Figures of the UFM notebooks (01, 02): NC metrics against iteration, optimised against predicted
 * quantities, ‖w_k‖² against weight decay, and the landscape study's gaps to the optimum.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { LossName } from "../core/losses.ts";
import { LOSS, LOSS_NAMES } from "../core/loss_registry.ts";
import { type LandscapeRun, reachedOptimum } from "../experiments/ufm_studies.ts";
import { FIGURE_DEFAULTS } from "./figure_defaults.ts";
import { lossScales } from "./loss_style.ts";
import { legendMarks, LOG_TICK_FORMAT, plotSvg, type SvgFigure } from "./svg.ts";

const lossLegend = (
  losses: readonly LossName[],
  options: { line?: boolean; symbol?: boolean; anchor?: "top-right" | "bottom-left" } = {},
) =>
  legendMarks(
    LOSS_NAMES.filter((l) => losses.includes(l)).map((l) => ({
      label: LOSS[l].label,
      color: LOSS[l].color,
      symbol: options.symbol === false ? undefined : LOSS[l].symbol,
      line: options.line,
    })),
    { anchor: options.anchor },
  );

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
  options: { floor?: number; width?: number } = {},
): SvgFigure {
  const { floor = 1e-16, width = FIGURE_DEFAULTS.width.full } = options;
  const long = rows.flatMap((r) =>
    (["nc1", "nc2", "nc3"] as const).map((metric) => ({
      loss: label(r.loss),
      iteration: r.iteration,
      metric: metric.toUpperCase(),
      value: Math.max(r[metric], floor),
    }))
  );
  return plotSvg({
    width,
    height: FIGURE_DEFAULTS.height.row,
    marginLeft: FIGURE_DEFAULTS.marginLeft.standard,
    marginRight: FIGURE_DEFAULTS.marginRight,
    ...lossScales(),
    x: { type: "log", label: "L-BFGS iteration" },
    y: { type: "log", label: "metric value", grid: true, tickFormat: LOG_TICK_FORMAT },
    fx: { label: null },
    marks: [
      Plot.frame({ stroke: "#ddd" }),
      Plot.line(long, {
        x: "iteration",
        y: "value",
        fx: "metric",
        stroke: "loss",
        strokeWidth: 1.8,
        sort: "iteration",
      }),
      ...lossLegend([...new Set(rows.map((r) => r.loss))], { line: true, symbol: false, anchor: "bottom-left" }),
    ],
  });
}

/** An optimised value beside its prediction. */
export interface ComparisonRow {
  readonly loss: LossName;
  readonly optimised: number;
  readonly predicted: number;
}

/**
 * Predicted values as bars and optimised values as symbols, one group per loss.
 *
 * @example
 * ```ts
 * optimisedVsPredictedPlot([{ loss: "ce", optimised: 35.7, predicted: 35.7 }], { quantity: "mean ‖w_k‖²" });
 * ```
 */
export function optimisedVsPredictedPlot(
  rows: readonly ComparisonRow[],
  options: { quantity: string; width?: number },
): SvgFigure {
  const data = rows.map((r) => ({ ...r, loss: label(r.loss) }));
  const top = 1.3 * Math.max(...data.flatMap((d) => [d.optimised, d.predicted])); // headroom for the legend
  return plotSvg({
    width: options.width ?? FIGURE_DEFAULTS.width.narrow,
    height: FIGURE_DEFAULTS.height.row,
    marginLeft: FIGURE_DEFAULTS.marginLeft.standard,
    ...lossScales(),
    x: { domain: LOSS_NAMES.map(label).filter((l) => data.some((d) => d.loss === l)), label: null, padding: 0.3 },
    y: { label: options.quantity, grid: true, domain: [0, top] },
    marks: [
      Plot.barY(data, { x: "loss", y: "predicted", fill: "loss", fillOpacity: 0.25 }),
      Plot.tickY(data, { x: "loss", y: "predicted", stroke: "loss", strokeDasharray: "4 2" }),
      Plot.dot(data, { x: "loss", y: "optimised", stroke: "loss", fill: "loss", symbol: "loss", r: 5 }),
      Plot.ruleY([0]),
      ...legendMarks([
        { label: "predicted (bar)", color: "#888", line: true },
        { label: "optimised (symbol)", color: "#888", symbol: "circle" },
      ]),
    ],
  });
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
  options: { width?: number } = {},
): SvgFigure {
  const positive = (rows: readonly LambdaRow[]) =>
    rows.filter((r) => r.wNormSq > 0).map((r) => ({ ...r, loss: label(r.loss) }));
  return plotSvg({
    width: options.width ?? FIGURE_DEFAULTS.width.medium,
    height: FIGURE_DEFAULTS.height.tall,
    marginLeft: FIGURE_DEFAULTS.marginLeft.standard,
    ...lossScales(),
    x: { type: "log", label: "weight decay λ = λ_W = λ_H", tickFormat: LOG_TICK_FORMAT },
    y: { type: "log", label: "‖w_k‖² at the optimum", grid: true },
    marks: [
      Plot.line(positive(theory), { x: "lambda", y: "wNormSq", stroke: "loss", strokeWidth: 1.5, sort: "lambda" }),
      Plot.dot(positive(optimised), { x: "lambda", y: "wNormSq", stroke: "loss", fill: "loss", symbol: "loss", r: 4 }),
      ...lossLegend([...new Set(theory.map((r) => r.loss))], { line: true }),
    ],
  });
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
  options: { floor?: number; width?: number } = {},
): SvgFigure {
  const { floor = 1e-12, width = FIGURE_DEFAULTS.width.full } = options;
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
  return plotSvg({
    width,
    height: 70 + 24 * rowDomain.length,
    marginLeft: FIGURE_DEFAULTS.marginLeft.rowLabels,
    marginRight: FIGURE_DEFAULTS.marginRight,
    ...lossScales(),
    x: {
      type: "log",
      domain: [floor / 30, 300 * Math.max(1, ...data.map((d) => d.shown))],
      label: `|f(final) − f(NC prediction)|  (≤ ${floor} drawn at ${floor}; right: runs at the optimum)`,
      grid: true,
      tickFormat: LOG_TICK_FORMAT,
    },
    y: { domain: rowDomain, label: null },
    fx: { domain: panelDomain, label: null, padding: 0.08 },
    marks: [
      Plot.frame({ stroke: "#ddd" }),
      Plot.dot(data, { x: "shown", y: "row", fx: "panel", stroke: "loss", symbol: "loss", r: 4, strokeOpacity: 0.6 }),
      Plot.text([...counts.values()], {
        y: "row",
        fx: "panel",
        frameAnchor: "right",
        dx: -4,
        text: (c: { reached: number; runs: number }) => `${c.reached}/${c.runs}`,
        textAnchor: "end",
      }),
    ],
  });
}
