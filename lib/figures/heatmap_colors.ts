/**
 * The colours of heat-maps: a panel's colour scale (from the choice of `heatmap_scale.ts`), the
 * colour ramp beneath the panels with its overflow triangles, the note that explains them, and the
 * label colour that reads on a cell.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { wrapText } from "./caption_strip.ts";
import { beyondDomain, type HeatmapScale } from "./heatmap_scale.ts";
import { figureLayout } from "./style.ts";
import { decadeLabel, plotSvg, type SvgFigure } from "./svg.ts";
import type { HeatmapCell } from "../report/heatmap_frames.ts";
import { formatMetric } from "../report/number_format.ts";

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

/** Left margin (text heights) of a panel that is not first in its row: the row shares the first one's y axis. */
export const SHARED_AXIS_MARGIN = 0.6;

/** "▲ above the colour scale …" for the directions in which cells lie beyond it, or "". */
export function overflowNote(
  panels: readonly { readonly cells: readonly HeatmapCell[] }[],
  scale: HeatmapScale,
): string {
  const sides = new Set(panels.flatMap((p, i) => p.cells.map((c) => beyondDomain(c.value, scale.domains[i]))));
  const glyphs = `${sides.has(1) ? "▲" : ""}${sides.has(-1) ? "▼" : ""}`;
  const where = sides.has(1) && sides.has(-1) ? "beyond" : sides.has(1) ? "above" : "below";
  return glyphs ? `${glyphs} ${where} the colour scale (drawn in its end colour)` : "";
}

/** The Plot colour scale options of panel `i` of a figure scaled by `scale`. */
export function heatmapColorScale(scale: HeatmapScale, i: number) {
  const domain = [...scale.domains[i]] as [number, number];
  if (domain[0] === domain[1]) domain[1] = domain[0] + Math.max(1e-9, Math.abs(domain[0]) * 1e-9);
  return scale.diverging
    ? { type: "diverging" as const, scheme: "puor" as const, domain, pivot: 0 }
    : { type: scale.log ? "log" as const : "linear" as const, scheme: "viridis" as const, domain };
}

/**
 * A horizontal colour bar over a panel's colour domain, drawn with SVG marks (Plot's own ramp needs
 * a canvas); a triangle at an end where cells lie beyond it; `label` above it, wrapped to its width.
 */
export function heatmapRamp(
  color: ReturnType<typeof heatmapColorScale>,
  scale: HeatmapScale,
  index: number,
  o: {
    L: ReturnType<typeof figureLayout>;
    label: string;
    width: number;
    panels: readonly { readonly cells: readonly HeatmapCell[] }[];
    /** Aligned under a panel with the y axis (else under one without). */
    first: boolean;
  },
): SvgFigure {
  const { L } = o;
  const steps = 64;
  const [lo, hi] = color.domain;
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
  const isDecade = (v: number) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
  const lines = o.label ? wrapText(o.label, o.width - L.marginLeft - L.font, L.font) : [];
  const values = o.panels[index].cells.map((c) => c.value);
  const domain = scale.domains[index];
  const ends = [
    ...(values.some((v) => beyondDomain(v, domain) < 0) ? [{ x: lo, rotate: -90, dx: -L.small / 2 }] : []),
    ...(values.some((v) => beyondDomain(v, domain) > 0) ? [{ x: hi, rotate: 90, dx: L.small / 2 }] : []),
  ];
  const rampHeight = o.label ? L.rampHeight : 0.6 * L.rampHeight;
  const marginLeft = o.first ? L.marginLeft : SHARED_AXIS_MARGIN * L.font;
  // At least three ticks: a diverging ramp shows its centre and both sides.
  const ticks = Math.max(3, Math.floor((o.width - marginLeft) / (8 * L.font)));
  return plotSvg({
    width: o.width,
    height: rampHeight + (1.25 * lines.length + 0.4) * L.font,
    marginLeft,
    marginRight: o.label ? 2 * L.font : L.marginRight,
    marginTop: (1.25 * lines.length + 0.4) * L.font - (o.label ? 0 : 0.2 * L.font),
    marginBottom: 2 * L.font,
    x: log
      ? {
        type: "log",
        domain: [lo, hi],
        label: null,
        ticks: decades.length >= 2 ? decades : [lo, hi],
        tickFormat: (v: number) => (isDecade(v) ? decadeLabel(Math.round(Math.log10(v))) : formatMetric(v)),
      }
      : {
        domain: [lo, hi],
        label: null,
        ticks,
        // Plot's "~g" takes its precision from the tick step (10 becomes "1e+1"): print the ticks in full.
        tickFormat: (v: number) => String(+v.toPrecision(6)).replace("-", "−"),
      },
    y: { axis: null, domain: [0, 1] },
    color,
    marks: [
      Plot.rectY(stops, { x1: "x1", x2: "x2", y1: 0, y2: 1, fill: (s: { v: number }) => s.v }),
      ...ends.map((e) =>
        Plot.dot([e], {
          x: "x",
          y: 0.5,
          symbol: "triangle",
          rotate: e.rotate,
          dx: e.dx,
          r: 0.45 * L.small,
          fill: (d: { x: number }) => d.x,
          stroke: "none",
        })
      ),
      ...(lines.length
        ? [
          Plot.text([lines.join("\n")], {
            frameAnchor: "top-left",
            dy: -(1.25 * lines.length) * L.font,
            lineHeight: 1.25,
            textAnchor: "start",
          }),
        ]
        : []),
    ],
  }, { style: L.style });
}
