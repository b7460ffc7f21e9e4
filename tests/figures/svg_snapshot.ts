/**
 * Figure snapshots as readable files: one SVG a figure, one element a line, indented by depth, and
 * every number rounded to 2 decimals so that a snapshot does not depend on float noise. A failing
 * diff then shows which element moved.
 */
import { expect } from "vitest";

/** Every decimal number rounded to 2 decimals. */
export const roundNumbers = (svg: string): string =>
  svg.replace(/-?\d+\.\d+/g, (n) => String(Math.round(Number(n) * 100) / 100));

/**
 * One tag a line, indented two spaces a level; an element holding only text stays on one line.
 *
 * @example
 * ```ts ignore (a test helper, not part of the library)
 * formatSvg('<svg><g><text>a</text></g></svg>'); // "<svg>\n  <g>\n    <text>a</text>\n  </g>\n</svg>\n"
 * ```
 */
export function formatSvg(svg: string): string {
  const tokens = svg.split(/(<[^>]+>)/).filter((t) => t.trim() !== "");
  const lines: string[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const pad = "  ".repeat(depth);
    if (token.startsWith("</")) {
      depth--;
      lines.push("  ".repeat(depth) + token);
    } else if (token.startsWith("<") && !token.endsWith("/>")) {
      const text = tokens[i + 1], close = tokens[i + 2];
      if (text !== undefined && !text.startsWith("<") && close?.startsWith("</")) {
        lines.push(pad + token + text + close);
        i += 2;
      } else {
        lines.push(pad + token);
        depth++;
      }
    } else {
      lines.push(pad + token);
    }
  }
  return lines.join("\n") + "\n";
}

/** Compares a figure with its snapshot file `__snapshots__/figures/NAME.svg`. */
export async function expectFigureSnapshot(svg: string, name: string): Promise<void> {
  await expect(formatSvg(roundNumbers(svg))).toMatchFileSnapshot(`./__snapshots__/figures/${name}.svg`);
}
