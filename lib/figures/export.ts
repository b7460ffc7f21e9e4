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
import { FIGURE_DEFAULTS, FIGURE_STYLES, type FigureStyle, figureStyle } from "./style.ts";
import { figureSize, type SvgFigure } from "./svg.ts";
import { figureFontFiles } from "./fonts.ts";

export { FONT_FILES } from "./fonts.ts";

/** Figure formats this module writes. */
export type FigureFormat = "svg" | "png" | "pdf";

/** Options of {@link exportFigure}. */
export interface ExportOptions {
  /** Output directory (created if missing). Default `figures`. */
  dir?: string;
  /** Formats to write. Default SVG, PNG and PDF. */
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
 * Writes `<dir>/<name>.svg`, `.png` and `.pdf` and returns the paths written.
 *
 * @example
 * ```ts ignore (writes figures/)
 * await exportFigure(ncHistoryPlot(rows, { style: "column" }), "ufm_nc_history", { dpi: 600 });
 * ```
 */
export async function exportFigure(figure: SvgFigure, name: string, options: ExportOptions = {}): Promise<string[]> {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`figure name "${name}" must use only letters, digits, _ . -`);
  const { dir = "figures", formats = ["svg", "png", "pdf"] } = options;
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const format of formats) {
    const path = join(dir, `${name}.${format}`);
    if (format === "svg") writeFileAtomic(path, `<?xml version="1.0" encoding="UTF-8"?>\n${figure.outerHTML}\n`);
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

/**
 * Returns the figure for display, drawn in the notebook's style (`NC_FIGURE_STYLE`: `page` by
 * default, `column`, or `"5in,8pt"`). When `NC_FIGURES_DIR` is set (as `deno task reproduce` does)
 * it also exports the figure there under `name` at `page` size and, for a single-panel figure
 * (`column: true`), a `column` version as `name_column`.
 *
 * @example
 * ```ts ignore (displays in a notebook and writes figures/)
 * await show((style) => lambdaSweepPlot(theory, optimised, { style }), "ufm_wnorm_vs_lambda", { column: true });
 * ```
 */
export async function show(
  source: FigureSource,
  name: string,
  options: { column?: boolean } = {},
): Promise<SvgFigure> {
  const draw = typeof source === "function" ? source : () => source;
  const dir = readEnvironmentVariable("NC_FIGURES_DIR");
  if (dir) {
    await exportFigure(draw(FIGURE_STYLES.page), name, { dir });
    if (options.column && typeof source === "function") {
      await exportFigure(draw(FIGURE_STYLES.column), `${name}_column`, { dir });
    }
  }
  return draw(figureStyle());
}
