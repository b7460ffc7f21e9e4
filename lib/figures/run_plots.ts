/**
 * What the figures of the deep-network runs (notebooks 03–07) share: their row types, the axes
 * (accuracy domains, logarithmic epoch axes, ticks whose labels fit), the reference lines of the
 * learning-rate decays, and the panels of the NC-dynamics figure; and the heat-maps over
 * width × epochs (`heatmap_plots.ts`). The figures themselves are in `metric_curves.ts`,
 * `accuracy_plots.ts` and `trajectory_plots.ts`.
 *
 * Every figure function takes records (plain objects, e.g. `frame.toRecords()`) and an options
 * object with a figure `style` (`page` by default, see `style.ts`), and returns one standalone
 * SVG of that physical width; colours and symbols per loss are those of `loss_style.ts`, and the
 * legend is a strip above the panels, never over data. NC metrics are drawn on log axes with a
 * tick at every decade; accuracy axes follow {@link accuracyDomain}.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { LegendItem } from "./svg.ts";

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

/** The smallest span (percentage points) of an accuracy axis: see {@link accuracyDomain}. */
export const ACCURACY_MIN_SPAN = 5;

/** The smallest span of an accuracy axis on which every seed is drawn (the seeds then show the noise). */
export const SEED_ACCURACY_MIN_SPAN = 2;

/**
 * The y domain of an accuracy axis, by a rule that does not magnify noise: the data's range (with
 * error bars), widened to at least `minSpan` percentage points ({@link ACCURACY_MIN_SPAN} by
 * default) about its centre, kept within [0, 100]. A 0.3-point difference then fills at most 6 % of
 * the axis. Figures that draw every seed may pass a smaller `minSpan` (the seeds then show the noise
 * on the axis itself).
 *
 * @example
 * ```ts
 * accuracyDomain([82.4, 82.7]); // [80.05, 85.05]
 * accuracyDomain([10, 95]); // [10, 95]
 * accuracyDomain([82.4, 82.7], { minSpan: 1 }); // [82.05, 83.05]
 * ```
 */
export function accuracyDomain(values: readonly number[], options: { minSpan?: number } = {}): [number, number] {
  const minSpan = options.minSpan ?? ACCURACY_MIN_SPAN;
  const finite = values.filter(Number.isFinite);
  const lo = Math.min(...finite), hi = Math.max(...finite);
  if (hi - lo >= minSpan) return [lo, hi];
  const mid = (lo + hi) / 2;
  const top = Math.min(100, mid + minSpan / 2);
  const bottom = Math.max(0, top - minSpan);
  return [bottom, bottom + minSpan];
}

/**
 * The ticks of a logarithmic epoch axis over the epochs evaluated (those above 0: a log axis has no
 * epoch 0): every power of ten inside them, and the first and last epoch where they lie more than a
 * factor 3 from the nearest power of ten.
 *
 * @example
 * ```ts
 * epochTicks([1, 3, 40]); // [1, 10, 40]
 * epochTicks([1, 1400]); // [1, 10, 100, 1000]
 * ```
 */
export function epochTicks(epochs: readonly number[]): number[] {
  const positive = epochs.filter((e) => e > 0);
  const lo = Math.min(...positive), hi = Math.max(...positive);
  const decades = Array.from({ length: 8 }, (_, i) => 10 ** i).filter((t) => t >= lo && t <= hi);
  const first = decades.length === 0 || decades[0] > 3 * lo ? [lo] : [];
  const last = decades.length === 0 || decades.at(-1)! * 3 < hi ? [hi] : [];
  return [...new Set([...first, ...decades, ...last])];
}

/**
 * A logarithmic axis over `domain` with a tick at each of `ticks`, as Plot scale options: a linear
 * scale of log10 of the values, so that every tick keeps the label given here (Plot's log scales
 * blank the labels of ticks such as 700 or 770). Given the axis's `length` and the text size `font`
 * (points), ticks whose labels would touch keep no label ({@link labelledTicks}).
 *
 * @example
 * ```ts
 * const axis = logAxis([25, 100, 400, 1400], { domain: [25, 1400], label: "epochs" });
 * axis.ticks.map(axis.tickFormat); // ["25", "100", "400", "1400"]
 * ```
 */
export function logAxis(
  ticks: readonly number[],
  options: { domain: readonly [number, number]; label: string; length?: number; font?: number },
): {
  type: "linear";
  transform: (v: number) => number;
  domain: [number, number];
  ticks: number[];
  tickFormat: (v: number) => string;
  label: string;
} {
  const labelled = new Set(
    options.length && options.font
      ? labelledTicks(ticks, { domain: options.domain, length: options.length, font: options.font, log: true })
      : ticks,
  );
  const value = (t: number) => Number((10 ** t).toPrecision(12));
  return {
    type: "linear",
    transform: Math.log10,
    domain: [Math.log10(options.domain[0]), Math.log10(options.domain[1])],
    ticks: ticks.map(Math.log10),
    tickFormat: (t: number) => (labelled.has(value(t)) ? String(value(t)) : ""),
    label: options.label,
  };
}

