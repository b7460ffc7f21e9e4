/**
 * Unconstrained feature model (docs/method.md §5), solved full-batch in float64 by L-BFGS:
 *
 *   min_{W, H, b}  (1/N) Σ_{k,i} L(W h_{k,i} + b, y_k) + (λ_W/2)‖W‖²_F + (λ_H/2)‖H‖²_F + (λ_b/2)‖b‖²
 *
 * with N = nK balanced samples. L-BFGS with a strong-Wolfe line search (`lbfgs.ts`) runs until
 * ‖∇f‖∞ ≤ `gradTolerance` or float64 precision stops further decrease; the problem is small
 * (K·d + N·d + K variables), so this takes seconds and ends at a stationary point to ~1e-10.
 *
 * @module
 */
import { type LossSpec, sampleLoss } from "./losses.ts";
import { identity, type Matrix, matrix, symmetricEigen } from "./linalg.ts";
import { minimizeLbfgs } from "./lbfgs.ts";
import { type NcMetrics, ncMetricsOf } from "./nc_metrics.ts";
import { createRng } from "./random.ts";
import { type UfmProblem, type UfmTheory, ufmTheory } from "./ufm_theory.ts";

/** A UFM run: problem, loss and solver settings. */
export interface UfmConfig extends UfmProblem {
  readonly loss: LossSpec;
  /** Seed of the initialisation. */
  readonly seed: number;
  /** Standard deviation of the random initial entries of W and H (b starts at 0). Default 1. */
  readonly initScale?: number;
  /** Iteration cap (default 20000). */
  readonly maxIterations?: number;
  /** Stop when ‖∇f‖∞ ≤ this (default 1e-10). */
  readonly gradTolerance?: number;
}

/** Variables of the UFM: W (K×d), H (N×d, one row per sample, class-blocked), b (K). */
export interface UfmVariables {
  readonly W: Matrix;
  readonly H: Matrix;
  readonly b: Float64Array;
}

/** One recorded point of the optimisation. */
export interface UfmHistoryPoint {
  readonly iteration: number;
  readonly objective: number;
  readonly gradNorm: number;
  readonly nc1: number;
  readonly nc2: number;
  readonly nc3: number;
}

/** Result of {@link solveUfm}. */
export interface UfmResult {
  readonly config: UfmConfig;
  readonly objective: number;
  /** Mean over k of ‖w_k‖². */
  readonly wNormSq: number;
  /** Mean over samples of ‖h_i‖². */
  readonly hNormSq: number;
  /** Mean of b. */
  readonly biasMean: number;
  readonly metrics: NcMetrics;
  readonly iterations: number;
  readonly evaluations: number;
  readonly gradNorm: number;
  readonly stopReason: string;
  readonly seconds: number;
  readonly theory: UfmTheory;
  /** Points at log-spaced iterations (when `recordHistory`). */
  readonly history: UfmHistoryPoint[];
  readonly solution: UfmVariables;
  /** Class of each row of H. */
  readonly labels: Int32Array;
}

/** A UFM configuration that is not valid. */
export class UfmConfigError extends Error {
  override name = "UfmConfigError";
}

/** The largest K, n and d of a UFM problem (each), and the most float64 values its arrays may hold. */
export const UFM_LIMITS = { K: 10_000, n: 1_000_000, d: 1_000_000, values: 2 ** 27 } as const;

/**
 * Checks sizes and regularisation; errors name the parameter. The problem's arrays (H, d×Kn; the
 * logits and their gradient, K×Kn; W, K×d; each held a few times by L-BFGS) are estimated before
 * anything is allocated and refused above `UFM_LIMITS.values` (2²⁷ float64 values, 1 GiB).
 */
function validateUfmConfig(config: UfmConfig): void {
  const positiveInt = (key: "K" | "n" | "d", min: number) => {
    const v = config[key];
    if (!Number.isInteger(v) || v < min || v > UFM_LIMITS[key]) {
      throw new UfmConfigError(`UFM parameter "${key}" must be an integer in [${min}, ${UFM_LIMITS[key]}], got ${v}`);
    }
  };
  positiveInt("K", 2);
  positiveInt("n", 1);
  positiveInt("d", 1);
  const { K, n, d } = config;
  const values = K * n * (d + K) + K * d;
  if (values > UFM_LIMITS.values) {
    throw new UfmConfigError(
      `a UFM problem with K = ${K}, n = ${n}, d = ${d} holds ${values.toExponential(2)} values per copy ` +
        `(about ${(8 * values / 2 ** 30).toFixed(1)} GiB); at most ${UFM_LIMITS.values.toExponential(2)} are allowed`,
    );
  }
  for (const key of ["lambdaW", "lambdaH"] as const) {
    if (!(config[key] > 0) || !Number.isFinite(config[key])) {
      throw new UfmConfigError(`UFM parameter "${key}" must be > 0, got ${config[key]}`);
    }
  }
  if (!(config.lambdaB >= 0) || !Number.isFinite(config.lambdaB)) {
    throw new UfmConfigError(`UFM parameter "lambdaB" must be ≥ 0, got ${config.lambdaB}`);
  }
  if (!Number.isInteger(config.seed)) {
    throw new UfmConfigError(`UFM parameter "seed" must be an integer, got ${config.seed}`);
  }
  if (config.initScale !== undefined && !(config.initScale > 0)) {
    throw new UfmConfigError(`UFM parameter "initScale" must be > 0, got ${config.initScale}`);
  }
}

