/**
 * Neural-collapse measures beyond the ETF distances, as rhubarbwu/neural-collapse computes them
 * (`neural_collapse/kernels.py`, `measure.py`; docs/method.md §4):
 *
 * - GNC2, hyperspherical uniformity of the class means (Liu et al. 2023): the variance over pairs
 *   of a kernel of the normalised centred class means ({@link hypersphericalKernelStats});
 * - UNC3, uniform duality (Wu & Papyan 2024): the variance over classes of ⟨w_k, μ_k − μ̄⟩
 *   ({@link uniformDuality});
 * - NC5, ID/OOD orthogonality (Ammar et al. 2024, NECO): the mean |cos| between the class means and
 *   the mean of out-of-distribution features ({@link orthogonalityDeviation}).
 *
 * Each is a pure function of K×d (or K-row) matrices that the streaming statistics already hold,
 * so none needs another pass over the features.
 *
 * @module
 */
import type { Matrix } from "./linalg.ts";
import { NcInputError } from "./nc_accumulators.ts";

/**
 * The pairwise kernel of {@link hypersphericalKernelStats}, on unit vectors u, v:
 * `"log"`, log(‖u − v‖⁻¹) (rhubarbwu `log_kernel` with its default exponent −1, the logarithmic
 * energy of Liu et al. 2023), or `"distance"`, ‖u − v‖ (rhubarbwu `dist_kernel`, the default kernel
 * of its `kernel_stats`).
 */
export type UniformityKernel = "log" | "distance";

/** Mean and variance of a kernel over the K(K − 1)/2 pairs k < l. */
export interface KernelStats {
  readonly mean: number;
  /** Σ_{k<l} (κ_kl − mean)² / (K(K − 1)/2): divided by the number of pairs, not one less. */
  readonly variance: number;
}

/**
 * GNC2: the mean and variance over the pairs k < l of a kernel of the normalised rows
 * u_k = c_k / (‖c_k‖ + ε), ε = 2⁻⁵² (float64 machine epsilon, rhubarbwu's `normalize`), of
 * `centredMeans` (rows c_k = μ_k − μ̄). This is rhubarbwu's `kernel_stats(M, m_G, kernel)`, whose
 * `[1]` is the GNC2 it reports (`nc2g_log`, `nc2g_dist`); both sums run over the pairs k < l and
 * divide by their number. The variance is 0 exactly when every pair is as far apart as every other,
 * as the vertices of a simplex ETF (Liu et al. 2023, hyperspherical uniformity).
 *
 * @param centredMeans K×d class means, centred (rows μ_k − μ̄ as rhubarbwu's documented use).
 * @param options `kernel`: `"log"` (default) or `"distance"`.
 *
 * @example
 * ```ts
 * // Three unit vectors 120° apart: every pair is √3 apart.
 * const etf = fromRows([[1, 0], [-0.5, Math.sqrt(3) / 2], [-0.5, -Math.sqrt(3) / 2]]);
 * hypersphericalKernelStats(etf).variance; // 0
 * hypersphericalKernelStats(etf).mean; // -0.5493061443340549
 * hypersphericalKernelStats(etf, { kernel: "distance" }).mean; // 1.7320508075688772
 * ```
 */
export function hypersphericalKernelStats(
  centredMeans: Matrix,
  options: { kernel?: UniformityKernel } = {},
): KernelStats {
  const kernel = options.kernel ?? "log";
  if (kernel !== "log" && kernel !== "distance") {
    throw new NcInputError(`kernel must be "log" or "distance", got ${JSON.stringify(kernel)}`);
  }
  const { rows: K, cols: d, data } = centredMeans;
  if (K < 2) throw new NcInputError(`hyperspherical uniformity needs K ≥ 2 class means, got ${K}`);
  const unit = new Float64Array(K * d);
  for (let k = 0; k < K; k++) {
    let sq = 0;
    for (let j = 0; j < d; j++) sq += data[k * d + j] ** 2;
    const scale = 1 / (Math.sqrt(sq) + Number.EPSILON);
    for (let j = 0; j < d; j++) unit[k * d + j] = data[k * d + j] * scale;
  }
  const values: number[] = [];
  for (let k = 0; k < K; k++) {
    for (let l = k + 1; l < K; l++) {
      let sq = 0;
      for (let j = 0; j < d; j++) sq += (unit[k * d + j] - unit[l * d + j]) ** 2;
      const distance = Math.sqrt(sq);
      values.push(kernel === "log" ? Math.log(1 / distance) : distance);
    }
  }
  const mean = values.reduce((a, x) => a + x, 0) / values.length;
  const variance = values.reduce((a, x) => a + (x - mean) ** 2, 0) / values.length;
  return { mean, variance };
}

