/**
 * Annotated heat-maps over width × epochs (notebook 04): several panels share one colour domain
 * and one colour ramp, a signed quantity gets a diverging scale centred on 0, a cell may carry its
 * spread over seeds (a second line, ±sd) and a dashed outline where the caller marks it (with a
 * note saying what the outline means), and each label is black or white by the luminance of its cell.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { composeFigures } from "./compose.ts";
import { figureLayout, type FigureStyleInput } from "./style.ts";
import { plotSvg, type SvgFigure } from "./svg.ts";
import type { HeatmapCell } from "../report/heatmap_frames.ts";

/** One panel of {@link heatmapGridPlot}. */
export interface HeatmapPanel {
  readonly title: string;
  readonly cells: readonly HeatmapCell[];
}

/** Relative luminance (WCAG) of a CSS colour `#rrggbb` or `rgb(r, g, b)`. */
export function luminance(color: string): number {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  const rgb = /^rgb\(\s*(\d+),\s*(\d+),\s*(\d+)\s*\)$/.exec(color);
  const parts = hex ? hex.slice(1).map((h) => parseInt(h, 16)) : rgb ? rgb.slice(1).map(Number) : [0, 0, 0];
  const linear = parts.map((c) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4));
  return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
}

/**
 * The label colour that reads on a cell: black on light cells, white on dark ones (the one of
 * higher contrast ratio).
 *
 * @example
 * ```ts
 * labelColor("#fde725"); // "black"
 * labelColor("#440154"); // "white"
 * ```
 */
export function labelColor(cell: string): "black" | "white" {
  const l = luminance(cell);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "black" : "white";
}

const signed = (v: number, digits: number) => {
  const shown = Math.abs(v).toFixed(digits);
  return Number(shown) === 0 ? shown : `${v > 0 ? "+" : "−"}${shown}`;
};

/**
 * Heat-map panels (width across, epoch budget down, largest on top) sharing one colour domain and
 * one ramp beneath. `diverging`: values are signed, the scale (PuOr, colour-blind safe) is centred
 * on 0 and labels carry their sign; `log`: a logarithmic scale with decade ticks. Cells with a
 * `spread` print ±sd under the value; `marked` cells get a dashed outline, explained by `markNote`
 * beside the colour ramp. Panels go `columns` to a row (default: all), fewer when their cells would
 * be too narrow for the labels.
 *
 * @example
 * ```ts
 * const cells = [{ width: 32, epochs: 10, value: 82.1 }, { width: 64, epochs: 10, value: 84.0 }];
 * heatmapGridPlot([{ title: "CE", cells }, { title: "MSE", cells }], { label: "test accuracy (%)" });
 * ```
 */