/** Class labels of the N = nK samples: n of class 0, then n of class 1, … */
function ufmLabels(K: number, n: number): Int32Array {
  return Int32Array.from({ length: K * n }, (_, i) => Math.floor(i / n));
}

/**
 * The objective f and its gradient, for a flat parameter vector [W, H, b].
 *
 * @example
 * ```ts
 * const config = { loss: { name: "ce" }, K: 3, n: 2, d: 4, lambdaW: 5e-4, lambdaH: 5e-4, lambdaB: 0, seed: 0 } as const;
 * const { W, H, b } = randomUfmInit(config);
 * const x = Float64Array.from([...W.data, ...H.data, ...b]);
 * const grad = new Float64Array(x.length);
 * const value = ufmObjective(config)(x, grad);
 * ```
 */
export function ufmObjective(config: UfmConfig): (x: Float64Array, grad: Float64Array) => number {
  const { K, n, d, lambdaW, lambdaH, lambdaB, loss } = config;
  const N = K * n, sizeW = K * d, sizeH = N * d;
  const labels = ufmLabels(K, n);
  const logits = new Float64Array(K), gz = new Float64Array(K);
  return (x, grad) => {
    const W = x.subarray(0, sizeW), H = x.subarray(sizeW, sizeW + sizeH), b = x.subarray(sizeW + sizeH);
    const gW = grad.subarray(0, sizeW), gH = grad.subarray(sizeW, sizeW + sizeH), gb = grad.subarray(sizeW + sizeH);
    let value = 0;
    for (let i = 0; i < sizeW; i++) gW[i] = lambdaW * W[i];
    for (let k = 0; k < K; k++) gb[k] = lambdaB * b[k];
    let reg = 0;
    for (const w of W) reg += (lambdaW / 2) * w * w;
    for (const h of H) reg += (lambdaH / 2) * h * h;
    for (const v of b) reg += (lambdaB / 2) * v * v;
    for (let i = 0; i < N; i++) {
      const h = i * d;
      for (let k = 0; k < K; k++) {
        let z = b[k];
        for (let j = 0; j < d; j++) z += W[k * d + j] * H[h + j];
        logits[k] = z;
      }
      gz.fill(0);
      value += sampleLoss(loss, logits, labels[i], gz, 1 / N) / N;
      for (let j = 0; j < d; j++) gH[h + j] = lambdaH * H[h + j];
      for (let k = 0; k < K; k++) {
        const g = gz[k];
        gb[k] += g;
        for (let j = 0; j < d; j++) {
          gW[k * d + j] += g * H[h + j];
          gH[h + j] += g * W[k * d + j];
        }
      }
    }
    return value + reg;
  };
}

function pack(v: UfmVariables): Float64Array {
  const x = new Float64Array(v.W.data.length + v.H.data.length + v.b.length);
  x.set(v.W.data, 0);
  x.set(v.H.data, v.W.data.length);
  x.set(v.b, v.W.data.length + v.H.data.length);
  return x;
}

function unpack(x: Float64Array, K: number, N: number, d: number): UfmVariables {
  return {
    W: matrix(K, d, x.subarray(0, K * d)),
    H: matrix(N, d, x.subarray(K * d, K * d + N * d)),
    b: Float64Array.from(x.subarray(K * d + N * d)),
  };
}

/** Random initial point: W, H with i.i.d. N(0, initScale²) entries and b = 0. */
export function randomUfmInit(config: UfmConfig): UfmVariables {
  const { K, n, d, seed, initScale = 1 } = config;
  const rng = createRng(seed);
  const W = matrix(K, d), H = matrix(K * n, d);
  for (let i = 0; i < W.data.length; i++) W.data[i] = initScale * rng.normal();
  for (let i = 0; i < H.data.length; i++) H.data[i] = initScale * rng.normal();
  return { W, H, b: new Float64Array(K) };
}

