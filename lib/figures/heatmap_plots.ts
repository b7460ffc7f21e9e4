/**
 * Annotated heat-maps over width × epochs (notebook 04). The colour scale follows the rule of
 * `heatmap_scale.ts`: logarithmic where positive values span a decade, diverging (centred on 0)
 * for a signed quantity, one scale for all panels where they share a range and one a panel
 * otherwise, and a few extreme cells clipped to the end colour with an overflow mark (a triangle in
 * the cell's corner and at the ramp's end) so that they cannot wash out the rest. Each cell prints
 * its value by the display rule (accuracies with one decimal, other values with two significant
 * digits, one notation for the figure), optionally its spread over seeds (±sd) and a dashed
 * outline where the caller marks it; labels are black or white by the luminance of their cell.
 * Every cell has a hover tooltip, and the figure carries its cells as data (`withFigureData`).
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { captionStrip, wrapText } from "./caption_strip.ts";
import { composeFigures } from "./compose.ts";
import { withFigureData } from "./figure_data.ts";
import { beyondDomain, type HeatmapScale, heatmapScale } from "./heatmap_scale.ts";
import { heatmapColorScale, heatmapRamp, labelColor, overflowNote, SHARED_AXIS_MARGIN } from "./heatmap_colors.ts";

export { labelColor, luminance } from "./heatmap_colors.ts";
import { figureLayout, type FigureStyleInput } from "./style.ts";
import { figureSize, plotSvg, type SvgFigure } from "./svg.ts";
import type { HeatmapCell } from "../report/heatmap_frames.ts";
import { formatAccuracy, formatMetricColumn } from "../report/number_format.ts";

/** One panel of {@link heatmapGridPlot}. */
export interface HeatmapPanel {
  readonly title: string;
  readonly cells: readonly HeatmapCell[];
  /** The panel's grouping keys, written into each of its rows of the figure's data (`{ loss: "LS" }`). */
  readonly keys?: Readonly<Record<string, string | number>>;
}

/** Options of {@link heatmapGridPlot}. */
export interface HeatmapOptions {
  /** What the colours show (the ramp's label). */
  label: string;
  /** Panels a row at most (default: all); fewer where cells would be too narrow for their labels. */
  columns?: number;
  /** The display rule of cell values: `accuracy` (points, one decimal) or `metric` (default: two significant digits). */
  values?: "accuracy" | "metric";
  /** How a cell's value is printed, replacing the display rule. */
  format?: (value: number) => string;
  /** Signed values: a diverging scale (PuOr, colour-blind safe) centred on 0, labels with their sign. */
  diverging?: boolean;
  /** Logarithmic colours (true) or linear (false); default: logarithmic where max/min ≥ 10. */
  log?: boolean;
  /** What a dashed outline means, for the cells with `marked` (for example "equivalent within ±0.5"). */
  markNote?: string;
  /** The data column of `marked` (default "marked"). */
  markName?: string;
  /** The data column of the values (default "value"); the spread's is `<valueName>_sd`. */
  valueName?: string;
  /** A fixed colour domain shared by every panel. */
  domain?: [number, number];
  style?: FigureStyleInput;
}

/** Typographic minus; a plus sign on positive values where `signed` (zero as it rounds, unsigned). */
function withSign(text: string, v: number, signed: boolean): string {
  const plain = text.replace(/^-/, "");
  if (/^[0.]+$/.test(plain.replace(/e.*$/, ""))) return plain;
  return v < 0 ? `−${plain}` : signed ? `+${plain}` : plain;
}

/** Each cell's value and spread as printed, by the display rule over the whole figure. */
function cellTexts(
  panels: readonly HeatmapPanel[],
  options: Pick<HeatmapOptions, "values" | "format" | "diverging">,
) {
  const cells = panels.flatMap((p) => p.cells);
  const signed = options.diverging ?? false;
  const byRule = (values: readonly number[]) =>
    options.values === "accuracy" ? values.map((v) => formatAccuracy(v, "figure")) : formatMetricColumn(values);
  const shown = options.format ? cells.map((c) => options.format!(c.value)) : byRule(cells.map((c) => c.value));
  const spreads = byRule(cells.map((c) => c.spread ?? NaN));
  const value = new Map(cells.map((c, i) => [c, options.format ? shown[i] : withSign(shown[i], c.value, signed)]));
  const spread = new Map(cells.map((c, i) => [c, `±${spreads[i]}`]));
  return { value: (c: HeatmapCell) => value.get(c)!, spread: (c: HeatmapCell) => spread.get(c)! };
}

