/**
 * Limited-memory BFGS with a strong-Wolfe line search (Nocedal & Wright, Numerical Optimization,
 * 2nd ed., Algorithms 7.4, 3.5 and 3.6), in float64.
 *
 * Used for the full-batch UFM problem: smooth, a few thousand to a few hundred thousand variables.
 *
 * @module
 */

/** Objective: returns f(x) and writes ∇f(x) into `grad`. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

/** Progress of one iteration, passed to `onIteration`. */
export interface IterationInfo {
  readonly iteration: number;
  readonly value: number;
  readonly gradNorm: number;
  readonly x: Float64Array;
}

/** Options of {@link minimizeLbfgs}. */
export interface LbfgsOptions {
  /** Iteration cap (default 20000). */
  maxIterations?: number;
  /** Number of correction pairs kept (default 10). */
  memory?: number;
  /** Stop when ‖∇f‖∞ ≤ this (default 1e-10). */
  gradTolerance?: number;
  /** Called after every iteration; return `false` to stop early. */
  onIteration?: (info: IterationInfo) => boolean | void;
}

/** Result of {@link minimizeLbfgs}. */
export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  /** ‖∇f‖∞ at `x`. */
  readonly gradNorm: number;
  readonly iterations: number;
  readonly evaluations: number;
  /** Why it stopped. "precision": the line search found no decrease, float64 precision is reached. */
  readonly reason: "gradient" | "precision" | "maxIterations" | "callback";
}

const C1 = 1e-4, C2 = 0.9;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * Minimises a smooth function from `x0`.
 *
 * @example
 * ```ts
 * const r = minimizeLbfgs((x, g) => { g[0] = 2 * (x[0] - 3); return (x[0] - 3) ** 2; }, Float64Array.of(0));
 * // r.x[0] ≈ 3
 * ```
 */
export function minimizeLbfgs(objective: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const { maxIterations = 20000, memory = 10, gradTolerance = 1e-10, onIteration } = options;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let evaluations = 1;
  let value = objective(x, g);
  const sHist: Float64Array[] = [], yHist: Float64Array[] = [], rhoHist: number[] = [];
  const direction = new Float64Array(n), alphas = new Float64Array(memory);
  const xTrial = new Float64Array(n), gTrial = new Float64Array(n);

  const evaluate = (step: number): [number, number] => {
    for (let i = 0; i < n; i++) xTrial[i] = x[i] + step * direction[i];
    evaluations++;
    const f = objective(xTrial, gTrial);
    return [f, dot(gTrial, direction)];
  };

  let iteration = 0;
  let reason: LbfgsResult["reason"] = "maxIterations";
  for (; iteration < maxIterations; iteration++) {
    if (maxAbs(g) <= gradTolerance) {
      reason = "gradient";
      break;
    }
    // Two-loop recursion: direction = −H·g.
    for (let i = 0; i < n; i++) direction[i] = -g[i];
    const m = sHist.length;
    for (let j = m - 1; j >= 0; j--) {
      alphas[j] = rhoHist[j] * dot(sHist[j], direction);
      const y = yHist[j];
      for (let i = 0; i < n; i++) direction[i] -= alphas[j] * y[i];
    }
    const gammaScale = m > 0
      ? dot(sHist[m - 1], yHist[m - 1]) / dot(yHist[m - 1], yHist[m - 1])
      : 1 / Math.max(maxAbs(g), 1e-300);
    for (let i = 0; i < n; i++) direction[i] *= gammaScale;
    for (let j = 0; j < m; j++) {
      const beta = rhoHist[j] * dot(yHist[j], direction);
      const s = sHist[j];
      for (let i = 0; i < n; i++) direction[i] += (alphas[j] - beta) * s[i];
    }
    let slope = dot(g, direction);
    if (!(slope < 0)) {
      // Not a descent direction (lost curvature information): restart from steepest descent.
      sHist.length = yHist.length = rhoHist.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -g[i] / Math.max(maxAbs(g), 1e-300);
      slope = dot(g, direction);
    }
    const step = strongWolfe(evaluate, value, slope, 1);
    if (step === null) {
      reason = "precision";
      break;
    }
    // Recompute at the accepted step unless it was the last one evaluated.
    const [fNew] = step.lastEvaluated ? [step.value] : evaluate(step.step);
    const s = new Float64Array(n), y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xTrial[i] - x[i];
      y[i] = gTrial[i] - g[i];
    }
    const sy = dot(s, y);
    [x, g] = [Float64Array.from(xTrial), Float64Array.from(gTrial)];
    value = fNew;
    if (sy > 1e-300) {
      if (sHist.length === memory) {
        sHist.shift();
        yHist.shift();
        rhoHist.shift();
      }
      sHist.push(s);
      yHist.push(y);
      rhoHist.push(1 / sy);
    }
    if (onIteration?.({ iteration: iteration + 1, value, gradNorm: maxAbs(g), x }) === false) {
      iteration++;
      reason = "callback";
      break;
    }
  }
  return { x, value, gradNorm: maxAbs(g), iterations: iteration, evaluations, reason };
}

