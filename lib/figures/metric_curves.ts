/**
 * Metric curves of runs against epoch (notebook 03, `nc plot`): one line per loss, or per value of
 * any other key, one panel per metric, optionally one column of panels per value of a facet key;
 * several seeds drawn as their centre, each seed as a thin line of its own.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { LossName } from "../core/losses.ts";
import { LOSS, LOSS_NAMES } from "../core/loss_registry.ts";
import { formatAccuracy, formatMetric } from "../report/number_format.ts";
import { composeFigures } from "./compose.ts";
import { type FigureDataRow, withFigureData } from "./figure_data.ts";
import { figureLayout, type FigureStyleInput } from "./style.ts";
import { LOSS_MARK } from "./loss_style.ts";
import { SEED_LINE, seedBands, seedLineLegendItem } from "./seed_band.ts";
import { decadeAxis, type LegendItem, legendStrip, plotSvg, type SvgFigure } from "./svg.ts";
import {
  accuracyDomain,
  type CurvePanel,
  type CurveRow,
  fewTicks,
  logEpochAxis,
  milestoneLegendItem,
  milestoneRules,
  NC_DYNAMICS_PANELS,
  numeric,
  panelRows,
  REFERENCE_GREY,
} from "./run_plots.ts";

/** Colours and symbols of the lines when they are not the losses: in the order of the values. */
const GROUP_COLORS = ["#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2", "#97bbf5"];
const GROUP_SYMBOLS = ["circle", "square", "triangle", "diamond", "star", "cross", "wye", "times"];

/** How the centre line and its markers are drawn (the legend draws them alike). */
const CENTRE = LOSS_MARK;

/** Markers a curve carries, spread along the epoch axis as drawn, the last at its end; the line joins every evaluation. */
const MARKERS = 5;

/** A key's value as a label: `width 8`, `batch_norm yes`, `lr 0.05`. */
const valueLabel = (key: string, value: unknown) =>
  `${key} ${typeof value === "boolean" ? (value ? "yes" : "no") : value === null ? "none" : String(value)}`;

/** Values in order: numbers ascending, then the rest as text. */
function ordered(values: Iterable<unknown>): unknown[] {
  return [...new Set(values)].sort((a, b) =>
    typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b))
  );
}

/** `trainAccuracy` → `train_accuracy`. */
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Whether lower values of a panel's metric mean more collapse: NC1–NC3 and their variants, CDNV. */
const isCollapse = (p: CurvePanel) => p.collapse ?? /^(nc[123]|gnc2|unc3|cdnv)/i.test(p.column);

/** A metric's value as shown: accuracies at one decimal, NC metrics at two significant digits. */
const shown = (p: CurvePanel, v: number) => (p.accuracy ? `${formatAccuracy(v, "figure")} %` : formatMetric(v));

/**
 * Per curve, its last evaluation (where a reader looks for the end values) and the evaluations
 * nearest to {@link MARKERS} − 1 positions spread along the epoch axis as drawn, shifted by a
 * fraction of a step from one curve to the next (curve `index` of `count`), so that the markers of
 * different curves do not sit on one another.
 */
function markerRows<R extends CurveRow>(
  rows: readonly R[],
  options: { log: boolean; index: (r: R) => number; count: number },
): R[] {
  const t = (e: number) => (options.log ? Math.log(e) : e);
  const byCurve = new Map<string, R[]>();
  for (const r of rows) {
    const key = `${r.label}|${r.facet ?? ""}`;
    if (!byCurve.has(key)) byCurve.set(key, []);
    byCurve.get(key)!.push(r);
  }
  const all = rows.map((r) => t(r.epoch));
  const lo = Math.min(...all), hi = Math.max(...all), step = (hi - lo) / MARKERS;
  return [...byCurve.values()].flatMap((curve) => {
    const shift = (options.index(curve[0]) + 0.5) / Math.max(1, options.count);
    const picked = new Set<R>();
    for (let j = 0; j < MARKERS - 1; j++) {
      const target = lo + (j + shift) * step;
      const nearest = curve.reduce((a, r) => (Math.abs(t(r.epoch) - target) < Math.abs(t(a.epoch) - target) ? r : a));
      picked.add(nearest);
    }
    picked.add(curve.reduce((a, r) => (r.epoch > a.epoch ? r : a)));
    return [...picked];
  });
}

