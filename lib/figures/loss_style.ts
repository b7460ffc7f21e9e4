/**
 * Plot scales that give every loss the colour and symbol of the loss registry
 * (`core/loss_registry.ts`), the same in every figure of the project, and the legend strip that
 * names them in the registry's order (CE, LS, FL, MSE).
 *
 * @module
 */
import { LOSS, LOSS_NAMES } from "../core/loss_registry.ts";
import type { FigureStyleInput } from "./style.ts";
import { legendStrip, type SvgFigure } from "./svg.ts";

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

/**
 * A legend strip of the losses present (names or labels), in registry order, each with its colour
 * and marker (and a line when the figure draws lines).
 *
 * @example
 * ```ts
 * lossLegend(["mse", "ce"], { width: 200 }).outerHTML.indexOf(">CE<") < lossLegend(["mse", "ce"], { width: 200 }).outerHTML.indexOf(">MSE<"); // true
 * ```
 */
export function lossLegend(
  losses: Iterable<string>,
  options: { width: number; style?: FigureStyleInput; line?: boolean },
): SvgFigure {
  const present = new Set(losses);
  return legendStrip(
    LOSS_NAMES.filter((l) => present.has(l) || present.has(LOSS[l].label)).map((l) => ({
      label: LOSS[l].label,
      color: LOSS[l].color,
      symbol: LOSS[l].symbol,
      line: options.line ?? true,
    })),
    { width: options.width, style: options.style },
  );
}
