/**
 * Plot scales that give every loss the colour and symbol of the loss registry
 * (`core/loss_registry.ts`), the same in every figure of the project.
 *
 * @module
 */
import { LOSSES } from "../core/loss_registry.ts";

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
  const domain = LOSSES.map((l) => l.label);
  return {
    color: { domain, range: LOSSES.map((l) => l.color) },
    symbol: { domain, range: LOSSES.map((l) => l.symbol) },
  };
}