interface StepResult {
  step: number;
  value: number;
  lastEvaluated: boolean;
}

/** Strong-Wolfe line search; null when no step decreases the objective. */
function strongWolfe(
  phi: (step: number) => [number, number],
  f0: number,
  d0: number,
  initial: number,
): StepResult | null {
  let prev = 0, fPrev = f0, dPrev = d0;
  let step = initial;
  for (let i = 0; i < 30; i++) {
    const [f, d] = phi(step);
    if (!Number.isFinite(f) || f > f0 + C1 * step * d0 || (i > 0 && f >= fPrev)) {
      return zoom(phi, f0, d0, prev, fPrev, dPrev, step, f, d);
    }
    if (Math.abs(d) <= -C2 * d0) return { step, value: f, lastEvaluated: true };
    if (d >= 0) return zoom(phi, f0, d0, step, f, d, prev, fPrev, dPrev);
    [prev, fPrev, dPrev] = [step, f, d];
    step *= 2;
  }
  return fPrev < f0 ? { step: prev, value: fPrev, lastEvaluated: false } : null;
}

function zoom(
  phi: (step: number) => [number, number],
  f0: number,
  d0: number,
  lo: number,
  fLo: number,
  dLo: number,
  hi: number,
  fHi: number,
  dHi: number,
): StepResult | null {
  for (let j = 0; j < 40; j++) {
    const step = interpolate(lo, fLo, dLo, hi, fHi, dHi);
    if (Math.abs(hi - lo) < 1e-16 * Math.max(1, Math.abs(lo))) break;
    const [f, d] = phi(step);
    if (!Number.isFinite(f) || f > f0 + C1 * step * d0 || f >= fLo) {
      [hi, fHi, dHi] = [step, f, d];
    } else {
      if (Math.abs(d) <= -C2 * d0) return { step, value: f, lastEvaluated: true };
      if (d * (hi - lo) >= 0) [hi, fHi, dHi] = [lo, fLo, dLo];
      [lo, fLo, dLo] = [step, f, d];
    }
  }
  return lo > 0 && fLo < f0 ? { step: lo, value: fLo, lastEvaluated: false } : null;
}

/** Minimiser of the cubic through both end points, kept inside the middle 80 % of the bracket. */
function interpolate(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const lo = Math.min(a, b), hi = Math.max(a, b), width = hi - lo;
  if (Number.isFinite(fb) && Number.isFinite(db)) {
    const d1 = da + db - 3 * (fa - fb) / (a - b);
    const disc = d1 * d1 - da * db;
    if (disc >= 0) {
      const d2 = Math.sign(b - a) * Math.sqrt(disc);
      const t = b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
      if (Number.isFinite(t) && t > lo + 0.1 * width && t < hi - 0.1 * width) return t;
    }
  }
  return (a + b) / 2;
}
