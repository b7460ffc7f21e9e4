/**
 * Metric curves of runs against epoch (notebook 03, `nc plot`): one line per loss, or per value of
 * any other key, one panel per metric, optionally one column of panels per value of a facet key;
 * several seeds drawn as their centre with the band of their range.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { LossName } from "../core/losses.ts";
import { LOSS } from "../core/loss_registry.ts";
import { composeFigures } from "./compose.ts";
import { figureLayout, type FigureStyleInput } from "./style.ts";
import { lossLegend, lossScales } from "./loss_style.ts";
import { seedBands } from "./seed_band.ts";
import { decadeAxis, legendStrip, plotSvg, type SvgFigure } from "./svg.ts";
import {
  accuracyDomain,
  type CurvePanel,
  type CurveRow,
  fewTicks,
  milestoneRules,
  NC_DYNAMICS_PANELS,
  numeric,
  panelRows,
} from "./run_plots.ts";

/** Colours and symbols of the lines when they are not the losses: in the order of the values. */
const GROUP_COLORS = ["#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2", "#97bbf5"];
const GROUP_SYMBOLS = ["circle", "square", "triangle", "diamond", "star", "cross", "wye", "times"];

/** A key's value as a label: `width 8`, `batch_norm yes`, `lr 0.05`. */
const valueLabel = (key: string, value: unknown) =>
  `${key} ${typeof value === "boolean" ? (value ? "yes" : "no") : value === null ? "none" : String(value)}`;

/** Values in order: numbers ascending, then the rest as text. */
function ordered(values: Iterable<unknown>): unknown[] {
  return [...new Set(values)].sort((a, b) =>
    typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b))
  );
}

/** The colour and symbol scales and the legend of lines that are the values of `by`, not losses. */
function groupStyle(labels: readonly string[], options: { width: number; style?: FigureStyleInput }) {
  const range = (list: string[]) => labels.map((_, i) => list[i % list.length]);
  return {
    scales: {
      color: { domain: [...labels], range: range(GROUP_COLORS) },
      symbol: { domain: [...labels], range: range(GROUP_SYMBOLS) },
    },
    legend: legendStrip(
      labels.map((label, i) => ({
        label,
        color: GROUP_COLORS[i % GROUP_COLORS.length],
        symbol: GROUP_SYMBOLS[i % GROUP_SYMBOLS.length],
        line: true,
      })),
      options,
    ),
  };
}

/** The most markers a curve carries: denser evaluations are drawn as the line alone between them. */
const MAX_MARKERS = 16;

/** Per curve, every k-th evaluation (and the last) so that no curve carries more than {@link MAX_MARKERS} markers. */
function markerRows(rows: readonly CurveRow[]): CurveRow[] {
  const byCurve = new Map<string, CurveRow[]>();
  for (const r of rows) {
    const key = `${r.label}|${r.facet ?? ""}`;
    byCurve.set(key, [...(byCurve.get(key) ?? []), r]);
  }
  return [...byCurve.values()].flatMap((curve) => {
    const sorted = [...curve].sort((a, b) => a.epoch - b.epoch);
    const step = Math.ceil(sorted.length / MAX_MARKERS);
    return sorted.filter((_, i) => i % step === 0 || i === sorted.length - 1);
  });
}

/**
 * Metric against epoch, one line (with symbols) per loss, one panel per metric, as one SVG: at most
 * four panels a row on a page (two in a column), rows as even as possible, a loss legend above.
 * Several seeds of a loss are drawn as their centre ({@link seedBands}: mean, or geometric mean on a
 * log axis) with the band from the lowest to the highest seed; dense evaluations carry a marker at
 * every k-th point only (at most 16 a curve). `nc4Reference` draws a grey dashed
 * line at MSE's predicted NC4 = M/√K (docs/method.md §3), `milestones` dotted lines at the
 * learning-rate decays.
 *
 * `by` names the key whose values are the lines (default `loss`, drawn in the losses' colours and
 * symbols; another key gets a palette of its own and a legend such as "width 8"); `facet` a key
 * with one column of panels per value (each metric is then a row). Rows with the same value of
 * `by` (and `facet`) at an epoch are the seeds of one curve: the caller makes sure they differ in
 * nothing else (`nc plot` refuses selections that do).
 *
 * @example
 * ```ts ignore (reads the run store)
 * metricCurvesPlot(metricsFrame(runs).toRecords(), { nc4Reference: 15 / Math.sqrt(10) });
 * metricCurvesPlot(metricRows(runs), { by: "width", facet: "depth" });
 * ```
 */
