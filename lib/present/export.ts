/**
 * Writes figures to files: SVG as rendered, PNG rasterised by resvg. Writes are atomic (temporary
 * file, then rename), so an interrupted export never leaves a half-written figure.
 *
 * @module
 */
import { Resvg } from "@resvg/resvg-js";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { writeFileAtomic } from "../experiments/atomic.ts";
import type { SvgFigure } from "./svg.ts";

/** Figure formats this module writes. */
export type FigureFormat = "svg" | "png";

/** Options of {@link exportFigure}. */
export interface ExportOptions {
  /** Output directory (created if missing). Default `figures`. */
  dir?: string;
  /** Formats to write. Default SVG and PNG. */
  formats?: readonly FigureFormat[];
  /** PNG width in pixels. Default twice the SVG's width (a 2× raster for print and slides). */
  pngWidth?: number;
}

/**
 * Writes `<dir>/<name>.svg` and `<dir>/<name>.png` and returns the paths written.
 *
 * @example
 * ```ts
 * exportFigure(ncHistoryPlot(rows), "ufm_nc_history", { dir: "figures" });
 * ```
 */
export function exportFigure(figure: SvgFigure, name: string, options: ExportOptions = {}): string[] {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`figure name "${name}" must use only letters, digits, _ . -`);
  const { dir = "figures", formats = ["svg", "png"] } = options;
  mkdirSync(dir, { recursive: true });
  const svg = figure.outerHTML;
  const written: string[] = [];
  for (const format of formats) {
    const path = join(dir, `${name}.${format}`);
    if (format === "svg") {
      writeFileAtomic(path, `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`);
    } else {
      const width = options.pngWidth ?? 2 * Number(figure.getAttribute("width") ?? 640);
      const png = new Resvg(svg, {
        fitTo: { mode: "width", value: width },
        background: "white",
        font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
      }).render().asPng();
      writeFileAtomic(path, png);
    }
    written.push(path);
  }
  return written;
}

/**
 * Returns the figure for display and, when `NC_FIGURES_DIR` is set (as `deno task reproduce`
 * does), also exports it there under `name`.
 *
 * @example
 * ```ts
 * show(lambdaSweepPlot(theory, optimised), "ufm_wnorm_vs_lambda"); // last expression of a cell
 * ```
 */
export function show(figure: SvgFigure, name: string): SvgFigure {
  const dir = process.env.NC_FIGURES_DIR;
  if (dir) exportFigure(figure, name, { dir });
  return figure;
}
