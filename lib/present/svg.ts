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
import { FIGURE_DEFAULTS } from "./figure_defaults.ts";

/** The SVG element Plot returns, as this project uses it. */
export interface SvgFigure {
  readonly outerHTML: string;
  setAttribute(name: string, value: string): void;
  getAttribute(name: string): string | null;
  readonly nodeName: string;
}

/**
 * Renders Plot options to a standalone SVG element (with `xmlns`, white background, fixed font).
 *
 * @example
 * ```ts
 * const svg = plotSvg({ marks: [Plot.lineY([1, 3, 2])] });
 * svg.outerHTML.startsWith("<svg");
 * ```
 */
export function plotSvg(options: Plot.PlotOptions): SvgFigure {
  const { document } = parseHTML("<!DOCTYPE html><html><head></head><body></body></html>");
  const node = Plot.plot(
    {
      style: { background: FIGURE_DEFAULTS.background, fontFamily: FIGURE_DEFAULTS.font },
      ...options,
      document,
    } as Plot.PlotOptions,
  ) as unknown as SvgFigure;
  if (node.nodeName.toLowerCase() !== "svg") {
    throw new Error("plotSvg: Plot returned an HTML figure; draw titles and legends as marks (see legendMarks)");
  }
  node.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  node.setAttribute("font-family", FIGURE_DEFAULTS.font);
  return node;
}

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

/** One legend entry. */
export interface LegendItem {
  readonly label: string;
  readonly color: string;
  readonly symbol?: string;
  /** Draw a short line instead of (or under) the symbol. */
  readonly line?: boolean;
}

/**
 * Legend entries as SVG marks in the top-right corner of the frame (drawn once, not per facet).
 *
 * @example
 * ```ts
 * const data = [Plot.lineY([1, 3, 2], { stroke: "blue" })];
 * plotSvg({ marks: [...data, ...legendMarks([{ label: "CE", color: "blue", symbol: "triangle" }])] });
 * ```
 */
export function legendMarks(
  items: readonly LegendItem[],
  options: { anchor?: "top-right" | "bottom-right" | "top-left" | "bottom-left" } = {},
): Plot.Markish[] {
  const anchor = options.anchor ?? "top-right";
  const right = anchor.endsWith("right");
  const top = anchor.startsWith("top");
  const longest = Math.max(...items.map((item) => item.label.length));
  const x = right ? -(20 + 6.2 * longest) : 12,
    y = (i: number) => (top ? 12 + 15 * i : -12 - 15 * (items.length - 1 - i));
  const marks: Plot.Markish[] = [];
  items.forEach((item, i) => {
    const common = { frameAnchor: anchor, dy: y(i), facet: "super" } as const;
    if (item.line) {
      marks.push(Plot.text([item.label], { ...common, dx: x, text: () => "━━", fill: item.color }));
    }
    if (item.symbol) {
      const filled = item.symbol !== "times";
      marks.push(
        Plot.dot([item.label], {
          ...common,
          dx: x,
          symbol: item.symbol,
          stroke: item.color,
          fill: filled ? item.color : "none",
          r: 3.5,
        }),
      );
    }
    marks.push(
      Plot.text([item.label], {
        ...common,
        dx: x + 12,
        text: (d: string) => d,
        textAnchor: "start",
        fill: "currentColor",
      }),
    );
  });
  return marks;
}
