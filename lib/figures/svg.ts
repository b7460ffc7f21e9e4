/**
 * Observable Plot in a server-side document (linkedom), producing standalone SVG.
 *
 * Plot wraps its output in an HTML `<figure>` when a title, caption or legend is requested; the
 * figures of this project draw their legends as SVG marks instead, so every figure is a single
 * `<svg>` element that the Deno Jupyter kernel shows as `image/svg+xml` and that files and
 * rasterisers accept as is.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { FIGURE_DEFAULTS, figureLayout, type FigureStyleInput } from "./style.ts";

/** The SVG element Plot returns, as this project uses it. */
export interface SvgFigure {
  readonly outerHTML: string;
  setAttribute(name: string, value: string): void;
  getAttribute(name: string): string | null;
  readonly nodeName: string;
}

/**
 * The size of a figure in points (its SVG user units), from its `viewBox`.
 *
 * @example
 * ```ts
 * figureSize(plotSvg({ width: 200, height: 100, marks: [Plot.lineY([1, 3, 2])] })); // { width: 200, height: 100 }
 * ```
 */
export function figureSize(figure: SvgFigure): { width: number; height: number } {
  const box = figure.getAttribute("viewBox")?.trim().split(/[\s,]+/).map(Number);
  if (box && box.length === 4 && box.every(Number.isFinite)) return { width: box[2], height: box[3] };
  return { width: Number(figure.getAttribute("width") ?? 640), height: Number(figure.getAttribute("height") ?? 400) };
}

/** Sets a figure's `width` and `height` attributes to its physical size in inches (1 user unit = 1 pt). */
export function setPhysicalSize(figure: SvgFigure): SvgFigure {
  const { width, height } = figureSize(figure);
  const inches = (pt: number) => `${Math.round((pt / FIGURE_DEFAULTS.pointsPerInch) * 1e4) / 1e4}in`;
  figure.setAttribute("viewBox", `0 0 ${width} ${height}`);
  figure.setAttribute("width", inches(width));
  figure.setAttribute("height", inches(height));
  return figure;
}

/**
 * Renders Plot options to a standalone SVG element (with `xmlns`, white background, the project's
 * font at the style's size, no arrows beside axis labels): lengths in points, `width`/`height` in
 * inches.
 *
 * @example
 * ```ts
 * const svg = plotSvg({ width: 216, height: 144, marks: [Plot.lineY([1, 3, 2])] }, { style: "column" });
 * svg.getAttribute("width"); // "3in"
 * ```
 */
export function plotSvg(options: Plot.PlotOptions, config: { style?: FigureStyleInput } = {}): SvgFigure {
  const layout = figureLayout(config.style);
  const { document } = parseHTML("<!DOCTYPE html><html><head></head><body></body></html>");
  // No arrow beside an axis label: "↑ NC1" reads as "higher is better", where lower is the goal.
  const plain = (scale: Plot.ScaleOptions | undefined) => ({ labelArrow: "none" as const, ...scale });
  const node = Plot.plot(
    {
      style: { background: FIGURE_DEFAULTS.background, fontFamily: FIGURE_DEFAULTS.font },
      ...options,
      x: plain(options.x),
      y: plain(options.y),
      document,
    } as Plot.PlotOptions,
  ) as unknown as SvgFigure;
  if (node.nodeName.toLowerCase() !== "svg") {
    throw new Error("plotSvg: Plot returned an HTML figure; draw titles and legends as marks (see legendStrip)");
  }
  node.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  node.setAttribute("font-family", FIGURE_DEFAULTS.font);
  node.setAttribute("font-size", String(layout.font));
  return setPhysicalSize(node);
}

const SUPERSCRIPT: Record<string, string> = {
  "-": "⁻",
  "0": "⁰",
  "1": "¹",
  "2": "²",
  "3": "³",
  "4": "⁴",
  "5": "⁵",
  "6": "⁶",
  "7": "⁷",
  "8": "⁸",
  "9": "⁹",
};

/** A power of ten as 10⁻³ (1 and 10 written plainly). */
export const decadeLabel = (exponent: number): string =>
  exponent === 0 ? "1" : exponent === 1 ? "10" : `10${[...String(exponent)].map((c) => SUPERSCRIPT[c]).join("")}`;

/**
 * Tick format of log axes: 1e-3 rather than SI prefixes such as 1m, which read as units; ticks at
 * 2× and 5× a power of ten are labelled too (2e-3), the others left blank.
 */
export const LOG_TICK_FORMAT = (value: number): string => {
  const exponent = Math.floor(Math.log10(value) + 1e-9);
  const mantissa = Math.round(value / 10 ** exponent);
  const exact = Math.abs(value - mantissa * 10 ** exponent) < 1e-9 * 10 ** exponent;
  return exact && [1, 2, 5].includes(mantissa) ? `${mantissa}e${exponent}` : "";
};

/**
 * A log axis over `values` with a tick at every decade. Every decade is labelled (10⁻³) when the
 * labels fit, at least 1.3 text heights apart along an axis of `length` points; otherwise every
 * second (third, …) decade is labelled and the ticks between stay unlabelled. The domain is widened
 * to whole decades, so that every axis shows at least one labelled decade.
 *
 * @example
 * ```ts
 * decadeAxis([0.002, 0.5], { length: 100, font: 9 }).ticks; // [0.001, 0.01, 0.1, 1]
 * ```
 */
