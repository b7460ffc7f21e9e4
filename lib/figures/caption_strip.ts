/**
 * A caption as its own strip of a figure: text wrapped to the figure's width, for notes under
 * panels (what a mark means, what was not run) that must not run off a narrow figure.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { figureLayout, type FigureStyleInput } from "./style.ts";
import { plotSvg, type SvgFigure, textWidthEm } from "./svg.ts";

/**
 * Greedy word wrap: lines of at most `width` points at text size `font` (a word longer than the
 * width stays whole on its own line).
 *
 * @example
 * ```ts
 * wrapText("one two three four", 50, 10); // ["one two", "three", "four"]
 * ```
 */
export function wrapText(text: string, width: number, font: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines.at(-1);
    if (last !== undefined && textWidthEm(`${last} ${word}`) * font <= width) {
      lines[lines.length - 1] = `${last} ${word}`;
    } else lines.push(word);
  }
  return lines;
}

/**
 * A strip of `width` points holding `text` wrapped to fit, left-aligned at `indent` points (default
 * the style's left margin, under the panels' plotting area).
 *
 * @example
 * ```ts
 * captionStrip("dashed: equivalent within ±0.5", { width: 234, style: "column" }).getAttribute("width"); // "3.25in"
 * ```
 */
export function captionStrip(
  text: string,
  options: { width: number; style?: FigureStyleInput; indent?: number },
): SvgFigure {
  const L = figureLayout(options.style);
  const indent = options.indent ?? L.marginLeft;
  const lines = wrapText(text, options.width - indent - L.font, L.font);
  return plotSvg({
    width: options.width,
    height: (1.25 * lines.length + 0.6) * L.font,
    margin: 0,
    x: { domain: [0, 1], axis: null },
    y: { domain: [0, 1], axis: null },
    marks: [
      Plot.text([lines.join("\n")], {
        frameAnchor: "top-left",
        dx: indent,
        dy: 0.3 * L.font,
        lineHeight: 1.25,
        textAnchor: "start",
      }),
    ],
  }, { style: L.style });
}
