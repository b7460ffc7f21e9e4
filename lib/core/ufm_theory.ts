/**
 * Closed-form predictions for the unconstrained feature model at its neural-collapse solution
 * (docs/method.md §5; derived for this project and checked numerically by its tests and notebooks).
 *
 * At an NC solution ‖w_k‖ = ρ, WWᵀ = ρ²K/(K−1)(I − 11ᵀ/K), h_{k,i} = c·w_k with
 * c = √(λ_W/(λ_H n)), and b = b·1. The logits have margin m = cρ²K/(K−1) between the true class
 * and every other class, the regulariser equals τ·m with τ = (K−1)√(n λ_W λ_H), and the whole
 * problem reduces to the 1-D problem min_{m ≥ 0} ℓ(m) + τ m.
 *
 * @module
 */
import { type LossSpec, sampleLoss } from "./losses.ts";

/** Sizes and regularisation of a UFM problem (docs/method.md §5). */
export interface UfmProblem {
  /** Classes. */
  readonly K: number;
  /** Samples per class. */
  readonly n: number;
  /** Feature dimension. */
  readonly d: number;
  readonly lambdaW: number;
  readonly lambdaH: number;
  readonly lambdaB: number;
}

/** The predicted optimum. */
export interface UfmTheory {
  /** Optimal objective f(W*, H*, b*). */
  readonly objective: number;
  /** ‖w_k‖² = ρ², the same for every k. */
  readonly wNormSq: number;
  /** ‖h_{k,i}‖² = c²ρ². */
  readonly hNormSq: number;
  /** Common bias b* (0 for softmax losses, whose logits are shift invariant). */
  readonly bias: number;
  /** Logit margin m* = z_true − z_other. */
  readonly margin: number;
  /** τ = (K−1)√(n λ_W λ_H). */
  readonly tau: number;
  /** c = √(λ_W/(λ_H n)), the ratio h = c·w. */
  readonly c: number;
  /** True when the optimum is W = H = 0 (regularisation too strong for any margin). */
  readonly trivial: boolean;
  /** False when d < K − 1: no simplex ETF fits in d dimensions and the prediction is not attainable. */
  readonly attainable: boolean;
  /**
   * True when the prediction is only a candidate, not the optimum: MSE with λ_b > 0. The NC
   * configuration with the stated bias is then stationary, but nothing shows it is the global
   * minimiser, and with d ≥ K the solver finds lower objectives (the features absorb part of the
   * bias). False for every other case, where the prediction is the global optimum.
   */
  readonly candidate: boolean;
}

/** Per-sample loss at NC logits with margin m (true class m, the others 0, plus a common shift). */
function ncLoss(spec: LossSpec, K: number, margin: number, shift = 0): number {
  const logits = new Float64Array(K).fill(shift);
  logits[0] = margin + shift;
  return sampleLoss(spec, logits, 0);
}

/** CE: m* = log((K−1)(1−τ)/τ) when τ < (K−1)/K, else 0. */
export function ceOptimalMargin(K: number, tau: number): number {
  return tau < (K - 1) / K ? Math.log(((K - 1) * (1 - tau)) / tau) : 0;
}

/** LS(α): p⋆ = 1 − α(K−1)/K − τ and m* = log((K−1)p⋆/(1−p⋆)) when p⋆ > 1/K, else 0. */
export function lsOptimalMargin(K: number, tau: number, alpha: number): number {
  const p = 1 - (alpha * (K - 1)) / K - tau;
  return p > 1 / K ? Math.log(((K - 1) * p) / (1 - p)) : 0;
}

/** φ(m) = ℓ(m) + τm and its derivative, ℓ'(m) being the loss gradient on the true-class logit. */
function marginObjective(spec: LossSpec, K: number, tau: number): (m: number) => [number, number] {
  const logits = new Float64Array(K), grad = new Float64Array(K);
  return (m) => {
    logits[0] = m;
    grad.fill(0);
    const value = sampleLoss(spec, logits, 0, grad);
    return [value + tau * m, grad[0] + tau];
  };
}

/**
 * Global minimiser over m ≥ 0 of ℓ(m) + τm for any loss: a dense grid locates the global basin
 * (ℓ need not be convex in m, as for FL), then bisection on the sign of the derivative refines it
 * to float64 precision.
 *
 * @example
 * ```ts
 * minimizeMargin({ name: "fl", gamma: 3 }, 10, 0.03);
 * ```
 */