export function heatmapGridPlot(
  panels: readonly HeatmapPanel[],
  options: {
    label: string;
    columns?: number;
    digits?: number;
    diverging?: boolean;
    /** A logarithmic colour scale (positive values spanning decades, such as NC1). */
    log?: boolean;
    /** How a cell's value is printed (default: `digits` decimals, signed when diverging). */
    format?: (value: number) => string;
    /** What a dashed outline means, for the cells with `marked` (for example "within ±0.5 of CE (TOST)"). */
    markNote?: string;
    domain?: [number, number];
    style?: FigureStyleInput;
  },
): SvgFigure {
  const L = figureLayout(options.style);
  const { digits = 2, diverging = false, log = false } = options;
  const text = (c: HeatmapCell) =>
    options.format ? options.format(c.value) : diverging ? signed(c.value, digits) : c.value.toFixed(digits);
  const columns = fittingColumns(
    panels,
    Math.min(options.columns ?? panels.length, panels.length),
    // The widest label (bold digits are about 0.7 em wide) and a little room on either side.
    (c) => (0.7 * Math.max(text(c).length, c.spread == null ? 0 : c.spread.toFixed(digits).length + 1) + 0.8) * L.small,
    L,
  );
  const values = panels.flatMap((p) => p.cells.map((c) => c.value)).filter((v) =>
    Number.isFinite(v) && (!log || v > 0)
  );
  const extent = Math.max(...values.map(Math.abs), 1e-9);
  const domain: [number, number] = options.domain ??
    (diverging ? [-extent, extent] : [Math.min(...values), Math.max(...values)]);
  const color = diverging
    ? { type: "diverging" as const, scheme: "puor" as const, domain, pivot: 0 }
    : { type: log ? "log" as const : "linear" as const, scheme: "viridis" as const, domain };
  const scale = Plot.scale({ color });
  const fill = (v: number) => String(scale.apply(v));
  const spreads = panels.some((p) => p.cells.some((c) => c.spread !== undefined && c.spread !== null));
  const panelWidth = (L.width - L.gap * (columns - 1)) / columns;
  const map = (panel: HeatmapPanel) => {
    const widths = [...new Set(panel.cells.map((c) => c.width))].sort((a, b) => a - b);
    const budgets = [...new Set(panel.cells.map((c) => c.epochs))].sort((a, b) => b - a);
    const cellHeight = (spreads ? 3.2 : 2.2) * L.small;
    const marked = panel.cells.filter((c) => c.marked);
    return plotSvg({
      width: panelWidth,
      height: L.marginTop + L.marginBottom + cellHeight * budgets.length,
      marginTop: L.marginTop,
      marginBottom: L.marginBottom,
      marginLeft: L.marginLeft,
      marginRight: L.marginRight,
      x: { domain: widths, label: "width", padding: 0.04 },
      y: { domain: budgets, label: "epochs", padding: 0.04, labelAnchor: "center" },
      marks: [
        Plot.cell(panel.cells, { x: "width", y: "epochs", fill: (c: HeatmapCell) => fill(c.value), inset: 0.5 }),
        Plot.cell(marked, {
          x: "width",
          y: "epochs",
          fill: "none",
          stroke: (c: HeatmapCell) => labelColor(fill(c.value)),
          strokeDasharray: "2.5 1.5",
          inset: 2,
        }),
        Plot.text(panel.cells, {
          x: "width",
          y: "epochs",
          text,
          dy: spreads ? -0.5 * L.small : 0,
          fill: (c: HeatmapCell) => labelColor(fill(c.value)),
          fontSize: L.small,
          fontWeight: "bold",
        }),
        ...(spreads
          ? [Plot.text(panel.cells.filter((c) => c.spread !== undefined && c.spread !== null), {
            x: "width",
            y: "epochs",
            text: (c: HeatmapCell) => `±${c.spread!.toFixed(digits)}`,
            dy: 0.6 * L.small,
            fill: (c: HeatmapCell) => labelColor(fill(c.value)),
            fontSize: L.small,
          })]
          : []),
        Plot.text([panel.title], { frameAnchor: "top", dy: -1.6 * L.font, fontWeight: "bold" }),
      ],
    }, { style: L.style });
  };
  const maps = composeFigures(panels.map(map), { columns, gap: L.gap, center: true });
  const marks = panels.some((p) => p.cells.some((c) => c.marked));
  const ramp = colorRamp(
    color,
    options.label,
    L.style,
    marks && options.markNote ? `; dashed: ${options.markNote}` : "",
  );
  return composeFigures([maps, ramp], { columns: 1, gap: 0 });
}

/**
 * The most panels a row, up to `wanted`, whose cells are wide enough for their labels (fewer
 * columns give each panel, so each cell, more width).
 */
function fittingColumns(
  panels: readonly HeatmapPanel[],
  wanted: number,
  labelWidth: (c: HeatmapCell) => number,
  L: { width: number; gap: number; marginLeft: number; marginRight: number },
): number {
  const widest = Math.max(...panels.flatMap((p) => p.cells.map(labelWidth)));
  const cellsPerRow = Math.max(...panels.map((p) => new Set(p.cells.map((c) => c.width)).size));
  for (let columns = wanted; columns > 1; columns--) {
    const panelWidth = (L.width - L.gap * (columns - 1)) / columns;
    if ((panelWidth - L.marginLeft - L.marginRight) / cellsPerRow >= widest) return columns;
  }
  return 1;
}