/**
 * Metric against epoch, one line (with markers) per loss, one panel per metric, as one SVG: at most
 * four panels a row on a page (two in a column), rows as even as possible, the key above. Several
 * seeds of a loss are drawn as their centre ({@link seedBands}: mean, or geometric mean on a log
 * axis; a thicker line with a few markers) and each seed as a thin line of the same colour, so that
 * a reader sees where the seeds of two losses overlap. The epoch axis is logarithmic when the
 * evaluations span two decades or more (`logEpoch` decides otherwise); an evaluation at epoch 0
 * (before training) has no place on it and is left out, which the axis label says. `nc4Reference`
 * draws a grey dashed line, on top of the curves, at MSE's predicted NC4 = M/√K (docs/method.md
 * §3), `milestones` dotted grey lines at the learning-rate decays; the key names both, and says
 * which panels' metrics mean more collapse when lower.
 *
 * `by` names the key whose values are the lines (default `loss`, drawn in the losses' colours and
 * symbols; another key gets a palette of its own and a legend such as "width 8"); `facet` a key
 * with one column of panels per value (each metric is then a row). Rows with the same value of
 * `by` (and `facet`) at an epoch are the seeds of one curve: the caller makes sure they differ in
 * nothing else (`nc plot` refuses selections that do). The figure carries its data: per curve,
 * metric and epoch the centre with the lowest and highest seed, and each seed's value.
 *
 * @example
 * ```ts ignore (reads the run store)
 * metricCurvesPlot(metricsFrame(runs).toRecords(), { nc4Reference: 15 / Math.sqrt(10), milestones: [600, 1000] });
 * metricCurvesPlot(metricRows(runs), { by: "width", facet: "depth" });
 * ```
 */