export function metricCurvesPlot(
  rows: readonly CurveRow[],
  options: {
    panels?: readonly CurvePanel[];
    style?: FigureStyleInput;
    logEpoch?: boolean;
    nc4Reference?: number;
    /** Epochs at which the learning rate decays, drawn as dotted vertical lines in every panel. */
    milestones?: readonly number[];
    /** The key whose values are the lines (default `loss`). */
    by?: string;
    /** A key with one column of panels per value (none by default). */
    facet?: string;
  } = {},
): SvgFigure {
  const { panels = NC_DYNAMICS_PANELS, logEpoch = false, by = "loss", facet } = options;
  const L = figureLayout(options.style);
  const perRow = facet ? 1 : Math.max(1, Math.min(4, Math.floor(L.width / (13 * L.font))));
  const lineLabel = (r: CurveRow) => by === "loss" ? LOSS[r.loss as LossName].label : valueLabel(by, r[by]);
  const data: CurveRow[] = seedBands(rows, panels, { by, facet }).map((r) => ({
    ...r,
    label: lineLabel(r),
    ...(facet ? { facet: valueLabel(facet, r[facet]) } : {}),
  }));
  const groups = by === "loss"
    ? null
    : groupStyle(ordered(data.map((d) => d[by])).map((v) => valueLabel(by, v)), { width: L.width, style: L.style });
  const facets = facet ? ordered(data.map((d) => d[facet])).map((v) => valueLabel(facet, v)) : [];
  const fx = facet ? { fx: "facet" } : {};
  const banded = data.some((d) => (d.seeds as number) > 1);
  const height = 12 * L.font;
  const epochs = data.map((d) => d.epoch);
  const xAxis = logEpoch
    ? {
      ...decadeAxis(epochs, { length: L.width / perRow, font: 2.5 * L.font }),
      label: "epoch",
      labelArrow: "none" as const,
    }
    : { label: "epoch", ticks: fewTicks(Math.max(...epochs)), labelArrow: "none" as const };
  const panel = (p: CurvePanel, width: number) => {
    const values = data.flatMap((d) => [d[p.column], d[`${p.column}_low`], d[`${p.column}_high`]].map(numeric))
      .filter(Number.isFinite);
    const y = p.log
      ? decadeAxis(values, { length: height - L.marginTop - L.marginBottom, font: L.font })
      : p.accuracy
      ? { domain: accuracyDomain(values), ticks: 4 }
      : { ticks: 4, nice: true };
    const reference = p.column === "nc4" && options.nc4Reference !== undefined ? options.nc4Reference : null;
    const present = data.filter((d) => Number.isFinite(numeric(d[p.column])));
    return plotSvg({
      width,
      height: facet ? height + L.facetMargins.marginTop - L.marginTop : height,
      ...(facet ? L.facetMargins : L.margins),
      ...(groups ? groups.scales : lossScales()),
      ...(facet ? { fx: { domain: facets, label: null, padding: 0.15 } } : {}),
      x: xAxis,
      // No "↑" beside the label: for NC1–NC4 lower is the goal, for accuracies higher.
      y: {
        label: p.label,
        labelArrow: "none",
        grid: true,
        ...y,
        ...(reference === null ? {} : { domain: undefined, nice: true }),
      },
      marks: [
        ...milestoneRules(options.milestones),
        ...(reference === null ? [] : [
          Plot.ruleY([reference], { stroke: "#777", strokeDasharray: "4 3", strokeWidth: 1 }),
          Plot.text([reference], {
            y: (v: number) => v,
            frameAnchor: "right",
            textAnchor: "end",
            dy: -0.7 * L.font,
            dx: -2,
            text: () => "M/√K",
            fill: "#555",
          }),
        ]),
        ...(banded
          ? [Plot.areaY(present, {
            ...fx,
            x: "epoch",
            y1: `${p.column}_low`,
            y2: `${p.column}_high`,
            fill: "label",
            fillOpacity: 0.22,
            sort: "epoch",
          })]
          : []),
        Plot.line(present, {
          ...fx,
          x: "epoch",
          y: p.column,
          stroke: "label",
          strokeWidth: 1.2,
          strokeOpacity: 0.85,
          sort: "epoch",
        }),
        Plot.dot(markerRows(present), {
          ...fx,
          x: "epoch",
          y: p.column,
          stroke: "label",
          fill: "label",
          symbol: "label",
          r: 2,
        }),
      ],
    }, { style: L.style });
  };
  const figures: SvgFigure[] = [
    groups ? groups.legend : lossLegend(data.map((d) => d.loss), { width: L.width, style: L.style }),
  ];
  let at = 0;
  for (const count of panelRows(panels.length, perRow)) {
    const width = (L.width - L.gap * (count - 1)) / count;
    figures.push(composeFigures(panels.slice(at, at + count).map((p) => panel(p, width)), { gap: L.gap }));
    at += count;
  }
  return composeFigures(figures, { columns: 1, gap: L.gap / 2 });
}