/** A decade as a short label: 1, 0.1, 0.01, 10⁻³ … (and 10, 100, 1000, 10⁴ …). */
function formatDecade(v: number): string {
  const e = Math.round(Math.log10(v));
  if (e >= -2 && e <= 3) return String(10 ** e === 1 ? 1 : +(10 ** e).toPrecision(1));
  const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
  return `10${e < 0 ? "⁻" : ""}${[...String(Math.abs(e))].map((d) => digits[+d]).join("")}`;
}

/** A horizontal colour bar over the colour scale's domain, drawn with SVG marks (Plot's own ramp needs a canvas). */
function colorRamp(
  color: { domain: [number, number] } & Record<string, unknown>,
  label: string,
  style: FigureStyleInput,
  note: string,
): SvgFigure {
  const L = figureLayout(style);
  const steps = 64;
  const [lo, hi] = color.domain[0] === color.domain[1]
    ? [color.domain[0], color.domain[0] * (1 + 1e-9) + 1e-9]
    : color.domain;
  const log = color.type === "log";
  // Stops evenly spaced on the axis: in value, or in its logarithm on a log scale.
  const at = (t: number) => (log ? lo * (hi / lo) ** t : lo + (hi - lo) * t);
  const stops = Array.from(
    { length: steps },
    (_, i) => ({ x1: at(i / steps), x2: at((i + 1) / steps), v: at((i + 0.5) / steps) }),
  );
  const decades = log
    ? Array.from({ length: 40 }, (_, i) => 10 ** (Math.floor(Math.log10(lo)) + i)).filter((t) =>
      t >= lo * 0.999 && t <= hi * 1.001
    )
    : [];
  const width = L.width;
  const ramp = plotSvg({
    width,
    height: L.rampHeight + 1.4 * L.font,
    marginLeft: L.marginLeft,
    marginRight: 2 * L.font,
    marginTop: 1.6 * L.font,
    marginBottom: 2 * L.font,
    // Plot's "~g" takes its precision from the tick step (10 becomes "1e+1"): print the ticks in full.
    x: log
      ? {
        type: "log",
        domain: [lo, hi],
        label: null,
        ticks: decades.length >= 2 ? decades : [lo, hi],
        tickFormat: (v: number) => formatDecade(v),
      }
      : {
        domain: [lo, hi],
        label: null,
        ticks: 5,
        tickFormat: (v: number) => String(+v.toPrecision(6)).replace("-", "−"),
      },
    y: { axis: null },
    color: { ...color, domain: color.domain },
    marks: [
      Plot.rectY(stops, { x1: "x1", x2: "x2", y1: 0, y2: 1, fill: (s: { v: number }) => s.v }),
      Plot.text([`${label}${note}`], { frameAnchor: "top-left", dy: -1.2 * L.font, textAnchor: "start" }),
    ],
  }, { style: L.style });
  return ramp;
}

/**
 * One annotated heat-map with its colour ramp (viridis; a {@link heatmapGridPlot} of one panel).
 *
 * @example
 * ```ts
 * const cells = [{ width: 32, epochs: 10, value: 1.2 }, { width: 64, epochs: 10, value: 0.4 }];
 * heatmapPlot(cells, { title: "variance over losses × seeds", label: "%²" });
 * ```
 */
export function heatmapPlot(
  cells: readonly HeatmapCell[],
  options: {
    title: string;
    label?: string;
    digits?: number;
    domain?: [number, number];
    diverging?: boolean;
    style?: FigureStyleInput;
  },
): SvgFigure {
  return heatmapGridPlot([{ title: options.title, cells }], {
    label: options.label ?? "",
    digits: options.digits,
    domain: options.domain,
    diverging: options.diverging,
    style: options.style,
  });
}