/**
 * The exact NC solution the theory predicts: W a simplex ETF of row norm ρ (in the first K−1
 * coordinates), h_{k,i} = c·w_k, b = b*·1. Requires d ≥ K − 1.
 *
 * @example
 * ```ts
 * const config = { loss: { name: "ce" }, K: 3, n: 2, d: 4, lambdaW: 5e-4, lambdaH: 5e-4, lambdaB: 0, seed: 0 } as const;
 * const star = ncSolution(config); // ufmObjective(config) at star equals ufmTheory(...).objective
 * ```
 */
export function ncSolution(config: UfmConfig): UfmVariables {
  const { K, n, d } = config;
  if (d < K - 1) throw new UfmConfigError(`an NC solution needs d ≥ K − 1; got d = ${d}, K = ${K}`);
  const theory = ufmTheory(config.loss, config);
  // Orthonormal basis of 1⊥: eigenvectors of I − 11ᵀ/K with eigenvalue 1.
  const centring = identity(K);
  for (let i = 0; i < K * K; i++) centring.data[i] -= 1 / K;
  const { vectors } = symmetricEigen(centring);
  const scale = Math.sqrt(theory.wNormSq * K / (K - 1));
  const W = matrix(K, d), H = matrix(K * n, d);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < K - 1; j++) W.data[k * d + j] = scale * vectors.data[k * K + j];
  }
  for (let i = 0; i < K * n; i++) {
    const k = Math.floor(i / n);
    for (let j = 0; j < d; j++) H.data[i * d + j] = theory.c * W.data[k * d + j];
  }
  return { W, H, b: new Float64Array(K).fill(theory.bias) };
}

/** Iterations at which the history is recorded: every one up to 10, then about 30 per decade. */
function shouldRecord(iteration: number, last: number): boolean {
  return iteration <= 10 || iteration >= last * 1.08;
}

/**
 * Solves the UFM from a random (or given) initial point and reports the objective, norms, NC
 * metrics of (H, W, b) and the theory's prediction.
 *
 * @example
 * ```ts
 * const r = solveUfm({ loss: { name: "ce" }, K: 10, n: 50, d: 64, lambdaW: 5e-4, lambdaH: 5e-4, lambdaB: 0, seed: 0 });
 * r.metrics.nc1; r.wNormSq; r.theory.wNormSq;
 * ```
 */
export function solveUfm(
  config: UfmConfig,
  options: { init?: UfmVariables; recordHistory?: boolean } = {},
): UfmResult {
  validateUfmConfig(config);
  const { K, n, d } = config;
  const N = K * n;
  const labels = ufmLabels(K, n);
  const start = performance.now();
  const history: UfmHistoryPoint[] = [];
  let lastRecorded = 0;
  const record = (iteration: number, objective: number, gradNorm: number, x: Float64Array) => {
    const v = unpack(x, K, N, d);
    const m = ncMetricsOf(v.H, labels, v);
    history.push({ iteration, objective, gradNorm, nc1: m.nc1, nc2: m.nc2, nc3: m.nc3 });
    lastRecorded = iteration;
  };
  const result = minimizeLbfgs(ufmObjective(config), pack(options.init ?? randomUfmInit(config)), {
    maxIterations: config.maxIterations ?? 20000,
    gradTolerance: config.gradTolerance ?? 1e-10,
    onIteration: options.recordHistory
      ? ({ iteration, value, gradNorm, x }) => {
        if (shouldRecord(iteration, lastRecorded)) record(iteration, value, gradNorm, x);
      }
      : undefined,
  });
  if (options.recordHistory && lastRecorded !== result.iterations) {
    record(result.iterations, result.value, result.gradNorm, result.x);
  }
  const solution = unpack(result.x, K, N, d);
  const rowMeanSq = (m: Matrix) => {
    let s = 0;
    for (const v of m.data) s += v * v;
    return s / m.rows;
  };
  return {
    config,
    objective: result.value,
    wNormSq: rowMeanSq(solution.W),
    hNormSq: rowMeanSq(solution.H),
    biasMean: solution.b.reduce((a, v) => a + v, 0) / K,
    metrics: ncMetricsOf(solution.H, labels, solution),
    iterations: result.iterations,
    evaluations: result.evaluations,
    gradNorm: result.gradNorm,
    stopReason: result.reason,
    seconds: (performance.now() - start) / 1000,
    theory: ufmTheory(config.loss, config),
    history,
    solution,
    labels,
  };
}
