/**
 * One colour and one symbol per loss, the same in every figure of the project (following the
 * reference `plot.py`: CE blue 'v', LS green 's', FL red 'X', MSE cyan 'o').
 *
 * @module
 */
import type { LossName } from "../core/losses.ts";

/** Display name, colour and Plot symbol of a loss. */
export interface LossStyle {
  readonly label: string;
  readonly color: string;
  readonly symbol: "triangle" | "square" | "times" | "circle";
}

/** Styles by loss name. */
export const LOSS_STYLES: Readonly<Record<LossName, LossStyle>> = {
  ce: { label: "CE", color: "#1f5fbf", symbol: "triangle" },
  ls: { label: "LS", color: "#2a9d3a", symbol: "square" },
  fl: { label: "FL", color: "#d62728", symbol: "times" },
  mse: { label: "MSE", color: "#17a2b8", symbol: "circle" },
};

/** The losses in legend order. */
export const LOSS_ORDER: readonly LossName[] = ["ce", "ls", "fl", "mse"];

/** Plot scale options mapping loss labels to the fixed colours and symbols. */
export function lossScales(): {
  color: { domain: string[]; range: string[] };
  symbol: { domain: string[]; range: string[] };
} {
  const domain = LOSS_ORDER.map((l) => LOSS_STYLES[l].label);
  return {
    color: { domain, range: LOSS_ORDER.map((l) => LOSS_STYLES[l].color) },
    symbol: { domain, range: LOSS_ORDER.map((l) => LOSS_STYLES[l].symbol) },
  };
}