export function decadeAxis(
  values: readonly number[],
  options: { length: number; font: number },
): { type: "log"; domain: [number, number]; ticks: number[]; tickFormat: (v: number) => string } {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.floor(Math.log10(positive.length ? Math.min(...positive) : 1) + 1e-9);
  let hi = Math.ceil(Math.log10(positive.length ? Math.max(...positive) : 10) - 1e-9);
  if (hi <= lo) hi = lo + 1;
  const exponents = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  const step = Math.max(1, Math.ceil((1.3 * options.font * (hi - lo)) / options.length));
  return {
    type: "log",
    domain: [10 ** lo, 10 ** hi],
    ticks: exponents.map((e) => Number(`1e${e}`)),
    tickFormat: (v: number) => {
      const e = Math.round(Math.log10(v));
      return e % step === 0 ? decadeLabel(e) : "";
    },
  };
}

/** One legend entry, drawn as the figure draws its marks. */
export interface LegendItem {
  readonly label: string;
  readonly color: string;
  readonly symbol?: string;
  /** Draw a short line instead of (or under) the symbol. */
  readonly line?: boolean;
  /** The line's dash pattern (SVG `stroke-dasharray`, e.g. "4 3"); solid when omitted. */
  readonly dash?: string;
  /** The line's width in points (default 1.6). */
  readonly lineWidth?: number;
  /** The line's opacity (default 1). */
  readonly lineOpacity?: number;
  /** The symbol drawn as an outline only (a hollow marker). */
  readonly hollow?: boolean;
  /** The symbol's radius in points (default 0.3 text heights). */
  readonly r?: number;
  /** Text alone, without a key (a note such as "lower = more collapse"). */
  readonly note?: boolean;
}

/**
 * The width (points) of a {@link legendStrip} of these labels at text size `font`.
 *
 * @example
 * ```ts
 * legendStripWidth(["CE"], 10) > 20; // true
 * ```
 */
export function legendStripWidth(labels: readonly string[], font: number): number {
  return labels.reduce((a, l) => a + (2.6 + textWidthEm(l)) * font, 0) + 1.4 * font * (labels.length - 1);
}

/** Approximate advance of a DejaVu Sans string in text heights (its mean glyph width is about 0.6 em). */
export const textWidthEm = (text: string): number => 0.62 * [...text].length;

/** The width of one legend entry: its key (none for a note), a space, its label. */
const itemWidth = (item: LegendItem, font: number) => (item.note ? 0 : 2.6 * font) + textWidthEm(item.label) * font;

/** The width of a line of legend entries, 1.4 text heights apart. */
const lineWidth = (items: readonly LegendItem[], font: number) =>
  items.reduce((a, item) => a + itemWidth(item, font), 0) + 1.4 * font * (items.length - 1);

/** Splits legend items into lines of at most `width` points, in order (a line holds at least one item). */
function legendLines(items: readonly LegendItem[], width: number, font: number): LegendItem[][] {
  const lines: LegendItem[][] = [];
  for (const item of items) {
    const line = lines.at(-1);
    if (line && lineWidth([...line, item], font) <= width) line.push(item);
    else lines.push([item]);
  }
  return lines;
}

/**
 * A legend as its own strip of `width` points, entries side by side and centred, to be composed
 * above or beside the panels so that it never covers data. Each key is drawn as the figure draws
 * its marks: a line (solid or dashed, of a width), a symbol (filled or hollow, of a radius); a note
 * is text alone. Entries that do not fit one line wrap onto further lines.
 *
 * @example
 * ```ts
 * legendStrip([{ label: "CE", color: "#0072B2", symbol: "triangle", line: true }], { width: 200 }).getAttribute("width");
 * legendStrip([{ label: "lr ×0.1", color: "#888", line: true, dash: "1.5 2" }], { width: 200 });
 * ```
 */
export function legendStrip(
  items: readonly LegendItem[],
  options: { width: number; style?: FigureStyleInput },
): SvgFigure {
  const layout = figureLayout(options.style);
  const f = layout.font;
  const key = 2.2 * f, space = 1.4 * f;
  const lines = legendLines(items, options.width, f);
  const lineHeight = 1.5 * f;
  const height = layout.legendHeight + (lines.length - 1) * lineHeight;
  const marks: Plot.Markish[] = [];
  lines.forEach((line, row) => {
    const y = layout.legendHeight / 2 + row * lineHeight;
    let x = Math.max(0, (options.width - lineWidth(line, f)) / 2);
    for (const item of line) {
      if (item.note) {
        marks.push(Plot.text([item.label], { x, y, text: (d: string) => d, textAnchor: "start", fill: item.color }));
        x += itemWidth(item, f) + space;
        continue;
      }
      if (item.line) {
        marks.push(Plot.ruleY([y], {
          x1: x,
          x2: x + key,
          stroke: item.color,
          strokeWidth: item.lineWidth ?? 1.6,
          ...(item.dash ? { strokeDasharray: item.dash } : {}),
          ...(item.lineOpacity === undefined ? {} : { strokeOpacity: item.lineOpacity }),
        }));
      }
      if (item.symbol) {
        marks.push(Plot.dot([{ x: x + key / 2, y }], {
          x: "x",
          y: "y",
          symbol: item.symbol,
          stroke: item.color,
          fill: item.hollow || item.symbol === "times" ? "none" : item.color,
          r: item.r ?? 0.3 * f,
          ...(item.hollow ? { strokeWidth: 0.7 } : {}),
        }));
      }
      marks.push(Plot.text([item.label], { x: x + key + 0.4 * f, y, text: (d: string) => d, textAnchor: "start" }));
      x += key + 0.4 * f + textWidthEm(item.label) * f + space;
    }
  });
  return plotSvg({
    width: options.width,
    height,
    margin: 0,
    x: { domain: [0, options.width], axis: null },
    y: { domain: [height, 0], axis: null },
    marks,
  }, { style: layout.style });
}