/**
 * Heat-map panels (width across, epoch budget down, largest on top) with their colour ramp(s)
 * beneath, the colour scale chosen by `heatmapScale`'s rule. Cells with a `spread` print ±sd under
 * the value; `marked` cells get a dashed outline, explained by `markNote` in the ramp's label.
 * Panels go `columns` to a row (default: all), fewer when their cells would be too narrow for the
 * labels, in rows of equal length where possible.
 *
 * @example
 * ```ts
 * const cells = [{ width: 32, epochs: 10, value: 82.1 }, { width: 64, epochs: 10, value: 84.0 }];
 * heatmapGridPlot([{ title: "CE", cells }, { title: "MSE", cells }], { label: "test accuracy (%)", values: "accuracy" });
 * ```
 */
export function heatmapGridPlot(panels: readonly HeatmapPanel[], options: HeatmapOptions): SvgFigure {
  const L = figureLayout(options.style);
  if (!panels.some((p) => p.cells.length)) {
    return withFigureData(captionStrip(`${options.label}: no cells`, { width: L.width, style: L.style }), []);
  }
  const diverging = options.diverging ?? false;
  const scale = heatmapScale(panels.map((p) => p.cells.map((c) => c.value)), {
    diverging,
    log: options.log,
    domain: options.domain,
  });
  const texts = cellTexts(panels, options);
  const spreads = panels.some((p) => p.cells.some((c) => c.spread !== undefined && c.spread !== null));
  const mark = 0.3 * L.small; // radius of an overflow triangle
  const columns = heatmapColumns(panels, options);
  const inner = innerWidth(columns, L);
  const colour = (i: number) => heatmapColorScale(scale, i);
  // Titles wider than a panel wrap (bold glyphs are about 0.7 em wide, wrapText counts 0.62).
  const titles = panels.map((p) => wrapText(p.title, (inner * 0.62) / 0.7, L.font));
  const titleLines = Math.max(...titles.map((t) => t.length));
  const maps = panels.map((panel, i) =>
    heatmapPanel(panel, {
      L,
      scale,
      index: i,
      texts,
      spreads,
      inner,
      first: i % columns === 0,
      mark,
      title: titles[i],
      titleLines,
    })
  );
  const notes = [
    panels.some((p) => p.cells.some((c) => c.marked)) && options.markNote ? `dashed: ${options.markNote}` : "",
    overflowNote(panels, scale),
    scale.kind === "per-panel" ? "colour scale per panel" : "",
  ].filter(Boolean);
  const caption = [options.label, ...notes].join("; ");
  let figure: SvgFigure;
  if (scale.kind === "shared") {
    const grid = composeFigures(maps, { columns, gap: L.gap, center: true });
    figure = composeFigures([
      grid,
      heatmapRamp(colour(0), scale, 0, { L, label: caption, width: L.width, panels, first: true }),
    ], {
      columns: 1,
      gap: 0,
    });
  } else {
    const withRamps = maps.map((m, i) =>
      composeFigures([
        m,
        heatmapRamp(colour(i), scale, i, {
          L,
          label: "",
          width: figureSize(m).width,
          panels,
          first: i % columns === 0,
        }),
      ], {
        columns: 1,
        gap: 0,
      })
    );
    const grid = composeFigures(withRamps, { columns, gap: L.gap, center: true });
    figure = composeFigures([grid, captionStrip(caption, { width: L.width, style: L.style })], { columns: 1, gap: 0 });
  }
  const valueName = options.valueName ?? "value", markName = options.markName ?? "marked";
  const marked = panels.some((p) => p.cells.some((c) => c.marked !== undefined));
  return withFigureData(
    figure,
    panels.flatMap((p, i) =>
      p.cells.map((c) => ({
        panel: p.title,
        ...p.keys,
        width: c.width,
        epochs: c.epochs,
        [valueName]: c.value,
        ...(spreads ? { [`${valueName}_sd`]: c.spread ?? null } : {}),
        ...(marked ? { [markName]: c.marked ?? false } : {}),
        ...(scale.clipped ? { beyond_colour_scale: beyondDomain(c.value, scale.domains[i]) !== 0 } : {}),
      }))
    ),
  );
}

