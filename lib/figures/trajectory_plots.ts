/**
 * Metric trajectories grouped by something other than the loss: the NC1 of each loss
 * hyper-parameter value over epochs (notebook 06), and the collapse of every hidden layer over
 * epochs, one panel per loss (notebook 07). Each group is drawn as its geometric mean over seeds
 * and each seed as a thin line of the same colour. Groups are coloured along viridis (dark to
 * light: small to large value, or input side to output side), which stays ordered in grey and for
 * colour-blind readers.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { LOSS } from "../core/loss_registry.ts";
import type { LossName } from "../core/losses.ts";
import { composeFigures } from "./compose.ts";
import { type FigureDataRow, withFigureData } from "./figure_data.ts";
import { figureLayout, type FigureStyleInput } from "./style.ts";
import { type CurveRow, fewTicks, logEpochAxis, milestoneLegendItem, milestoneRules, numeric } from "./run_plots.ts";
import { SEED_LINE, seedBand, seedLineLegendItem } from "./seed_band.ts";
import { decadeAxis, type LegendItem, legendStrip, plotSvg, type SvgFigure } from "./svg.ts";

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

/** One seed's metric at one epoch. */
interface SeedPoint {
  group: number;
  seed: unknown;
  epoch: number;
  value: number;
}

/** The width of a group's line (the mean over seeds); the seeds' lines are {@link SEED_LINE}. */
const MEAN_WIDTH = 1.4;

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

/** Per group and epoch, the geometric mean over seeds and their range; and every seed's value. */
function groupSeeds<R extends CurveRow>(
  rows: readonly R[],
  group: (row: R) => number,
  metric: string,
): { bands: GroupBand[]; seeds: SeedPoint[] } {
  const cells = new Map<string, { group: number; epoch: number; values: number[] }>();
  const seeds: SeedPoint[] = [];
  for (const r of rows) {
    const value = numeric(r[metric]);
    const key = `${group(r)}|${r.epoch}`;
    if (!cells.has(key)) cells.set(key, { group: group(r), epoch: r.epoch, values: [] });
    cells.get(key)!.values.push(value);
    if (value > 0 && Number.isFinite(value)) seeds.push({ group: group(r), seed: r.seed, epoch: r.epoch, value });
  }
  const bands = [...cells.values()].flatMap((c) => {
    const band = seedBand(c.values, { log: true });
    return band
      ? [{ group: c.group, epoch: c.epoch, mean: band.centre, low: band.low, high: band.high, seeds: band.seeds }]
      : [];
  });
  return { bands, seeds };
}

