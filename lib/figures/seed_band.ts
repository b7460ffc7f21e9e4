/**
 * The centre and range of one quantity over seeds, as the figures draw it: the mean on a linear
 * axis, the geometric mean on a logarithmic one (the middle of the seeds as the axis shows them),
 * and the range from the lowest to the highest seed; and how each seed is drawn beside the centre
 * (a thin line on curves, a hollow dot on end-of-run figures), with the legend entries of both.
 *
 * @module
 */

import type { CurvePanel, CurveRow } from "./run_plots.ts";
import type { LegendItem } from "./svg.ts";

/**
 * How each seed's own curve is drawn beside the centre over seeds: a thin, half-transparent line in
 * the curve's colour, so that where the seeds of two curves overlap stays visible.
 */
export const SEED_LINE = { strokeWidth: 0.6, strokeOpacity: 0.45 } as const;

/**
 * How each seed's own value is drawn beside the mean of its group (end-of-run figures): a small
 * hollow dot, white inside, drawn over the means so that neither hides the other.
 */
export const SEED_DOT = { r: 1.5, strokeWidth: 0.7, fill: "white" } as const;

/**
 * The legend entry of the seeds' dots ({@link SEED_DOT}), in a neutral grey.
 *
 * @example
 * ```ts
 * seedDotLegendItem().hollow; // true
 * ```
 */
export function seedDotLegendItem(label = "each seed"): LegendItem {
  return { label, color: "#555", symbol: "circle", hollow: true, r: SEED_DOT.r };
}

/**
 * The legend entry of the seeds' lines ({@link SEED_LINE}), in a neutral grey.
 *
 * @example
 * ```ts
 * seedLineLegendItem().label; // "each seed"
 * ```
 */
export function seedLineLegendItem(label = "each seed"): LegendItem {
  return { label, color: "#555", line: true, lineWidth: SEED_LINE.strokeWidth, lineOpacity: SEED_LINE.strokeOpacity };
}

/** A quantity over seeds: its centre, lowest and highest seed, and how many seeds. */
export interface SeedBand {
  centre: number;
  low: number;
  high: number;
  seeds: number;
}

/**
 * The band of `values` (one per seed): non-finite values are left out, and on a log axis values
 * ≤ 0 too; null when none is left.
 *
 * @example
 * ```ts
 * seedBand([1, 4], { log: true }); // { centre: 2, low: 1, high: 4, seeds: 2 }
 * seedBand([1, 4]);                // { centre: 2.5, low: 1, high: 4, seeds: 2 }
 * ```
 */
export function seedBand(values: readonly number[], options: { log?: boolean } = {}): SeedBand | null {
  const kept = values.filter((v) => Number.isFinite(v) && (!options.log || v > 0));
  if (kept.length === 0) return null;
  const centre = options.log
    ? Math.exp(kept.reduce((a, v) => a + Math.log(v), 0) / kept.length)
    : kept.reduce((a, v) => a + v, 0) / kept.length;
  return { centre, low: Math.min(...kept), high: Math.max(...kept), seeds: kept.length };
}

/**
 * Per loss (or per value of the key `by`, and of `facet` when given) and epoch, the centre and range
 * over seeds of each panel's column: the mean for linear axes, the geometric mean for logarithmic
 * ones (the centre of the seeds on the axis drawn), and the smallest and largest seed. With one seed
 * per group the centre is that seed's value and the range empty. Each row keeps its group's `loss`,
 * `by` and `facet` values (those of its first seed).
 *
 * @example
 * ```ts
 * const rows = [{ loss: "ce", epoch: 1, seed: 1, nc1: 1 }, { loss: "ce", epoch: 1, seed: 2, nc1: 4 }];
 * seedBands(rows, [{ column: "nc1", label: "NC1", log: true }]);
 * // [{ loss: "ce", epoch: 1, seeds: 2, nc1: 2, nc1_low: 1, nc1_high: 4 }]
 * seedBands(rows, [{ column: "nc1", label: "NC1" }], { by: "seed" }).length; // 2
 * ```
 */
export function seedBands(
  rows: readonly CurveRow[],
  panels: readonly CurvePanel[],
  options: { by?: string; facet?: string } = {},
): CurveRow[] {
  const { by = "loss", facet } = options;
  const groups = new Map<string, CurveRow[]>();
  for (const r of rows) {
    const key = JSON.stringify([r[by], facet === undefined ? null : r[facet], r.epoch]);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  }
  return [...groups.values()].map((group) => {
    const out: Record<string, unknown> = { loss: group[0].loss, epoch: group[0].epoch, seeds: group.length };
    for (const key of [by, facet]) if (key !== undefined && !(key in out)) out[key] = group[0][key];
    for (const p of panels) {
      const band = seedBand(group.map((r) => (typeof r[p.column] === "number" ? r[p.column] as number : NaN)), {
        log: p.log,
      });
      if (band === null) continue;
      out[p.column] = band.centre;
      out[`${p.column}_low`] = band.low;
      out[`${p.column}_high`] = band.high;
    }
    return out as unknown as CurveRow;
  });
}