function heatmapPanel(
  panel: HeatmapPanel,
  o: {
    L: ReturnType<typeof figureLayout>;
    scale: HeatmapScale;
    index: number;
    texts: ReturnType<typeof cellTexts>;
    spreads: boolean;
    /** Width of the cells' area (points). */
    inner: number;
    /** First of its row: the row's y axis (the epoch budgets) is drawn on it alone. */
    first: boolean;
    mark: number;
    /** The title's lines, and the most lines of any panel's title (panels of a row stay aligned). */
    title: string[];
    titleLines: number;
  },
): SvgFigure {
  const { L, texts } = o;
  const domain = o.scale.domains[o.index];
  const apply = Plot.scale({ color: heatmapColorScale(o.scale, o.index) });
  const clamp = (v: number) => Math.min(Math.max(v, domain[0]), domain[1]);
  const fill = (c: HeatmapCell) => String(apply.apply(clamp(c.value)));
  const ink = (c: HeatmapCell) => labelColor(fill(c));
  const widths = [...new Set(panel.cells.map((c) => c.width))].sort((a, b) => a - b);
  const budgets = [...new Set(panel.cells.map((c) => c.epochs))].sort((a, b) => b - a);
  const cellHeight = (o.spreads ? 3.2 : 2.2) * L.small;
  const cellHeightDrawn = cellHeight / (1 + 0.04 / budgets.length) * 0.96;
  const cellWidthDrawn = o.inner / (widths.length + 0.04) * 0.96;
  const beyond = panel.cells.filter((c) => beyondDomain(c.value, domain) !== 0);
  const tooltip = (c: HeatmapCell) =>
    `${panel.title} · width ${c.width} · ${c.epochs} epochs: ${texts.value(c)}${
      c.spread !== undefined && c.spread !== null ? ` ${texts.spread(c)}` : ""
    }${c.marked ? " (dashed)" : ""}${beyondDomain(c.value, domain) !== 0 ? " (beyond the colour scale)" : ""}`;
  const marginLeft = o.first ? L.marginLeft : SHARED_AXIS_MARGIN * L.font;
  const extraTop = 1.25 * L.font * (o.titleLines - 1);
  return plotSvg({
    width: o.inner + marginLeft + L.marginRight,
    height: L.marginTop + extraTop + L.marginBottom + cellHeight * budgets.length,
    ...L.margins,
    marginTop: L.marginTop + extraTop,
    marginLeft,
    x: { domain: widths, label: "width", padding: 0.04 },
    y: o.first
      ? { domain: budgets, label: "epochs", padding: 0.04, labelAnchor: "center" }
      : { domain: budgets, padding: 0.04, axis: null },
    marks: [
      Plot.cell(panel.cells, { x: "width", y: "epochs", fill, inset: 0.5, title: tooltip }),
      Plot.cell(panel.cells.filter((c) => c.marked), {
        x: "width",
        y: "epochs",
        fill: "none",
        stroke: ink,
        strokeDasharray: "2.5 1.5",
        inset: 1.5,
      }),
      Plot.dot(beyond, {
        x: "width",
        y: "epochs",
        symbol: "triangle",
        rotate: (c: HeatmapCell) => (beyondDomain(c.value, domain) > 0 ? 0 : 180),
        r: o.mark,
        fill: ink,
        stroke: "none",
        // In the cell's top-right corner, clear of the centred labels (a triangle of radius r is
        // about 2.3 r high and 2 r wide).
        dx: cellWidthDrawn / 2 - 1 - 1.2 * o.mark,
        dy: -cellHeightDrawn / 2 + 1 + 1.2 * o.mark,
      }),
      Plot.text(panel.cells, {
        x: "width",
        y: "epochs",
        text: texts.value,
        dy: o.spreads ? -0.5 * L.small : 0,
        fill: ink,
        fontSize: L.small,
        fontWeight: "bold",
      }),
      ...(o.spreads
        ? [Plot.text(panel.cells.filter((c) => c.spread !== undefined && c.spread !== null), {
          x: "width",
          y: "epochs",
          text: texts.spread,
          dy: 0.6 * L.small,
          fill: ink,
          fontSize: L.small,
        })]
        : []),
      Plot.text([o.title.join("\n")], {
        frameAnchor: "top",
        dy: -1.6 * L.font - 1.25 * L.font * (o.title.length - 1),
        lineHeight: 1.25,
        fontWeight: "bold",
      }),
    ],
  }, { style: L.style });
}