interface PanelOptions {
  title: string;
  data: { bands: GroupBand[]; seeds: SeedPoint[] };
  groups: number[];
  colors: string[];
  /** A group's name in tooltips: `α = 0.1`, `layer 2`. */
  name: (group: number) => string;
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
  const bands = p.data.bands.map((d) => ({ ...d, key: String(d.group) }));
  const seeds = p.data.seeds.map((d) => ({ ...d, key: String(d.group), line: `${d.group}|${d.seed}` }));
  const multi = bands.some((d) => d.seeds > 1);
  const maxEpoch = Math.max(...p.epochs);
  const epochs = p.logEpoch ? p.epochs.filter((e) => e > 0) : p.epochs;
  return plotSvg({
    width: p.width,
    height: p.height,
    ...L.facetMargins,
    color,
    x: p.logEpoch
      ? logEpochAxis(epochs, { length: p.width - L.marginLeft - L.marginRight, font: L.font })
      : { label: "epoch", domain: [0, maxEpoch], ticks: fewTicks(maxEpoch) },
    y: {
      ...decadeAxis(p.yValues, { length: p.height - L.marginTop - L.marginBottom, font: L.font }),
      label: p.yLabel,
      grid: true,
    },
    marks: [
      ...milestoneRules(p.milestones?.filter((m) => m >= Math.min(...epochs) && m <= maxEpoch)),
      ...(multi
        ? [Plot.line(seeds, {
          x: "epoch",
          y: "value",
          z: "line",
          stroke: "key",
          ...SEED_LINE,
          sort: "epoch",
          title: (d: SeedPoint) => `${p.title} · ${p.name(d.group)} · seed ${d.seed}`,
        })]
        : []),
      Plot.line(bands, {
        x: "epoch",
        y: "mean",
        z: "key",
        stroke: "key",
        strokeWidth: MEAN_WIDTH,
        sort: "epoch",
        title: (d: GroupBand) => `${p.title} · ${p.name(d.group)}${multi ? ": geometric mean over seeds" : ""}`,
      }),
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

/** The figure's data: per group, epoch and seed, and the geometric mean with the seeds' range. */
function trajectoryData(
  data: { bands: GroupBand[]; seeds: SeedPoint[] },
  keys: (group: number) => Record<string, string | number>,
  metric: string,
): FigureDataRow[] {
  return [
    ...data.bands.map((d) => ({
      ...keys(d.group),
      metric,
      epoch: d.epoch,
      seed: "geometric mean",
      value: d.mean,
      seed_low: d.low,
      seed_high: d.high,
      seeds: d.seeds,
    })),
    ...data.seeds.map((d) => ({ ...keys(d.group), metric, epoch: d.epoch, seed: String(d.seed), value: d.value })),
  ];
}

/** Whether the evaluated epochs span two decades or more (then the epoch axis is logarithmic). */
const spansDecades = (epochs: readonly number[]) => {
  const positive = epochs.filter((e) => e > 0);
  return Math.max(...positive) / Math.min(...positive) >= 100;
};

/**
 * NC1 (or another metric) over epochs for each value of LS α and FL γ, side by side when the
 * panels are wide enough, else one above the other, on a logarithmic epoch axis: the thick line is
 * the geometric mean over seeds, the thin lines the seeds. Rows are {@link metricsFrame} records of
 * the hyper-parameter runs (`loss`, `loss_param`, `seed`, `epoch` and the metric). The figure
 * carries its data.
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
  const all = rows.filter((r) => (r.loss === "ls" || r.loss === "fl") && r.epoch > 0);
  const columns = (L.width - L.gap) / 2 >= 20 * L.font ? 2 : 1;
  const width = (L.width - L.gap * (columns - 1)) / columns, height = 14 * L.font;
  const yValues = all.map((r) => numeric(r[metric]));
  const epochs = all.map((r) => r.epoch);
  const multi = new Set(all.map((r) => r.seed)).size > 1;
  const csv: FigureDataRow[] = [];
  const column = (loss: LossName, symbol: string) => {
    const data = groupSeeds(all.filter((r) => r.loss === loss), (r) => r.loss_param, metric);
    const groups = [...new Set(data.bands.map((d) => d.group))].sort((a, b) => a - b);
    const colors = orderedColors(groups.length);
    csv.push(...trajectoryData(data, (g) => ({ loss: LOSS[loss].label, loss_param: g }), metric));
    const legend = legendStrip([
      ...groups.map((g, i) => ({ label: `${symbol} = ${g}`, color: colors[i], line: true, lineWidth: MEAN_WIDTH })),
      ...(multi ? [seedLineLegendItem()] : []),
    ], { width, style: L.style });
    const panel = trajectoryPanel({
      title: LOSS[loss].label,
      data,
      groups,
      colors,
      name: (g) => `${symbol} = ${g}`,
      width,
      height,
      yLabel: /^(nc[123]|gnc2|unc3|cdnv)/i.test(metric) ? `${label} (lower = more collapse)` : label,
      yValues,
      epochs,
      logEpoch: true,
    }, L.style);
    return { legend, panel };
  };
  const [ls, fl] = [column("ls", "α"), column("fl", "γ")];
  // Legends in one row and panels in the next, so that the panels line up whatever the legends' heights.
  const figure = columns === 2
    ? composeFigures([ls.legend, fl.legend, ls.panel, fl.panel], { columns: 2, gap: L.gap })
    : composeFigures([ls.legend, ls.panel, fl.legend, fl.panel], { columns: 1, gap: L.gap / 2 });
  return withFigureData(figure, csv);
}

/**
 * Collapse layer by layer: for each loss a panel of NC1 (top row) and NC2 of the class means
 * (bottom row) over epochs, one line per hidden layer coloured from the input side (dark) to the
 * features (light). Rows are {@link layerMetricsFrame} records (`loss`, `layer`, `depth`, `epoch`,
 * `nc1`, `nc2Means`); several seeds become a thick line (their geometric mean) and a thin line per
 * seed. The epoch axis is logarithmic when the evaluations span two decades or more (`logEpoch`
 * decides otherwise; an epoch-0 evaluation is then left out); `milestones` draws the learning-rate
 * decays as dotted lines. The figure carries its data.
 *
 * @example
 * ```ts ignore (reads the run store)
 * layerCollapsePlot(layerMetricsFrame(runs).toRecords(), { milestones: [600, 1000] });
 * ```
 */
export function layerCollapsePlot(
  rows: readonly LayerRow[],
  options: { style?: FigureStyleInput; logEpoch?: boolean; milestones?: readonly number[] } = {},
): SvgFigure {
  const L = figureLayout(options.style);
  const logEpoch = options.logEpoch ?? spansDecades(rows.map((r) => r.epoch));
  const drawn = logEpoch ? rows.filter((r) => r.epoch > 0) : rows;
  const losses = (Object.keys(LOSS) as LossName[]).filter((l) => drawn.some((r) => r.loss === l));
  const perRow = Math.min(losses.length, Math.max(1, Math.floor(L.width / (11 * L.font))));
  const width = (L.width - L.gap * (perRow - 1)) / perRow, height = 12 * L.font;
  const layers = [...new Map(drawn.map((r) => [r.depth, r.layer])).entries()].sort((a, b) => a[0] - b[0]);
  const layerName = new Map(layers);
  const colors = orderedColors(layers.length);
  const epochs = drawn.map((r) => r.epoch);
  const multi = new Set(drawn.map((r) => r.seed)).size > 1;
  const csv: FigureDataRow[] = [];
  const metricRow = (metric: string, label: string) => {
    const yValues = drawn.map((r) => numeric(r[metric]));
    const panels = losses.map((loss) => {
      const data = groupSeeds(drawn.filter((r) => r.loss === loss), (r) => r.depth, metric);
      csv.push(
        ...trajectoryData(data, (d) => ({ loss: LOSS[loss].label, layer: layerName.get(d) ?? "", depth: d }), metric),
      );
      return trajectoryPanel({
        title: LOSS[loss].label,
        data,
        groups: layers.map(([depth]) => depth),
        colors,
        name: (d) => layerName.get(d) ?? `layer ${d}`,
        width,
        height,
        yLabel: label,
        yValues,
        epochs,
        logEpoch,
        milestones: options.milestones,
      }, L.style);
    });
    const lines: SvgFigure[] = [];
    for (let i = 0; i < panels.length; i += perRow) {
      lines.push(composeFigures(panels.slice(i, i + perRow), { gap: L.gap }));
    }
    return lines;
  };
  const named = (name: string, i: number) => i === layers.length - 1 ? `${name} (features)` : name;
  const key: LegendItem[] = [
    ...layers.map(([, name], i) => ({ label: named(name, i), color: colors[i], line: true, lineWidth: MEAN_WIDTH })),
    ...(multi ? [seedLineLegendItem()] : []),
    ...(options.milestones?.length ? [milestoneLegendItem()] : []),
    { label: "NC1, NC2: lower = more collapse", color: "#333", note: true },
  ];
  const legend = legendStrip(key, { width: L.width, style: L.style });
  const figure = composeFigures(
    [legend, ...metricRow("nc1", "NC1"), ...metricRow("nc2Means", "NC2 (class means)")],
    { columns: 1, gap: L.gap / 2 },
  );
  return withFigureData(figure, csv);
}
