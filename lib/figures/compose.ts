/**
 * Several standalone SVG figures laid out as one standalone SVG (a grid of panels), so multi-panel
 * figures display inline and export as a single file. Sizes are read in points (the figures'
 * `viewBox`); the result's `width` and `height` are its physical size in inches.
 *
 * @module
 */
import { parseHTML } from "linkedom";
import { FIGURE_DEFAULTS } from "./style.ts";
import { figureSize, setPhysicalSize, type SvgFigure } from "./svg.ts";

/**
 * Places figures in rows of `columns`, each at its own size, with an optional gap (points); with
 * `center`, a row shorter than the widest (a last row of fewer panels) is centred under it.
 *
 * @example
 * ```ts
 * const panel = () => plotSvg({ width: 200, height: 150, marks: [Plot.lineY([1, 3, 2])] });
 * figureSize(composeFigures([panel(), panel(), panel(), panel()], { columns: 2, gap: 8 })); // { width: 408, height: 308 }
 * ```
 */
export function composeFigures(
  figures: readonly SvgFigure[],
  options: { columns?: number; gap?: number; center?: boolean } = {},
): SvgFigure {
  const { columns = figures.length, gap = 8, center = false } = options;
  const rows: SvgFigure[][] = [];
  for (let i = 0; i < figures.length; i += columns) rows.push(figures.slice(i, i + columns));
  const rowWidth = (row: SvgFigure[]) => row.reduce((a, f) => a + figureSize(f).width + gap, -gap);
  const widest = Math.max(...rows.map(rowWidth));
  let y = 0, width = 0;
  const parts: string[] = [];
  for (const row of rows) {
    let x = center ? (widest - rowWidth(row)) / 2 : 0, height = 0;
    for (const f of row) {
      const { width: w, height: h } = figureSize(f);
      const inner = f.outerHTML.replace(/^<svg[^>]*>/, (tag) =>
        tag.replace(/\s(?:width|height|x|y)="[^"]*"/g, "")
          .replace(/^<svg /, `<svg x="${x}" y="${y}" width="${w}" height="${h}" `));
      parts.push(inner);
      x += w + gap;
      height = Math.max(height, h);
    }
    width = Math.max(width, x - gap);
    y += height + gap;
  }
  const height = y - gap;
  const { document } = parseHTML(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FIGURE_DEFAULTS.font}" style="background:${FIGURE_DEFAULTS.background}">${
      parts.join("")
    }</svg>`,
  );
  return setPhysicalSize(document.firstElementChild as unknown as SvgFigure);
}
