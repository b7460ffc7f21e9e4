/**
 * Writes figures to files for publications at their physical size: SVG as rendered (width and
 * height in inches, 1 user unit = 1 pt), PNG rasterised by resvg at a stated DPI (default
 * {@link FIGURE_DEFAULTS.dpi}), and PDF as vectors (pdfkit + svg-to-pdfkit) on a page of the
 * figure's size in points. PNG and PDF text uses one explicit font, DejaVu Sans (Debian's
 * `fonts-dejavu-core`, installed by the set-up), embedded in the PDF, so figures render the same on
 * every machine. Writes are atomic: an interrupted export never leaves a half-written figure.
 *
 * @module
 */
import { Resvg } from "@resvg/resvg-js";
import PDFDocument from "pdfkit";
import SVGtoPDF from "svg-to-pdfkit";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { readEnvironmentVariable } from "../environment.ts";
import { writeFileAtomic } from "../store/atomic.ts";
import { FIGURE_DEFAULTS, type FigureStyle, figureStyle, figureVenue } from "./style.ts";
import { figureSize, type SvgFigure } from "./svg.ts";
import { figureFontFiles } from "./fonts.ts";
import { figureData, figureDataCsv, type FigureDataRow, withFigureData } from "./figure_data.ts";

export { FONT_FILES } from "./fonts.ts";

/** Figure formats this module writes (`csv`: the data behind the figure, where it carries some). */
export type FigureFormat = "svg" | "png" | "pdf" | "csv";

/** Options of {@link exportFigure}. */
export interface ExportOptions {
  /** Output directory (created if missing). Default `figures`. */
  dir?: string;
  /** Formats to write. Default SVG, PNG, PDF and, for a figure that carries its data, CSV. */
  formats?: readonly FigureFormat[];
  /** PNG resolution in dots per inch of the figure's physical width. Default {@link FIGURE_DEFAULTS.dpi}. */
  dpi?: number;
  /** PNG size as another printed width in inches at `dpi` dots per inch. */
  png?: { widthInches: number; dpi: number };
}

/** The figure as a PNG of `width` pixels (height in proportion), with the project's font. */
function renderPng(figure: SvgFigure, width: number): Uint8Array {
  return new Resvg(figure.outerHTML, {
    fitTo: { mode: "width", value: Math.round(width) },
    background: FIGURE_DEFAULTS.background,
    font: { fontFiles: figureFontFiles(), loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
  }).render().asPng();
}

/** The figure as a one-page vector PDF whose page is the figure's size (1 user unit = 1 point). */
function renderPdf(figure: SvgFigure): Promise<Uint8Array> {
  const { width, height } = figureSize(figure);
  // svg-to-pdfkit does not resolve `currentColor`, which Plot uses for axes and text.
  const svg = figure.outerHTML.replaceAll("currentColor", "black");
  // A fixed creation date (SOURCE_DATE_EPOCH, the reproducible-builds convention, else 1970) keeps
  // re-exported PDFs byte-identical; pdfkit derives the document ID from it.
  const created = new Date(1000 * readEnvironmentVariable("SOURCE_DATE_EPOCH"));
  const doc = new PDFDocument({
    size: [width, height],
    margin: 0,
    info: { Creator: "nc-losses", Producer: "pdfkit", CreationDate: created, ModDate: created },
  });
  const [regular, bold] = figureFontFiles();
  doc.registerFont("DejaVu Sans", regular);
  doc.registerFont("DejaVu Sans Bold", bold);
  const chunks: Uint8Array[] = [];
  doc.on("data", (c: Uint8Array) => chunks.push(c));
  const finished = new Promise<Uint8Array>((resolve) =>
    doc.on("end", () => {
      const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
      let at = 0;
      for (const c of chunks) (out.set(c, at), at += c.length);
      resolve(out);
    })
  );
  SVGtoPDF(doc, svg, 0, 0, {
    width,
    height,
    fontCallback: (_family: string, isBold: boolean) => (isBold ? "DejaVu Sans Bold" : "DejaVu Sans"),
  });
  doc.end();
  return finished;
}

/**
 * Writes `<dir>/<name>.svg`, `.png`, `.pdf` and, where the figure carries the data it draws
 * ({@link withFigureData}), `.csv`; returns the paths written.
 *
 * @example
 * ```ts ignore (writes figures/)
 * await exportFigure(ncHistoryPlot(rows, { style: "column" }), "ufm_nc_history", { dpi: 600 });
 * ```
 */
export async function exportFigure(figure: SvgFigure, name: string, options: ExportOptions = {}): Promise<string[]> {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`figure name "${name}" must use only letters, digits, _ . -`);
  const { dir = "figures", formats = ["svg", "png", "pdf", "csv"] } = options;
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const data = figureData(figure);
  for (const format of formats) {
    const path = join(dir, `${name}.${format}`);
    if (format === "csv") {
      if (!data) continue;
      writeFileAtomic(path, figureDataCsv(data));
    } else if (format === "svg") writeFileAtomic(path, `<?xml version="1.0" encoding="UTF-8"?>\n${figure.outerHTML}\n`);
    else if (format === "png") {
      writeFileAtomic(
        path,
        renderPng(
          figure,
          options.png
            ? options.png.widthInches * options.png.dpi
            : (figureSize(figure).width / FIGURE_DEFAULTS.pointsPerInch) * (options.dpi ?? FIGURE_DEFAULTS.dpi),
        ),
      );
    } else writeFileAtomic(path, await renderPdf(figure));
    written.push(path);
  }
  return written;
}

/** A figure, or a function that draws it in a given style. */
export type FigureSource = SvgFigure | ((style: FigureStyle) => SvgFigure);

/** Options of {@link show}. */
export interface ShowOptions {
  /** Also export a column-width version (`name_column`) where the venue has columns. */
  column?: boolean;
  /** The rows behind the figure, written as `name.csv` (default: the rows the figure carries). */
  data?: readonly FigureDataRow[];
}

/**
 * Returns the figure for display, drawn in the notebook's style (`NC_FIGURE_STYLE`: `page` by
 * default, a venue's style such as `neurips`, or `"5in,8pt"`). When `NC_FIGURES_DIR` is set (as
 * `deno task reproduce` does) it also exports the figure there under `name` at the page width of
 * the venue `NC_FIGURE_VENUE` (default: `page`, 6.75 in) and, for a single-panel figure
 * (`column: true`) in a two-column venue, a column version as `name_column`; with its data as CSV.
 *
 * @example
 * ```ts ignore (displays in a notebook and writes figures/)
 * await show((style) => lambdaSweepPlot(theory, optimised, { style }), "ufm_wnorm_vs_lambda", { column: true });
 * ```
 */
export async function show(source: FigureSource, name: string, options: ShowOptions = {}): Promise<SvgFigure> {
  const draw = (style: FigureStyle) => {
    const figure = typeof source === "function" ? source(style) : source;
    return options.data ? withFigureData(figure, options.data) : figure;
  };
  const dir = readEnvironmentVariable("NC_FIGURES_DIR");
  if (dir) {
    const venue = figureVenue();
    await exportFigure(draw(venue.page), name, { dir });
    if (options.column && venue.column && typeof source === "function") {
      await exportFigure(draw(venue.column), `${name}_column`, { dir, formats: ["svg", "png", "pdf"] });
    }
  }
  return draw(figureStyle());
}
