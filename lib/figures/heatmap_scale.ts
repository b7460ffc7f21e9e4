/**
 * The colour scale of a figure of heat-map panels, chosen from the data by a stated rule, so that
 * neither a few extreme cells nor one panel of larger values washes out the colours of the rest:
 *
 * 1. **Log or linear.** Positive values spanning a decade or more (max/min ≥ 10) get a logarithmic
 *    scale, unless the caller says otherwise; a signed quantity gets a diverging scale centred on 0.
 * 2. **Clipping.** On the scale's axis (the value, its logarithm, or |value| when diverging), cells
 *    beyond Tukey's far fences (3 interquartile ranges past the quartiles) are extreme; when they
 *    are few — at most 5 % of the cells, at least one allowed — the colour domain ends at the
 *    other cells' extent, and the extreme cells take the end colour and carry an overflow mark.
 * 3. **Shared or per panel.** The panels share one domain where they share a range: every panel's
 *    own extent (of its cells within the domain) covers at least half of the pooled extent.
 *    Otherwise each panel gets its own domain and its own colour ramp.
 *
 * @module
 */

/** How the panels' colours are scaled. */
export interface HeatmapScale {
  /** One domain for every panel, or one a panel. */
  readonly kind: "shared" | "per-panel";
  readonly log: boolean;
  readonly diverging: boolean;
  /** The colour domain of each panel (all equal when shared). */
  readonly domains: readonly (readonly [number, number])[];
  /** Cells beyond the domain exist: they take the end colour and are marked. */
  readonly clipped: boolean;
}

/** Options of {@link heatmapScale}. */
export interface HeatmapScaleOptions {
  /** Signed values on a diverging scale centred on 0. */
  readonly diverging?: boolean;
  /** Force a logarithmic (true) or linear (false) scale; default: log where max/min ≥ 10. */
  readonly log?: boolean;
  /** A fixed domain shared by every panel (no clipping, no choice). */
  readonly domain?: readonly [number, number];
}

/** The largest share of cells that may be clipped as extreme (at least one cell). */
export const CLIP_SHARE = 0.05;
/** Tukey's far-out fence, in interquartile ranges beyond the quartiles. */
export const FENCE_IQR = 3;
/** Panels share a scale when each covers at least this fraction of the pooled extent. */
export const SHARED_COVERAGE = 0.5;

/**
 * Where a value lies against a colour domain: -1 below it, 1 above it, 0 within (to a relative
 * 1e-9, so that a domain's own ends, rounded through a logarithm, are within).
 *
 * @example
 * ```ts
 * beyondDomain(20, [1, 2]); // 1
 * beyondDomain(2.0000000000000004, [1, 2]); // 0
 * ```
 */
export function beyondDomain(v: number, [lo, hi]: readonly [number, number]): -1 | 0 | 1 {
  const tol = 1e-9 * Math.max(Math.abs(lo), Math.abs(hi));
  return v < lo - tol ? -1 : v > hi + tol ? 1 : 0;
}

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q, lo = Math.floor(at), hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/**
 * Whether positive values span a decade or more (the rule for a logarithmic colour scale).
 *
 * @example
 * ```ts
 * spansDecade([0.07, 0.9, 71.6]); // true
 * spansDecade([0.03, 0.233]); // false
 * ```
 */
export function spansDecade(values: readonly number[]): boolean {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0 || finite.some((v) => v <= 0)) return false;
  return Math.max(...finite) / Math.min(...finite) >= 10;
}

/**
 * The colour scale of heat-map panels (values per panel) by the module's rule.
 *
 * @example
 * ```ts
 * const even = [1, 1.2, 1.4, 1.6, 1.8, 2, 1.1, 1.3, 1.5, 1.7, 1.9, 1.25];
 * heatmapScale([even, even]).kind; // "shared"
 * heatmapScale([even, [...even.slice(1), 20]]).clipped; // true
 * heatmapScale([even, even.map((v) => v + 40)]).kind; // "per-panel"
 * ```
 */
export function heatmapScale(panels: readonly (readonly number[])[], options: HeatmapScaleOptions = {}): HeatmapScale {
  const diverging = options.diverging ?? false;
  const all = panels.flat().filter(Number.isFinite);
  const log = !diverging && (options.log ?? spansDecade(all));
  const usable = (v: number) => Number.isFinite(v) && (!log || v > 0);
  // The scale's axis: log10 on a log scale, |v| on a diverging one.
  const axis = (v: number) => (log ? Math.log10(v) : diverging ? Math.abs(v) : v);
  const back = (t: number) => (log ? 10 ** t : t);
  const domainOf = (lo: number, hi: number): [number, number] => diverging ? [-hi, hi] : [back(lo), back(hi)];
  if (options.domain) {
    const d: [number, number] = [options.domain[0], options.domain[1]];
    const beyond = all.some((v) => beyondDomain(v, d) !== 0);
    return { kind: "shared", log, diverging, domains: panels.map(() => d), clipped: beyond };
  }
  const axes = panels.map((p) => p.filter(usable).map(axis));
  const pooled = axes.flat().sort((a, b) => a - b);
  if (pooled.length === 0) return { kind: "shared", log, diverging, domains: panels.map(() => [0, 1]), clipped: false };
  // Extreme cells: beyond the far fences (only the upper one for |v|), if few.
  const q1 = quantile(pooled, 0.25), q3 = quantile(pooled, 0.75), iqr = q3 - q1;
  const lowFence = diverging ? -Infinity : q1 - FENCE_IQR * iqr, highFence = q3 + FENCE_IQR * iqr;
  const inside = pooled.filter((t) => t >= lowFence && t <= highFence);
  const extreme = pooled.length - inside.length;
  const clip = extreme > 0 && extreme <= Math.max(1, Math.floor(CLIP_SHARE * pooled.length)) &&
    inside.length > 0 && inside.at(-1)! > inside[0];
  const kept = (ts: readonly number[]) => (clip ? ts.filter((t) => t >= lowFence && t <= highFence) : [...ts]);
  const extentOf = (ts: readonly number[]): [number, number] =>
    ts.length ? [diverging ? 0 : Math.min(...ts), Math.max(...ts)] : [NaN, NaN];
  const [lo, hi] = extentOf(kept(pooled));
  const extents = axes.map((ts) => extentOf(kept(ts)));
  const span = hi - lo;
  const shared = span === 0 ||
    extents.every(([a, b]) => Number.isNaN(a) || b - a >= SHARED_COVERAGE * span - 1e-12 * Math.abs(span));
  const domains = shared
    ? panels.map(() => domainOf(lo, hi))
    : extents.map(([a, b]) => (Number.isNaN(a) ? domainOf(lo, hi) : domainOf(a, b)));
  const clipped = domains.some((d, i) => panels[i].some((v) => beyondDomain(v, d) !== 0));
  return { kind: shared ? "shared" : "per-panel", log, diverging, domains, clipped };
}
