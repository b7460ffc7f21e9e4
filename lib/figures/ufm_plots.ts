/**
 * Figures of the UFM notebooks (01, 02): NC metrics against iteration, ‖w_k‖² against weight
 * decay, and the landscape study's gaps to the optimum. (Optimised against predicted values are a
 * table, `ufmComparisonFrame`: four numbers that agree to many digits read better as digits.) Each
 * takes a figure `style` (`page` by default), puts its loss legend in a strip above the data, gives
 * every mark a hover tooltip and carries the rows it draws (`withFigureData`); log axes have a tick
 * at every decade.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { LossName } from "../core/losses.ts";
import { LOSS, LOSS_NAMES, lossLabel } from "../core/loss_registry.ts";
import { type LandscapeRun, reachedOptimum } from "../experiments/ufm_studies.ts";
import { captionStrip } from "./caption_strip.ts";
import { composeFigures } from "./compose.ts";
import { withFigureData } from "./figure_data.ts";
import { formatMetric, formatPrecise } from "../report/number_format.ts";
import { figureLayout, type FigureStyleInput } from "./style.ts";
import { lossLegend, lossScales } from "./loss_style.ts";
import { decadeAxis, legendStrip, plotSvg, type SvgFigure } from "./svg.ts";

const label = lossLabel;

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
      raw: r[metric],
      value: Math.max(r[metric], floor),
    }))
  );
  const plot = plotSvg({
    width: L.width,
    height,
    ...L.facetMargins,
    ...lossScales(),
    x: {
      // Three facets share the width; a decade label is about three text heights wide.
      ...decadeAxis(long.map((d) => d.iteration), {
        length: (L.width - L.facetMargins.marginLeft - L.facetMargins.marginRight) / 3,
        font: 3 * L.font,
      }),
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
      // Invisible points under the lines, for their hover tooltips.
      Plot.dot(long, {
        x: "iteration",
        y: "value",
        fx: "metric",
        r: 2,
        fill: "loss",
        fillOpacity: 0,
        title: (d: (typeof long)[number]) =>
          `${d.loss} · iteration ${d.iteration}: ${d.metric} = ${formatMetric(d.raw)}`,
      }),
    ],
  }, { style: L.style });
  // Lines without symbols, as the panels draw them.
  const legend = lossLegend(rows.map((r) => r.loss), { width: L.width, style: L.style, line: true, symbol: false });
  return withFigureData(
    composeFigures([legend, plot], { columns: 1, gap: L.gap / 2 }),
    long.map((d) => ({ loss: d.loss, iteration: d.iteration, metric: d.metric, value: d.raw, drawn_at: d.value })),
  );
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
      Plot.line(positive(theory), {
        x: "lambda",
        y: "wNormSq",
        stroke: "loss",
        strokeWidth: 1.2,
        sort: "lambda",
        title: (r: LambdaRow) => `${r.loss}: ‖w_k‖² predicted at the optimum (line)`,
      }),
      Plot.dot(positive(optimised), {
        x: "lambda",
        y: "wNormSq",
        stroke: "loss",
        fill: "none",
        symbol: "loss",
        r: 3,
        title: (r: LambdaRow) => `${r.loss} · λ = ${r.lambda}: ‖w_k‖² = ${formatPrecise(r.wNormSq)} (optimised)`,
      }),
    ],
  }, { style: L.style });
  const legend = legendStrip([
    ...LOSS_NAMES.filter((l) => theory.some((r) => r.loss === l)).map((l) => ({
      label: LOSS[l].label,
      color: LOSS[l].color,
      symbol: LOSS[l].symbol,
      line: true,
      hollow: true,
      r: 3,
    })),
  ], { width, style: L.style });
  const note = legendStrip([{ label: "line: predicted · symbol: optimised", color: "#555", note: true }], {
    width,
    style: L.style,
  });
  const rows = (kind: string, list: readonly LambdaRow[]) =>
    list.map((r) => ({ loss: label(r.loss), kind, lambda: r.lambda, w_norm_sq: r.wNormSq }));
  return withFigureData(
    composeFigures([legend, note, plot], { columns: 1, gap: 0 }),
    [...rows("predicted", theory), ...rows("optimised", optimised)],
  );
}

/** One run of the landscape study: loss, dimension, start, f(final) − f(predicted optimum) and NC1–NC3. */
export type LandscapeRow = Pick<LandscapeRun, "loss" | "d" | "start" | "gap" | "nc1" | "nc2" | "nc3">;