export function metricCurvesPlot(
  rows: readonly CurveRow[],
  options: {
    panels?: readonly CurvePanel[];
    style?: FigureStyleInput;
    /** A logarithmic epoch axis (default: when the evaluated epochs span two decades or more). */
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
  const { panels = NC_DYNAMICS_PANELS, by = "loss", facet } = options;
  const L = figureLayout(options.style);
  const perRow = facet ? 1 : Math.max(1, Math.min(4, Math.floor(L.width / (13 * L.font))));
  const positive = rows.map((r) => r.epoch).filter((e) => e > 0);
  const logEpoch = options.logEpoch ?? Math.max(...positive) / Math.min(...positive) >= 100;
  const drawn = logEpoch ? rows.filter((r) => r.epoch > 0) : rows;
  const lineLabel = (r: CurveRow) => by === "loss" ? LOSS[r.loss as LossName].label : valueLabel(by, r[by]);
  const facetOf = (r: CurveRow) => (facet ? { facet: valueLabel(facet, r[facet]) } : {});
  const data: CurveRow[] = seedBands(drawn, panels, { by, facet }).map((r) => ({
    ...r,
    label: lineLabel(r),
    ...facetOf(r),
  }));
  const seedRows: CurveRow[] = drawn.map((r) => ({
    ...r,
    label: lineLabel(r),
    curve: `${lineLabel(r)}|${r.seed}`,
    ...facetOf(r),
  }));
  const labels = by === "loss"
    ? LOSS_NAMES.map((l) => LOSS[l].label).filter((l) => data.some((d) => d.label === l))
    : ordered(data.map((d) => d[by])).map((v) => valueLabel(by, v));
  const colors = by === "loss"
    ? labels.map((l) => LOSS[LOSS_NAMES.find((n) => LOSS[n].label === l)!].color)
    : labels.map((_, i) => GROUP_COLORS[i % GROUP_COLORS.length]);
  const symbols = by === "loss"
    ? labels.map((l) => LOSS[LOSS_NAMES.find((n) => LOSS[n].label === l)!].symbol)
    : labels.map((_, i) => GROUP_SYMBOLS[i % GROUP_SYMBOLS.length]);
  const scales = { color: { domain: labels, range: colors }, symbol: { domain: labels, range: symbols } };
  const facets = facet ? ordered(data.map((d) => d[facet])).map((v) => valueLabel(facet, v)) : [];
  const fx = facet ? { fx: "facet" } : {};
  const seeded = data.some((d) => (d.seeds as number) > 1);
  const height = 12 * L.font;
  const epochs = drawn.map((d) => d.epoch);
  const xAxis = (width: number) =>
    logEpoch
      ? {
        ...logEpochAxis(epochs, { length: width - L.marginLeft - L.marginRight, font: L.font }),
        ...(drawn.length < rows.length ? { label: "epoch (log scale; epoch 0 not drawn)" } : {}),
      }
      : { label: "epoch", ticks: fewTicks(Math.max(...epochs)) };
  const markers = (present: CurveRow[]) =>
    markerRows(present, { log: logEpoch, index: (r) => labels.indexOf(r.label as string), count: labels.length });
  const panel = (p: CurvePanel, width: number) => {
    const values = seedRows.map((d) => numeric(d[p.column])).filter(Number.isFinite);
    const reference = p.column === "nc4" && options.nc4Reference !== undefined ? options.nc4Reference : null;
    const y = p.log
      ? decadeAxis(values, { length: height - L.marginTop - L.marginBottom, font: L.font })
      : p.accuracy
      ? { domain: accuracyDomain(values), ticks: 4 }
      : {
        ticks: 4,
        nice: true,
        ...(reference === null ? {} : { domain: [Math.min(0, ...values), Math.max(reference, ...values)] }),
      };
    const present = data.filter((d) => Number.isFinite(numeric(d[p.column])));
    const seedsPresent = seedRows.filter((d) => Number.isFinite(numeric(d[p.column])));
    const centreTitle = (d: CurveRow) =>
      `${d.label}${d.facet ? ` · ${d.facet}` : ""} · epoch ${d.epoch}: ${p.label} = ${shown(p, numeric(d[p.column]))}` +
      ((d.seeds as number) > 1
        ? ` (${p.log ? "geometric mean" : "mean"} of ${d.seeds} seeds; ${shown(p, numeric(d[`${p.column}_low`]))} to ${
          shown(p, numeric(d[`${p.column}_high`]))
        })`
        : "");
    return plotSvg({
      width,
      height: facet ? height + L.facetMargins.marginTop - L.marginTop : height,
      ...(facet ? L.facetMargins : L.margins),
      ...scales,
      ...(facet ? { fx: { domain: facets, label: null, padding: 0.15 } } : {}),
      x: xAxis(width),
      y: { label: p.label, grid: true, ...y },
      marks: [
        ...milestoneRules(options.milestones?.filter((m) => m >= Math.min(...epochs) && m <= Math.max(...epochs))),
        ...(seeded
          ? [Plot.line(seedsPresent, {
            ...fx,
            x: "epoch",
            y: p.column,
            z: "curve",
            stroke: "label",
            ...SEED_LINE,
            sort: "epoch",
            title: (d: CurveRow) => `${d.label} · seed ${d.seed}`,
          })]
          : []),
        Plot.line(present, {
          ...fx,
          x: "epoch",
          y: p.column,
          z: "label",
          stroke: "label",
          strokeWidth: CENTRE.strokeWidth,
          sort: "epoch",
          title: (d: CurveRow) => `${d.label}${seeded ? `: ${p.log ? "geometric mean" : "mean"} over seeds` : ""}`,
        }),
        Plot.dot(markers(present), {
          ...fx,
          x: "epoch",
          y: p.column,
          stroke: "label",
          fill: "label",
          symbol: "label",
          r: CENTRE.r,
          title: centreTitle,
        }),
        // The prediction on top of the curves, so that MSE's line does not hide it.
        ...(reference === null ? [] : [
          Plot.ruleY([reference], {
            stroke: REFERENCE_GREY,
            strokeDasharray: "4 3",
            strokeWidth: 1,
            title: () => `M/√K = ${formatMetric(reference)}`,
          }),
        ]),
      ],
    }, { style: L.style });
  };
  const note = panels.filter(isCollapse).map((p) => p.label);
  const key: LegendItem[] = [
    ...labels.map((label, i) => ({
      label,
      color: colors[i],
      symbol: symbols[i],
      line: true,
      lineWidth: CENTRE.strokeWidth,
      r: CENTRE.r,
    })),
    ...(seeded ? [seedLineLegendItem()] : []),
    ...(options.nc4Reference !== undefined && panels.some((p) => p.column === "nc4")
      ? [{ label: "M/√K (MSE's NC4)", color: REFERENCE_GREY, line: true, dash: "4 3", lineWidth: 1 }]
      : []),
    ...(options.milestones?.length ? [milestoneLegendItem()] : []),
    ...(note.length ? [{ label: `${note.join(", ")}: lower = more collapse`, color: "#333", note: true }] : []),
  ];
  const figures: SvgFigure[] = [legendStrip(key, { width: L.width, style: L.style })];
  let at = 0;
  for (const count of panelRows(panels.length, perRow)) {
    const width = (L.width - L.gap * (count - 1)) / count;
    figures.push(composeFigures(panels.slice(at, at + count).map((p) => panel(p, width)), { gap: L.gap }));
    at += count;
  }
  const lineKey = by === "loss" ? "loss" : snake(by);
  const keys = (d: CurveRow) => ({
    [lineKey]: by === "loss" ? d.label as string : d[by] as FigureDataRow[string],
    ...(facet ? { [snake(facet)]: d[facet] as FigureDataRow[string] } : {}),
  });
  const table: FigureDataRow[] = panels.flatMap((p) => [
    ...data.filter((d) => Number.isFinite(numeric(d[p.column]))).map((d) => ({
      ...keys(d),
      metric: snake(p.column),
      epoch: d.epoch,
      seed: p.log ? "geometric mean" : "mean",
      value: numeric(d[p.column]),
      seed_low: numeric(d[`${p.column}_low`]),
      seed_high: numeric(d[`${p.column}_high`]),
      seeds: d.seeds as number,
    })),
    ...(seeded ? seedRows : []).filter((d) => Number.isFinite(numeric(d[p.column]))).map((d) => ({
      ...keys(d),
      metric: snake(p.column),
      epoch: d.epoch,
      seed: String(d.seed),
      value: numeric(d[p.column]),
    })),
  ]);
  return withFigureData(composeFigures(figures, { columns: 1, gap: L.gap / 2 }), table);
}