/**
 * How many panels a row {@link heatmapGridPlot} draws: the most, up to `columns` (default all),
 * whose cells are wide enough for their printed values at the style's width, in rows as even as
 * possible.
 *
 * @example
 * ```ts
 * const cells = [16, 64, 256].map((width) => ({ width, epochs: 25, value: 81.87 }));
 * const panels = ["CE", "LS", "FL", "MSE"].map((title) => ({ title, cells }));
 * heatmapColumns(panels, { values: "accuracy", style: "page" }); // 4
 * heatmapColumns(panels, { values: "accuracy", style: "neurips" }); // 2
 * ```
 */
export function heatmapColumns(
  panels: readonly HeatmapPanel[],
  options: Pick<HeatmapOptions, "columns" | "values" | "format" | "diverging" | "style">,
): number {
  const L = figureLayout(options.style);
  const texts = cellTexts(panels, options);
  const spreads = panels.some((p) => p.cells.some((c) => c.spread !== undefined && c.spread !== null));
  return fittingColumns(
    panels,
    Math.min(options.columns ?? panels.length, panels.length),
    // The widest label (bold digits are about 0.7 em wide) and a little room either side.
    (c) => (0.7 * Math.max(texts.value(c).length, spreads ? texts.spread(c).length : 0) + 0.8) * L.small,
    L,
  );
}

/** The width of each panel's cells when `columns` panels share a row of the figure's width. */
function innerWidth(columns: number, L: ReturnType<typeof figureLayout>): number {
  const margins = L.marginLeft + (columns - 1) * SHARED_AXIS_MARGIN * L.font + columns * L.marginRight;
  return (L.width - margins - L.gap * (columns - 1)) / columns;
}

/**
 * The most panels a row, up to `wanted`, whose cells are wide enough for their labels (fewer
 * columns give each panel, so each cell, more width); then as few columns as keep that many rows,
 * so that rows are as even as possible (6 panels that fit 4 a row go 3 + 3, not 4 + 2).
 */
function fittingColumns(
  panels: readonly HeatmapPanel[],
  wanted: number,
  labelWidth: (c: HeatmapCell) => number,
  L: ReturnType<typeof figureLayout>,
): number {
  const widest = Math.max(...panels.flatMap((p) => p.cells.map(labelWidth)));
  const cellsPerRow = Math.max(...panels.map((p) => new Set(p.cells.map((c) => c.width)).size));
  let columns = 1;
  for (let c = wanted; c > 1; c--) {
    if (innerWidth(c, L) / cellsPerRow >= widest) {
      columns = c;
      break;
    }
  }
  return Math.ceil(panels.length / Math.ceil(panels.length / columns));
}

/**
 * One annotated heat-map with its colour ramp (a {@link heatmapGridPlot} of one panel).
 *
 * @example
 * ```ts
 * const cells = [{ width: 32, epochs: 10, value: 1.2 }, { width: 64, epochs: 10, value: 0.4 }];
 * heatmapPlot(cells, { title: "variance over losses × seeds", label: "%²" });
 * ```
 */
export function heatmapPlot(
  cells: readonly HeatmapCell[],
  options: Omit<HeatmapOptions, "label" | "columns" | "markNote"> & { title: string; label?: string },
): SvgFigure {
  const { title, label = "", ...rest } = options;
  return heatmapGridPlot([{ title, cells }], { ...rest, label });
}
