/**
 * Metric trajectories grouped by something other than the loss: the NC1 of each loss
 * hyper-parameter value over epochs, as a mean over seeds with their range (notebook 06), and the
 * collapse of every hidden layer over epochs, one panel per loss (notebook 07). Groups are coloured
 * along viridis (dark to light: small to large value, or input side to output side), which stays
 * ordered in grey and for colour-blind readers.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { LOSS } from "../core/loss_registry.ts";
import type { LossName } from "../core/losses.ts";
import { composeFigures } from "./compose.ts";
import { figureLayout, type FigureStyleInput } from "./style.ts";
import { type CurveRow, fewTicks, milestoneRules, numeric } from "./run_plots.ts";
import { seedBand } from "./seed_band.ts";
import { decadeAxis, legendStrip, legendStripWidth, plotSvg, type SvgFigure } from "./svg.ts";

/** A row of {@link hyperparameterTrajectoriesPlot}: one evaluation of one run with its loss parameter. */
export interface TrajectoryRow extends CurveRow {
  readonly loss_param: number;
}

/** A row of {@link layerCollapsePlot}: one hidden layer at one evaluation (a `layerMetricsFrame` record). */
export interface LayerRow extends CurveRow {
  readonly layer: string;
  /** 1 nearest the input. */
  readonly depth: number;
}

/** One group's metric at one epoch over seeds: geometric mean, range, and how many seeds. */
interface GroupBand {
  group: number;
  epoch: number;
  mean: number;
  low: number;
  high: number;
  seeds: number;
}

/**
 * `n` ordered colours from viridis, stopping short of its yellow end (unreadable on white).
 *
 * @example
 * ```ts
 * orderedColors(2); // ["#440154", "#7ad151"]
 * ```
 */
export function orderedColors(n: number): string[] {
  const scale = Plot.scale({ color: { type: "sequential", scheme: "viridis", domain: [0, 1] } });
  return Array.from({ length: n }, (_, i) => scale.apply(n === 1 ? 0.4 : (0.8 * i) / (n - 1)) as string);
}

/** A logarithmic epoch axis over exactly the epochs evaluated, ticks at its decades and its ends. */
function logEpochAxis(epochs: readonly number[]) {
  const lo = Math.min(...epochs), hi = Math.max(...epochs);
  const decades = Array.from({ length: 7 }, (_, i) => 10 ** i).filter((t) => t > lo * 1.5 && t < hi / 1.5);
  return { type: "log" as const, domain: [lo, hi], ticks: [lo, ...decades, hi], tickFormat: "~g", label: "epoch" };
}

/** One line per group: the geometric mean over seeds at each epoch, and the band of their range. */
function seedBands<R extends CurveRow>(rows: readonly R[], group: (row: R) => number, metric: string): GroupBand[] {
  const cells = new Map<string, { group: number; epoch: number; values: number[] }>();
  for (const r of rows) {
    const key = `${group(r)}|${r.epoch}`;
    if (!cells.has(key)) cells.set(key, { group: group(r), epoch: r.epoch, values: [] });
    cells.get(key)!.values.push(numeric(r[metric]));
  }
  return [...cells.values()].flatMap((c) => {
    const band = seedBand(c.values, { log: true });
    return band
      ? [{ group: c.group, epoch: c.epoch, mean: band.centre, low: band.low, high: band.high, seeds: band.seeds }]
      : [];
  });
}

interface PanelOptions {
  title: string;
  data: GroupBand[];
  groups: number[];
  colors: string[];
  width: number;
  height: number;
  yLabel: string;
  yValues: number[];
  epochs: number[];
  /** A logarithmic epoch axis (else linear from 0). */
  logEpoch: boolean;
  milestones?: readonly number[];
}

function trajectoryPanel(p: PanelOptions, style: FigureStyleInput | undefined): SvgFigure {
  const L = figureLayout(style);
  const color = { domain: p.groups.map(String), range: p.colors };
  const data = p.data.map((d) => ({ ...d, key: String(d.group) }));
  return plotSvg({
    width: p.width,
    height: p.height,
    ...L.facetMargins,
    color,
    x: p.logEpoch
      ? logEpochAxis(p.epochs)
      : { label: "epoch", domain: [0, Math.max(...p.epochs)], ticks: fewTicks(Math.max(...p.epochs)) },
    y: {
      ...decadeAxis(p.yValues, { length: p.height - L.marginTop - L.marginBottom, font: L.font }),
      label: p.yLabel,
      grid: true,
    },
    marks: [
      ...milestoneRules(p.milestones),
      Plot.areaY(data, { x: "epoch", y1: "low", y2: "high", z: "key", fill: "key", fillOpacity: 0.18, sort: "epoch" }),
      Plot.line(data, { x: "epoch", y: "mean", z: "key", stroke: "key", strokeWidth: 1.3, sort: "epoch" }),
      // The panel's title, above the frame on the right (the y-axis label holds the left).
      Plot.text([p.title], {
        frameAnchor: "top-right",
        dy: -1.5 * L.font,
        text: (d: string) => d,
        textAnchor: "end",
        fontWeight: "bold",
      }),
    ],
  }, { style: L.style });
}