/**
 * Gap of each run's final objective to the predicted NC optimum: one panel per feature dimension,
 * one row per loss and start, one symbol per run (runs with equal gaps overlap), and at the right of
 * each row how many runs reached the optimum (`reachedOptimum`). Gaps at or below `floor`
 * (default 1e-12) are drawn at the floor. A row a panel has no run of reads "not run" (the study
 * starts near the NC optimum only where it exists, d ≥ K − 1; the caption says so).
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
  const missing = panelDomain.flatMap((p) =>
    rowDomain.filter((row) => !counts.has(`${row}|${p}`)).map((row) => ({ row, panel: p }))
  );
  const countWidth = 3.4 * L.small;
  const height = L.marginTop + L.marginBottom + 1.9 * L.font * rowDomain.length + L.font;
  const right = countWidth + 0.4 * L.font;
  // Side by side where each panel keeps room for its decades; stacked (each with its row labels) on narrow figures.
  const sideBySide = (L.width - L.marginLeftWide - L.gap * (panelDomain.length - 1)) / panelDomain.length;
  const stacked = sideBySide - right - 2 * L.font < 5 * L.font;
  const inner = stacked ? L.width - L.marginLeftWide : sideBySide;
  const withLabels = (i: number) => stacked || i === 0;
  const plotting = (i: number) => inner - right - (withLabels(i) ? 0 : 2 * L.font);
  // A decade label such as 10⁻¹² is about three text heights wide.
  const x = decadeAxis([floor, ...data.map((d) => d.shown)], { length: plotting(1), font: 2.8 * L.font });
  const panels = panelDomain.map((p, i) =>
    plotSvg({
      width: inner + (withLabels(i) ? L.marginLeftWide : 0),
      height,
      marginLeft: withLabels(i) ? L.marginLeftWide : 2 * L.font,
      marginRight: right,
      marginTop: L.marginTop,
      marginBottom: L.marginBottom,
      ...lossScales(),
      x: { ...x, label: null, grid: true },
      y: { domain: rowDomain, label: null, ...(withLabels(i) ? {} : { axis: null }) },
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
          title: (d: (typeof data)[number]) =>
            `${d.row} · ${d.panel}: f(final) − f(NC) = ${formatMetric(d.gap)}, max NC1–NC3 = ${
              formatMetric(Math.max(d.nc1, d.nc2, d.nc3))
            }`,
        }),
        Plot.text(missing.filter((m) => m.panel === p), {
          y: "row",
          frameAnchor: "middle",
          text: () => "not run",
          fill: "#555",
          fontSize: L.small,
          fontStyle: "italic",
        }),
        Plot.text([...counts.values()].filter((c) => c.panel === p), {
          y: "row",
          frameAnchor: "right",
          dx: countWidth + 0.2 * L.font,
          text: (c: { reached: number; runs: number }) => `${c.reached}/${c.runs}`,
          title: (c: { row: string; panel: string; reached: number; runs: number }) =>
            `${c.row} · ${c.panel}: ${c.reached} of ${c.runs} runs at the predicted optimum`,
          textAnchor: "end",
          fontSize: L.small,
        }),
      ],
    }, { style: L.style })
  );
  const nearMissing = missing.some((m) => m.row.endsWith("· near"));
  const caption = captionStrip(
    `|f(final) − f(NC prediction)|, ≤ ${floor} drawn at ${floor}; right: runs at the optimum${
      nearMissing ? "; not run: a start near the NC optimum needs d ≥ K − 1" : ""
    }`,
    { width: L.width, style: L.style },
  );
  return withFigureData(
    composeFigures([composeFigures(panels, { gap: L.gap, columns: stacked ? 1 : panels.length }), caption], {
      columns: 1,
      gap: 0,
    }),
    data.map((d) => ({
      loss: d.loss,
      d: d.d,
      start: d.start,
      gap: d.gap,
      drawn_at: d.shown,
      nc1: d.nc1,
      nc2: d.nc2,
      nc3: d.nc3,
      reached_optimum: reachedOptimum(d),
    })),
  );
}
