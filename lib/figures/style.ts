/**
 * The figure defaults of the project, in one place: font, background, the physical figure styles
 * (`column`, `page` or a custom width in inches and text size in points) and the layout every
 * figure derives from a style. Every figure function reads them from here.
 *
 * The unit of every figure is the typographic point: an SVG's user unit is 1 pt (1/72 in), its
 * `width` and `height` attributes are in inches, a PDF page is the figure's size in points, and a
 * PNG is rasterised at a stated DPI ({@link FIGURE_DEFAULTS.dpi}). Text is the style's size in
 * points at that physical size, never smaller than {@link FIGURE_DEFAULTS.minFontPt}.
 *
 * @module
 */
import { readEnvironmentVariable } from "../environment.ts";

/** Fonts, background, DPI and the smallest text size shared by the figures. */
export const FIGURE_DEFAULTS = {
  /** Font stack written into every figure so that text renders alike in notebooks, files and PNGs. */
  font: "DejaVu Sans, Helvetica, Arial, sans-serif",
  background: "white",
  /** Dots per inch of exported PNGs. */
  dpi: 300,
  /** No text of a figure is smaller than this (points, at the figure's physical size). */
  minFontPt: 7,
  /** Points per inch. */
  pointsPerInch: 72,
} as const;

/** A figure style: the printed width (inches) and the size of its text (points). */
export interface FigureStyle {
  readonly name: string;
  readonly widthIn: number;
  readonly fontPt: number;
}

/**
 * The named styles: one column of a two-column paper and a full page width (the project's own), and
 * the venues' text widths: NeurIPS (and ICLR), single column of 5.5 in; ICML, a 6.75 in page of two
 * 3.25 in columns. Text is 8 pt in the venues' styles: their body text is 10 pt, and a figure
 * included at its physical size keeps its text at 8 pt, at least {@link FIGURE_DEFAULTS.minFontPt}.
 */
export const FIGURE_STYLES = {
  column: { name: "column", widthIn: 3.25, fontPt: 8 },
  page: { name: "page", widthIn: 6.75, fontPt: 9 },
  neurips: { name: "neurips", widthIn: 5.5, fontPt: 8 },
  icml: { name: "icml", widthIn: 6.75, fontPt: 8 },
  "icml-column": { name: "icml-column", widthIn: 3.25, fontPt: 8 },
} as const satisfies Record<string, FigureStyle>;

/** A venue: the style of a page-wide figure and, in a two-column venue, of a column-wide one. */
export interface FigureVenue {
  readonly name: string;
  readonly page: FigureStyle;
  readonly column?: FigureStyle;
}

/** The venues figures are exported for: the project's default, NeurIPS/ICLR, ICML. */
export const FIGURE_VENUES = {
  default: { name: "default", page: FIGURE_STYLES.page, column: FIGURE_STYLES.column },
  neurips: { name: "neurips", page: FIGURE_STYLES.neurips },
  icml: { name: "icml", page: FIGURE_STYLES.icml, column: FIGURE_STYLES["icml-column"] },
} as const satisfies Record<string, FigureVenue>;

/**
 * Resolves a venue by name, or (when omitted) from the environment variable `NC_FIGURE_VENUE`,
 * else `default`.
 *
 * @example
 * ```ts
 * figureVenue("neurips").page.widthIn; // 5.5
 * figureVenue("icml").column?.widthIn; // 3.25
 * ```
 */
export function figureVenue(name?: string): FigureVenue {
  const value = name ?? readEnvironmentVariable("NC_FIGURE_VENUE");
  if (value in FIGURE_VENUES) return FIGURE_VENUES[value as keyof typeof FIGURE_VENUES];
  throw new FigureStyleError(`unknown figure venue "${value}"; choose ${Object.keys(FIGURE_VENUES).join(", ")}`);
}

/** A style's name (`column`, `page`, `neurips`, …), a custom `"WIDTHin,SIZEpt"` string, or a style object. */
export type FigureStyleInput = keyof typeof FIGURE_STYLES | string | FigureStyle;

