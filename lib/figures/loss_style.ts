/**
 * Plot scales that give every loss the colour and symbol of the loss registry
 * (`core/loss_registry.ts`), the same in every figure of the project, and the legend strip that
 * names them in the registry's order (CE, LS, FL, MSE).
 *
 * @module
 */
import { LOSS, LOSS_NAMES } from "../core/loss_registry.ts";
import type { FigureStyleInput } from "./style.ts";
import { type LegendItem, legendStrip, type SvgFigure } from "./svg.ts";

/**
 * Plot scale options mapping loss labels to the fixed colours and symbols.
 *
 * @example
 * ```ts
 * lossScales().color.domain; // ["CE", "LS", "FL", "MSE"]
 * ```
 */
export function lossScales(): {
  color: { domain: string[]; range: string[] };
  symbol: { domain: string[]; range: string[] };
} {
  const domain = LOSS_NAMES.map((l) => LOSS[l].label);
  return {
    color: { domain, range: LOSS_NAMES.map((l) => LOSS[l].color) },
    symbol: { domain, range: LOSS_NAMES.map((l) => LOSS[l].symbol) },
  };
}

/** How a loss's line (a mean over seeds) and its markers are drawn, and its legend entries alike. */
export const LOSS_MARK = { r: 2, strokeWidth: 1.3 } as const;

/**
 * The legend entries of the losses present (names or labels), in registry order: each line and
 * marker as the figures draw the means ({@link LOSS_MARK}), or the line left out.
 *
 * @example
 * ```ts
 * lossLegendItems(["mse", "ce"]).map((item) => item.label); // ["CE", "MSE"]
 * ```
 */
export function lossLegendItems(losses: Iterable<string>, options: { line?: boolean } = {}): LegendItem[] {
  const present = new Set(losses);
  return LOSS_NAMES.filter((l) => present.has(l) || present.has(LOSS[l].label)).map((l) => ({
    label: LOSS[l].label,
    color: LOSS[l].color,
    symbol: LOSS[l].symbol,
    line: options.line ?? true,
    lineWidth: LOSS_MARK.strokeWidth,
    r: LOSS_MARK.r,
  }));
}

/**
 * A legend strip of the losses present (names or labels), in registry order, each with its colour
 * and marker (and a line when the figure draws lines; no marker with `symbol: false`, for figures
 * that draw lines alone).
 *
 * @example
 * ```ts
 * lossLegend(["mse", "ce"], { width: 200 }).outerHTML.indexOf(">CE<") < lossLegend(["mse", "ce"], { width: 200 }).outerHTML.indexOf(">MSE<"); // true
 * ```
 */
export function lossLegend(
  losses: Iterable<string>,
  options: { width: number; style?: FigureStyleInput; line?: boolean; symbol?: boolean },
): SvgFigure {
  const present = new Set(losses);
  return legendStrip(
    LOSS_NAMES.filter((l) => present.has(l) || present.has(LOSS[l].label)).map((l) => ({
      label: LOSS[l].label,
      color: LOSS[l].color,
      symbol: options.symbol === false ? undefined : LOSS[l].symbol,
      line: options.line ?? true,
    })),
    { width: options.width, style: options.style },
  );
}