/**
 * NC1 (or another metric) over epochs for each value of LS α and FL γ, side by side when their
 * legends fit, else one above the other: the line is the geometric mean over seeds, the band their
 * range. Rows are {@link metricsFrame} records of the
 * hyper-parameter runs (`loss`, `loss_param`, `seed`, `epoch` and the metric).
 *
 * @example
 * ```ts ignore (reads the run store)
 * hyperparameterTrajectoriesPlot(metricsFrame(runs).toRecords(), { metric: "nc1", label: "NC1" });
 * ```
 */
export function hyperparameterTrajectoriesPlot(
  rows: readonly TrajectoryRow[],
  options: { metric?: string; label?: string; style?: FigureStyleInput } = {},
): SvgFigure {
  const metric = options.metric ?? "nc1", label = options.label ?? metric.toUpperCase();
  const L = figureLayout(options.style);
  const all = rows.filter((r) => r.loss === "ls" || r.loss === "fl");
  const valuesOf = (loss: string) =>
    [...new Set(all.filter((r) => r.loss === loss).map((r) => r.loss_param))].sort((a, b) => a - b);
  // Side by side when each panel's legend fits its half of the width, else one above the other.
  const legendFits = (["ls", "fl"] as const).every((loss) =>
    legendStripWidth(valuesOf(loss).map((v) => `γ = ${v}`), L.font) <= (L.width - L.gap) / 2
  );
  const columns = legendFits ? 2 : 1;
  const width = (L.width - L.gap * (columns - 1)) / columns, height = 14 * L.font;
  const yValues = all.map((r) => numeric(r[metric]));
  const epochs = all.map((r) => r.epoch);
  const column = (loss: LossName, symbol: string) => {
    const data = seedBands(all.filter((r) => r.loss === loss), (r) => r.loss_param, metric);
    const groups = [...new Set(data.map((d) => d.group))].sort((a, b) => a - b);
    const colors = orderedColors(groups.length);
    const legend = legendStrip(groups.map((g, i) => ({ label: `${symbol} = ${g}`, color: colors[i], line: true })), {
      width,
      style: L.style,
    });
    const panel = trajectoryPanel({
      title: LOSS[loss].label,
      data,
      groups,
      colors,
      width,
      height,
      yLabel: `${label} (mean over seeds, range)`,
      yValues,
      epochs,
      logEpoch: true,
    }, L.style);
    return composeFigures([legend, panel], { columns: 1, gap: L.gap / 2 });
  };
  return composeFigures([column("ls", "α"), column("fl", "γ")], { columns, gap: L.gap });
}

/**
 * Collapse layer by layer: for each loss a panel of NC1 (top row) and NC2 of the class means
 * (bottom row) over epochs, one line per hidden layer coloured from the input side (dark) to the
 * features (light). Rows are {@link layerMetricsFrame} records (`loss`, `layer`, `depth`, `epoch`,
 * `nc1`, `nc2Means`); several seeds become a mean with a band. Epochs are linear unless `logEpoch`;
 * `milestones` draws the learning-rate decays as dotted lines.
 *
 * @example
 * ```ts ignore (reads the run store)
 * layerCollapsePlot(layerMetricsFrame(runs).toRecords());
 * ```
 */
export function layerCollapsePlot(
  rows: readonly LayerRow[],
  options: { style?: FigureStyleInput; logEpoch?: boolean; milestones?: readonly number[] } = {},
): SvgFigure {
  const L = figureLayout(options.style);
  const losses = (Object.keys(LOSS) as LossName[]).filter((l) => rows.some((r) => r.loss === l));
  const perRow = Math.min(losses.length, Math.max(1, Math.floor(L.width / (11 * L.font))));
  const width = (L.width - L.gap * (perRow - 1)) / perRow, height = 12 * L.font;
  const layers = [...new Map(rows.map((r) => [r.depth, r.layer])).entries()].sort((a, b) => a[0] - b[0]);
  const colors = orderedColors(layers.length);
  const epochs = rows.map((r) => r.epoch);
  const metricRow = (metric: string, label: string) => {
    const yValues = rows.map((r) => numeric(r[metric]));
    const panels = losses.map((loss) =>
      trajectoryPanel({
        title: LOSS[loss].label,
        data: seedBands(rows.filter((r) => r.loss === loss), (r) => r.depth, metric),
        groups: layers.map(([depth]) => depth),
        colors,
        width,
        height,
        yLabel: label,
        yValues,
        epochs,
        logEpoch: options.logEpoch ?? false,
        milestones: options.milestones,
      }, L.style)
    );
    const lines: SvgFigure[] = [];
    for (let i = 0; i < panels.length; i += perRow) {
      lines.push(composeFigures(panels.slice(i, i + perRow), { gap: L.gap }));
    }
    return lines;
  };
  const named = (name: string, i: number) => i === layers.length - 1 ? `${name} (features)` : name;
  const legend = legendStrip(layers.map(([, name], i) => ({ label: named(name, i), color: colors[i], line: true })), {
    width: L.width,
    style: L.style,
  });
  return composeFigures([legend, ...metricRow("nc1", "NC1"), ...metricRow("nc2Means", "NC2 (class means)")], {
    columns: 1,
    gap: L.gap / 2,
  });
}
