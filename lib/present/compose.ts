/**
 * Several standalone SVG figures laid out as one standalone SVG (a grid of panels), so multi-panel
 * figures display inline and export as a single file.
 *
 * @module
 */
import { parseHTML } from "linkedom";
import { FIGURE_DEFAULTS } from "./figure_defaults.ts";
import type { SvgFigure } from "./svg.ts";

/**
 * Places figures in rows of `columns`, each at its own size, with an optional gap.
 *
 * @example
 * ```ts
 * const panel = () => plotSvg({ width: 200, height: 150, marks: [Plot.lineY([1, 3, 2])] });
 * composeFigures([panel(), panel(), panel(), panel()], { columns: 2, gap: 8 }).getAttribute("width"); // "408"
 * ```
 */
export function composeFigures(
  figures: readonly SvgFigure[],
  options: { columns?: number; gap?: number } = {},
): SvgFigure {
  const { columns = figures.length, gap = 8 } = options;
  const size = (f: SvgFigure) => [Number(f.getAttribute("width")), Number(f.getAttribute("height"))];
  const rows: SvgFigure[][] = [];
  for (let i = 0; i < figures.length; i += columns) rows.push(figures.slice(i, i + columns));
  let y = 0, width = 0;
  const parts: string[] = [];
  for (const row of rows) {
    let x = 0, height = 0;
    for (const f of row) {
      const [w, h] = size(f);
      parts.push(f.outerHTML.replace(/^<svg /, `<svg x="${x}" y="${y}" `));
      x += w + gap;
      height = Math.max(height, h);
    }
    width = Math.max(width, x - gap);
    y += height + gap;
  }
  const height = y - gap;
  const { document } = parseHTML(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" style="background:${FIGURE_DEFAULTS.background}">${
      parts.join("")
    }</svg>`,
  );
  return document.firstElementChild as unknown as SvgFigure;
}