/** An unknown or malformed figure style. */
export class FigureStyleError extends Error {
  override name = "FigureStyleError";
}

/**
 * Resolves a style: a name, `"5in,8pt"`, an object, or (when omitted) the environment variable
 * `NC_FIGURE_STYLE`, else `page`.
 *
 * @example
 * ```ts
 * figureStyle("column").widthIn; // 3.25
 * figureStyle("5in,8pt"); // { name: "5in,8pt", widthIn: 5, fontPt: 8 }
 * ```
 */
export function figureStyle(input?: FigureStyleInput): FigureStyle {
  const value = input ?? readEnvironmentVariable("NC_FIGURE_STYLE");
  if (typeof value === "object") return checkStyle(value);
  if (value in FIGURE_STYLES) return FIGURE_STYLES[value as keyof typeof FIGURE_STYLES];
  const custom = /^\s*(\d+(?:\.\d+)?)\s*in\s*,\s*(\d+(?:\.\d+)?)\s*pt\s*$/.exec(value);
  if (!custom) {
    throw new FigureStyleError(
      `unknown figure style "${value}"; choose ${
        Object.keys(FIGURE_STYLES).join(", ")
      }, or a width and text size such as "5in,8pt"`,
    );
  }
  return checkStyle({ name: value.trim(), widthIn: Number(custom[1]), fontPt: Number(custom[2]) });
}

function checkStyle(style: FigureStyle): FigureStyle {
  if (!(style.widthIn >= 1 && style.widthIn <= 20)) {
    throw new FigureStyleError(`figure width ${style.widthIn} in: choose between 1 and 20 inches`);
  }
  if (!(style.fontPt >= FIGURE_DEFAULTS.minFontPt && style.fontPt <= 24)) {
    throw new FigureStyleError(`figure text ${style.fontPt} pt: choose between ${FIGURE_DEFAULTS.minFontPt} and 24 pt`);
  }
  return style;
}

/** Lengths (points) of a figure laid out in a style: width, text sizes, margins and gaps. */
export interface FigureLayout {
  readonly style: FigureStyle;
  /** The figure's width in points. */
  readonly width: number;
  /** Text size of axes, legends and labels (points). */
  readonly font: number;
  /** Text size of cell annotations: one point smaller, never under the minimum. */
  readonly small: number;
  /** Left margin for tick labels of numbers, and for row labels such as "LS · random". */
  readonly marginLeft: number;
  readonly marginLeftWide: number;
  readonly marginRight: number;
  readonly marginTop: number;
  readonly marginBottom: number;
  /** The four margins above, as Plot's options take them. */
  readonly margins: { marginLeft: number; marginRight: number; marginTop: number; marginBottom: number };
  /**
   * The margins of a faceted figure (panel titles above the panels, through `fx`): the top margin
   * holds the y-axis label and, one line lower, the panel titles, which would otherwise overlap.
   */
  readonly facetMargins: { marginLeft: number; marginRight: number; marginTop: number; marginBottom: number };
  /** Gap between composed panels. */
  readonly gap: number;
  /** Height of a legend strip and of a colour ramp. */
  readonly legendHeight: number;
  readonly rampHeight: number;
}

/**
 * The layout of a style: every length scales with the text size, the width is the style's.
 *
 * @example
 * ```ts
 * figureLayout("page").width; // 486
 * figureLayout("column").font; // 8
 * ```
 */
export function figureLayout(input?: FigureStyleInput): FigureLayout {
  const style = figureStyle(input);
  const f = style.fontPt;
  const margins = { marginLeft: 4.6 * f, marginRight: 1.2 * f, marginTop: 2.2 * f, marginBottom: 3.6 * f };
  return {
    style,
    width: style.widthIn * FIGURE_DEFAULTS.pointsPerInch,
    font: f,
    small: Math.max(FIGURE_DEFAULTS.minFontPt, f - 1),
    ...margins,
    marginLeftWide: 8.5 * f,
    margins,
    facetMargins: { ...margins, marginTop: margins.marginTop + 1.4 * f },
    gap: f,
    legendHeight: 2 * f,
    rampHeight: 4 * f,
  };
}