export function minimizeMargin(spec: LossSpec, K: number, tau: number, options: { gridPoints?: number } = {}): number {
  const { gridPoints = 4000 } = options;
  const phi = marginObjective(spec, K, tau);
  // Beyond m = ℓ(0)/τ the objective exceeds φ(0), since ℓ ≥ 0.
  const upper = Math.min(phi(0)[0] / tau, 1e4);
  let best = 0, bestValue = phi(0)[0];
  const h = upper / gridPoints;
  for (let i = 1; i <= gridPoints; i++) {
    const [value] = phi(i * h);
    if (value < bestValue) [best, bestValue] = [i * h, value];
  }
  if (best === 0 && phi(0)[1] >= 0) return 0;
  let lo = Math.max(0, best - h), hi = best + h;
  if (!(phi(lo)[1] < 0 && phi(hi)[1] > 0)) return best;
  for (let i = 0; i < 200 && hi - lo > 4 * Number.EPSILON * hi; i++) {
    const mid = (lo + hi) / 2;
    if (phi(mid)[1] < 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The predicted optimum of the UFM for a loss.
 *
 * Softmax losses: CE and LS from their closed forms, FL from the 1-D problem solved numerically.
 * MSE (mean over classes): s* = cρ*² = (K−1)(M/K − K√(nλ_Wλ_H)/2), b* = M/(K(1 + Kλ_b/2)). With
 * λ_b > 0 this is only a candidate (`candidate: true`; docs/method.md §5).
 *
 * @example
 * ```ts
 * const t = ufmTheory({ name: "ce" }, { K: 10, n: 50, d: 64, lambdaW: 5e-4, lambdaH: 5e-4, lambdaB: 0 });
 * t.wNormSq; t.objective;
 * ```
 */
export function ufmTheory(spec: LossSpec, problem: UfmProblem): UfmTheory {
  const { K, n, d, lambdaW, lambdaH, lambdaB } = problem;
  const root = Math.sqrt(n * lambdaW * lambdaH);
  const tau = (K - 1) * root;
  const c = Math.sqrt(lambdaW / (lambdaH * n));
  const attainable = d >= K - 1;
  if (spec.name === "mse") {
    const s = Math.max(0, (K - 1) * (spec.M / K - (K * root) / 2));
    const bias = spec.M / (K * (1 + (K * lambdaB) / 2));
    const margin = (s * K) / (K - 1);
    const wNormSq = s / c;
    const objective = ncLoss(spec, K, margin, bias - s / (K - 1)) + K * s * root + (lambdaB * K * bias * bias) / 2;
    const candidate = lambdaB > 0;
    return {
      objective,
      wNormSq,
      hNormSq: c * c * wNormSq,
      bias,
      margin,
      tau,
      c,
      trivial: s === 0,
      attainable,
      candidate,
    };
  }
  const margin = spec.name === "ce"
    ? ceOptimalMargin(K, tau)
    : spec.name === "ls"
    ? lsOptimalMargin(K, tau, spec.alpha)
    : minimizeMargin(spec, K, tau);
  const wNormSq = (margin * (K - 1)) / (K * c);
  const objective = ncLoss(spec, K, margin) + tau * margin;
  return {
    objective,
    wNormSq,
    hNormSq: c * c * wNormSq,
    bias: 0,
    margin,
    tau,
    c,
    trivial: margin === 0,
    attainable,
    candidate: false,
  };
}

/**
 * NC4 (‖W μ_G + b‖, docs/method.md §3) of the predicted solution: W μ_G = 0 there, so NC4 = ‖b*‖ =
 * √K·b*, about 0 for the softmax losses and M/√K for MSE with λ_b = 0.
 *
 * @example
 * ```ts
 * const problem = { K: 4, n: 10, d: 8, lambdaW: 5e-4, lambdaH: 5e-4, lambdaB: 0 };
 * predictedNc4(ufmTheory({ name: "mse", M: 15 }, problem), problem.K); // 7.5
 * ```
 */
export function predictedNc4(theory: Pick<UfmTheory, "bias">, K: number): number {
  return Math.sqrt(K) * theory.bias;
}