/**
 * UNC3, uniform duality: the variance over classes, with Bessel's correction (÷ (K − 1), as
 * `torch.var`), of ⟨w_k, c_k⟩, c_k = μ_k − μ̄ the centred class means. This is rhubarbwu's
 * `similarities(W, M, m_G).var()` (`nc3u_uni_dual`); 0 when every classifier row meets its class
 * mean with the same inner product, as at self-duality on a simplex ETF.
 *
 * @param W K×d classifier weights (uncentred).
 * @param centredMeans K×d class means, centred (rows μ_k − μ̄).
 *
 * @example
 * ```ts
 * // ⟨w_k, c_k⟩ = 2, 2, 2 and then 1, 2, 2.
 * const W = fromRows([[1, 0], [0, 2], [-1, -1]]);
 * uniformDuality(W, fromRows([[2, 0], [0, 1], [-1, -1]])); // 0
 * uniformDuality(W, fromRows([[1, 0], [0, 1], [-1, -1]])); // 1 / 3
 * ```
 */
export function uniformDuality(W: Matrix, centredMeans: Matrix): number {
  const { rows: K, cols: d } = centredMeans;
  if (W.rows !== K || W.cols !== d) {
    throw new NcInputError(`classifier W is ${W.rows}×${W.cols}, the class means ${K}×${d}`);
  }
  if (K < 2) throw new NcInputError(`uniform duality needs K ≥ 2 classes, got ${K}`);
  const dots = Array.from({ length: K }, (_, k) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += W.data[k * d + j] * centredMeans.data[k * d + j];
    return s;
  });
  const mean = dots.reduce((a, x) => a + x, 0) / K;
  return dots.reduce((a, x) => a + (x - mean) ** 2, 0) / (K - 1);
}

/**
 * NC5, ID/OOD orthogonality: the mean over classes of |cos∠(μ_k, μ_OOD)|, with the class means μ_k
 * of the in-distribution data *uncentred* and μ_OOD the mean of out-of-distribution features
 * (Ammar et al. 2024). This is rhubarbwu's `orthogonality_deviation(M, m_G_ood)`, whose cosine is
 * `torch.nn.functional.cosine_similarity`'s, x·y / (max(‖x‖, ε) max(‖y‖, ε)) with ε = 1e-8. It tends
 * to 0 as the OOD mean becomes orthogonal to every class mean.
 *
 * @param classMeans K×d in-distribution class means μ_k (not centred).
 * @param oodMean the d-vector mean of the out-of-distribution features.
 *
 * @example
 * ```ts
 * const means = fromRows([[1, 0, 0], [0, 1, 0]]);
 * orthogonalityDeviation(means, [0, 0, 2]); // 0
 * orthogonalityDeviation(means, [1, 1, 0]); // 0.7071067811865476
 * ```
 */
export function orthogonalityDeviation(classMeans: Matrix, oodMean: ArrayLike<number>): number {
  const { rows: K, cols: d, data } = classMeans;
  if (oodMean.length !== d) {
    throw new NcInputError(`the OOD mean has ${oodMean.length} entries, the class means dimension ${d}`);
  }
  const EPS = 1e-8;
  let oodSq = 0;
  for (let j = 0; j < d; j++) oodSq += oodMean[j] ** 2;
  const oodNorm = Math.max(Math.sqrt(oodSq), EPS);
  let sum = 0;
  for (let k = 0; k < K; k++) {
    let dot = 0, sq = 0;
    for (let j = 0; j < d; j++) {
      dot += data[k * d + j] * oodMean[j];
      sq += data[k * d + j] ** 2;
    }
    sum += Math.abs(dot / (Math.max(Math.sqrt(sq), EPS) * oodNorm));
  }
  return sum / K;
}
