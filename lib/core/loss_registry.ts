/**
 * The paper's losses, once: name, label, the parameter each takes and its default, and the colour
 * and marker every figure of the project gives it. The markers follow the reference `plot.py` (CE 'v',
 * LS 's', FL 'X', MSE 'o'); the colours are the Okabe–Ito colour-blind-safe palette (CE blue, LS
 * bluish green, FL vermillion, MSE reddish purple), so that marker and colour both tell losses
 * apart. The order of {@link LOSSES} is the order of the paper's
 * figures and tables (CE, LS, FL, MSE). Every other module reads losses from here: the loss specs
 * (`losses.ts`), the CLI flags, the figure grids and the figures' legends.
 *
 * @module
 */
import type { LossName, LossSpec } from "./losses.ts";

/** A loss parameter: FL's γ, LS's α, MSE's M. */
export type LossParameter = "gamma" | "alpha" | "M";

/** One loss of the registry. */
export interface LossEntry {
  readonly name: LossName;
  /** Display name in figures and tables. */
  readonly label: string;
  /** The parameter it takes (null: none): key, default (docs/method.md §1: CIFAR-10 values), symbol, meaning. */
  readonly parameter: {
    readonly key: LossParameter;
    readonly default: number;
    readonly symbol: string;
    readonly doc: string;
  } | null;
  /** Colour and Plot symbol of its marks. */
  readonly color: string;
  readonly symbol: "triangle" | "square" | "times" | "circle";
}

/** The losses, in the order of the paper's figures. */
export const LOSSES: readonly LossEntry[] = [
  { name: "ce", label: "CE", parameter: null, color: "#0072B2", symbol: "triangle" },
  {
    name: "ls",
    label: "LS",
    parameter: { key: "alpha", default: 0.1, symbol: "α", doc: "label-smoothing α" },
    color: "#009E73",
    symbol: "square",
  },
  {
    name: "fl",
    label: "FL",
    parameter: { key: "gamma", default: 3, symbol: "γ", doc: "focal-loss γ" },
    color: "#D55E00",
    symbol: "times",
  },
  {
    name: "mse",
    label: "MSE",
    parameter: { key: "M", default: 15, symbol: "M", doc: "MSE target scale" },
    color: "#CC79A7",
    symbol: "circle",
  },
];

/** The registry's entries by name. */
export const LOSS: Readonly<Record<LossName, LossEntry>> = Object.fromEntries(LOSSES.map((l) => [l.name, l])) as Record<
  LossName,
  LossEntry
>;

/** Every loss name, in the order the paper's figures use (CE, LS, FL, MSE). */
export const LOSS_NAMES: readonly LossName[] = LOSSES.map((l) => l.name);

/**
 * A loss's label as tables and figures show it (CE, LS, FL, MSE), from its name or its label; a name
 * the registry does not know is shown in upper case.
 *
 * @example
 * ```ts
 * lossLabel("mse"); // "MSE"
 * lossLabel("CE"); // "CE"
 * ```
 */
export function lossLabel(loss: string): string {
  return LOSS[loss as LossName]?.label ?? loss.toUpperCase();
}

/**
 * Compares loss names by the project's loss order (CE, LS, FL, MSE), for sorting.
 *
 * @example
 * ```ts
 * ["mse", "ce", "fl"].sort(byLossOrder); // ["ce", "fl", "mse"]
 * ```
 */
export function byLossOrder(a: string, b: string): number {
  return LOSS_NAMES.indexOf(a as LossName) - LOSS_NAMES.indexOf(b as LossName);
}

/**
 * The value of a loss's parameter (α, γ or M), or null for a loss without one.
 *
 * @example
 * ```ts
 * lossParameter({ name: "fl", gamma: 2 }); // 2
 * lossParameter({ name: "ce" });           // null
 * ```
 */
export function lossParameter(spec: LossSpec): number | null {
  const parameter = LOSS[spec.name].parameter;
  return parameter === null ? null : (spec as unknown as Record<LossParameter, number>)[parameter.key];
}

/**
 * Every loss with its default parameter, in figure order; `overrides` replace a parameter's default.
 *
 * @example
 * ```ts
 * defaultLosses({ alpha: 0.05 }); // [{ name: "ce" }, { name: "ls", alpha: 0.05 }, { name: "fl", gamma: 3 }, { name: "mse", M: 15 }]
 * ```
 */
export function defaultLosses(overrides: Partial<Record<LossParameter, number>> = {}): LossSpec[] {
  return LOSSES.map(({ name, parameter }) =>
    (parameter === null
      ? { name }
      : { name, [parameter.key]: overrides[parameter.key] ?? parameter.default }) as LossSpec
  );
}