/**
 * A logarithmic epoch axis over the epochs evaluated (those above 0), with the ticks of
 * {@link epochTicks}, labelled where the labels fit the axis's `length` at text size `font`.
 *
 * @example
 * ```ts
 * const axis = logEpochAxis([1, 1400], { length: 60, font: 9 });
 * axis.ticks.map(axis.tickFormat); // ["1", "10", "", "1000"]
 * ```
 */
export function logEpochAxis(
  epochs: readonly number[],
  options: { length?: number; font?: number } = {},
): ReturnType<typeof logAxis> {
  const positive = epochs.filter((e) => e > 0);
  return logAxis(epochTicks(positive), {
    domain: [Math.min(...positive), Math.max(...positive)],
    label: "epoch (log scale)",
    ...options,
  });
}

/**
 * Of `values` on an axis of `length` points over `domain`, those whose labels (at text size `font`)
 * fit without touching their neighbours, from the first on: the other values keep a tick without a
 * label (see the axis's `tickFormat`).
 *
 * @example
 * ```ts
 * labelledTicks([0, 0.05, 0.1, 0.2, 0.4], { domain: [0, 0.4], length: 80, font: 8 }); // [0, 0.1, 0.2, 0.4]
 * ```
 */
export function labelledTicks(
  values: readonly number[],
  options: { domain: readonly [number, number]; length: number; font: number; log?: boolean },
): number[] {
  const t = (v: number) => (options.log ? Math.log(v) : v);
  const [a, b] = options.domain.map(t);
  const at = (v: number) => ((t(v) - a) / (b - a || 1)) * options.length;
  const half = (v: number) => (0.62 * String(v).length * options.font) / 2;
  const kept: number[] = [];
  // The last value is labelled first (an axis's end), then the others from the start where they fit.
  const last = values.at(-1);
  for (const v of values) {
    const clear = (u: number) => Math.abs(at(v) - at(u)) >= half(v) + half(u) + 0.4 * options.font;
    if (kept.every(clear) && (v === last || last === undefined || clear(last))) kept.push(v);
  }
  return kept;
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

/** Neutral grey of reference lines (predictions, learning-rate decays): no loss has it. */
export const REFERENCE_GREY = "#666";

const MILESTONE = { stroke: REFERENCE_GREY, strokeDasharray: "1.5 2", strokeWidth: 0.9 } as const;

/** Dotted vertical lines at the epochs where the learning rate decays (none when not given). */
export function milestoneRules(milestones?: readonly number[]): Plot.Markish[] {
  return milestones?.length
    ? [Plot.ruleX(milestones, { ...MILESTONE, title: (e: number) => `lr decay after epoch ${e}` })]
    : [];
}

/**
 * The legend entry of {@link milestoneRules}: the dotted line as drawn, and what it marks (the
 * paper's step schedule divides the learning rate by 10 at each, docs/method.md §6).
 *
 * @example
 * ```ts
 * milestoneLegendItem().label; // "lr ×0.1"
 * ```
 */
export function milestoneLegendItem(label = "lr ×0.1"): LegendItem {
  return {
    label,
    color: MILESTONE.stroke,
    line: true,
    dash: MILESTONE.strokeDasharray,
    lineWidth: MILESTONE.strokeWidth,
  };
}

/** A panel of {@link metricCurvesPlot}: which column, its axis label, and whether the y axis is logarithmic. */
export interface CurvePanel {
  readonly column: string;
  readonly label: string;
  readonly log?: boolean;
  /** An accuracy in percent: its axis follows {@link accuracyDomain}. */
  readonly accuracy?: boolean;
  /** Lower values mean more collapse (NC1–NC3): the figure says so in its key. */
  readonly collapse?: boolean;
}

/**
 * The panels of the paper's NC-dynamics figure (docs/method.md §7): NC1–NC4 and the training and
 * test accuracies (the validation accuracy, which tracks the test accuracy, is left to the tables).
 */
export const NC_DYNAMICS_PANELS: readonly CurvePanel[] = [
  { column: "nc1", label: "NC1", log: true, collapse: true },
  { column: "nc2", label: "NC2", log: true, collapse: true },
  { column: "nc3", label: "NC3", log: true, collapse: true },
  { column: "nc4", label: "NC4" },
  { column: "trainAccuracy", label: "train accuracy (%)", accuracy: true },
  { column: "testAccuracy", label: "test accuracy (%)", accuracy: true },
];

/** Splits `n` panels into rows of at most `perRow`, as even as possible (7 by 4: 4 + 3), so no panel is empty. */
export function panelRows(n: number, perRow: number): number[] {
  const rows = Math.ceil(n / perRow);
  return Array.from({ length: rows }, (_, i) => Math.floor(n / rows) + (i < n % rows ? 1 : 0));
}
