/**
 * Neural-collapse metric formulas over the statistics of the streaming accumulators
 * (`nc_accumulators.ts`): the paper's NC1–NC4 and the variants of docs/method.md §4.
 *
 * NC1 uses Σ_B = M̃ᵀM̃/K, whose pseudo-inverse is Σ_B† = K·M̃ᵀ(G†)²M̃ with G = M̃M̃ᵀ (K×K), so
 * NC1 = tr(Σ_W Σ_B†)/K = tr(A (G†)²) exactly, on the rank-(≤ K−1) between-class subspace.
 *
 * @module
 */
import {
  addScaled,
  DEFAULT_RANK_TOLERANCE,
  etfDistance,
  gramRows,
  identity,
  matmul,
  type Matrix,
  matrix,
  pseudoInverseSymmetric,
  traceOfProduct,
  transpose,
} from "./linalg.ts";
import {
  checkClassifier,
  checkLabel,
  type Classifier,
  ClassMeanAccumulator,
  type ClassMeans,
  type FeatureInput,
  type GlobalMean,
  type NcStatistics,
  WithinClassAccumulator,
} from "./nc_accumulators.ts";
import { hypersphericalKernelStats, orthogonalityDeviation, uniformDuality } from "./nc_generalised.ts";
import { mean, sampleSd } from "./statistics.ts";

/**
 * Every metric, as numbers: the paper's NC1–NC4 (its reference code's definitions), then the
 * variants, each as the published code of the source it is named after computes it
 * (docs/method.md §4). μ_G is the accumulator's global mean (`globalMean`, default the sample
 * mean as the reference code) except in Papyan, Han and Donoho's metrics and rhubarbwu's, which
 * centre on the mean of the class means, μ̄ = (1/K) Σ_k μ_k (Papyan et al.'s notebook; the `mG`
 * of rhubarbwu's `MeanAccumulator.compute()`); on balanced classes the two coincide.
 */
export interface NcMetrics {
  /** NC₁ = tr(Σ_W Σ_B†)/K (reference code `collapse_metric`). */
  nc1: number;
  /** NC₂: ETF distance of the centred classifier W̃ = W − 1w̄ᵀ (reference code `ETF_metric`). */
  nc2: number;
  /** NC₃: ETF distance of W̃H̄, H̄ = M̃ᵀ (reference code `WH_relation_metric`). */
  nc3: number;
  /** NC₄ = ‖W μ_G + b‖₂, the norm of the mean logit (reference code `Wh_b_relation_metric`). */
  nc4: number;
  /**
   * tr(Σ_W Σ_B†) with Σ_B built on μ̄, no 1/K (Papyan et al. 2020, notebook `Sw_invSb`); K·nc1 on
   * balanced classes.
   */
  nc1Trace: number;
  /** tr(Σ_W)/tr(Σ_B) (Tirer et al. 2023; Hui et al. 2022). */
  variabilityRatio: number;
  /** Mean over pairs k < l of (σ_k² + σ_l²)/(2‖μ_k − μ_l‖²), σ_k² = E‖h − μ_k‖² in class k (Galanti et al. 2022; rhubarbwu `variability_cdnv`). */
  cdnv: number;
  /** ETF distance of M̄M̄ᵀ, rows μ_k − μ̄ (Kothapalli 2023; rhubarbwu `simplex_etf_error`). */
  nc2Means: number;
  /** ETF distance of WWᵀ with the uncentred W (tding1/Neural-Collapse `compute_ETF`). */
  nc2Uncentred: number;
  /** std/mean of ‖μ_k − μ̄‖, std with Bessel's correction (Papyan et al. 2020, notebook `norm_M_CoV`). */
  equinormMeans: number;
  /** std/mean of ‖w_k‖, std with Bessel's correction (Papyan et al. 2020, notebook `norm_W_CoV`). */
  equinormClassifier: number;
  /** Std over ordered pairs k ≠ l of cos∠(μ_k − μ̄, μ_l − μ̄), with Bessel's correction (Papyan et al. 2020, equiangularity). */
  equiangularityMeans: number;
  /** Mean over pairs k ≠ l of |cos∠(μ_k − μ̄, μ_l − μ̄) + 1/(K−1)| (Papyan et al. 2020, notebook `cos_M`). */
  maxAngleMeans: number;
  /** Mean over pairs k ≠ l of |cos∠(w_k, w_l) + 1/(K−1)| (Papyan et al. 2020, notebook `cos_W`). */
  maxAngleClassifier: number;
  /**
   * ETF distance of W M̄ᵀ, rows of M̄ μ_k − μ̄, with the uncentred W (rhubarbwu `self_duality_error`;
   * tding1 `compute_W_H_relation` is the same centred on the sample mean).
   */
  nc3Uncentred: number;
  /** ‖Wᵀ/‖W‖_F − M̄/‖M̄‖_F‖²_F, M̄ = [μ_k − μ̄] (d×K), squared (Papyan et al. 2020, notebook `W_M_dist`). */
  nc3SelfDuality: number;
  /** ‖W μ_G − b‖₂ (tding1/Neural-Collapse `compute_Wh_b_relation`). */
  nc4Minus: number;
  /** Fraction of samples whose nearest class mean differs from the classifier's prediction (Papyan et al. 2020, notebook `NCC_mismatch`); null without a classifier in pass 2. */
  nccMismatch: number | null;
  /**
   * GNC2, hyperspherical uniformity: variance over pairs k < l of log(‖u_k − u_l‖⁻¹), u_k = (μ_k − μ̄)/‖μ_k − μ̄‖
   * (Liu et al. 2023; rhubarbwu `kernel_stats(M, mG, log_kernel)[1]`).
   */
  gnc2Log: number;
  /** The same with the kernel ‖u_k − u_l‖ (rhubarbwu `kernel_stats(M, mG)[1]`, its default `dist_kernel`). */
  gnc2Distance: number;
  /** UNC3, uniform duality: variance over k of ⟨w_k, μ_k − μ̄⟩, Bessel's correction (Wu & Papyan 2024; rhubarbwu `similarities(W, M, mG).var()`). */
  unc3: number;
  /**
   * NC5, ID/OOD orthogonality: mean over k of |cos∠(μ_k, μ_OOD)|, class means uncentred (Ammar et al. 2024;
   * rhubarbwu `orthogonality_deviation`); null without an out-of-distribution mean (`oodMean`).
   */
  nc5: number | null;
  /** Rank of the between-class Gram matrix kept by the pseudo-inverse (≤ K − 1). */
  betweenRank: number;
}

/**
 * Computes every metric from the statistics of both passes and the classifier.
 *
 * Degenerate inputs have defined results: a class with a single sample contributes no
 * within-class scatter; with d < K − 1 the between-class subspace has rank ≤ d and NC1 is
 * computed on it exactly; when all class means coincide (rank 0), Σ_B† = 0 and NC1 = 0, as the
 * Moore–Penrose definition gives (`betweenRank` = 0 flags it). The global mean follows the
 * accumulator's `globalMean` option, except in Papyan et al.'s and rhubarbwu's metrics (see
 * {@link NcMetrics}).
 *
 * Papyan et al.'s NC1 needs Σ_B on μ̄ while pass 2 projected Σ_W on M̃ (centred on μ_G). No third
 * pass is needed: μ̄ − μ_G = (1/K) Σ_k (μ_k − μ_G), so the rows of M̄ = P M̃ with P = I − 11ᵀ/K,
 * and P A P and P G P are its projected scatter and Gram matrix.
 *
 * NC5 needs the mean of out-of-distribution features, `options.oodMean` (a
 * `FeatureMeanAccumulator` streams it); without it `nc5` is null.
 *
 * @example
 * ```ts
 * const W = fromRows([[1, 0], [0, 1]]), b = [0, 0];
 * const features = [[1, 0], [0, 1]], labels = [0, 1];
 * const pass1 = new ClassMeanAccumulator(2, 2);
 * pass1.accumulate(features, labels);
 * const pass2 = new WithinClassAccumulator(pass1.compute(), { classifier: { W, b } });
 * pass2.accumulate(features, labels);
 * const m = ncMetrics(pass2.compute(), { W, b });
 * m.nc1; m.nc2; m.nc3; m.nc4;
 * ncMetrics(pass2.compute(), { W, b }, { oodMean: [0.5, 0.5] }).nc5; // 0.7071067811865476
 * ```
 */
export function ncMetrics(
  stats: NcStatistics,
  classifier: Classifier,
  options: { rankTolerance?: number; oodMean?: ArrayLike<number> } = {},
): NcMetrics {
  const { classMeans, centredMeans, projectedScatter, classScatter, globalMean } = stats;
  const { numClasses: K, dim: d, total } = classMeans;
  checkClassifier(classifier, K, d);
  const { W, b } = classifier;

  const { gram, withinTrace, pinvOptions, nc1, rank } = withinBetween(stats, options);

  // Papyan et al. and rhubarbwu: class means centred on the mean of the class means, M̄ = P M̃.
  const centring = meanOfMeansCentring(K);
  const meansBar = matmul(centring, centredMeans);
  const gramBar = bothSides(centring, gram);
  const nc1Trace = K * traceOfProduct(
    bothSides(centring, projectedScatter),
    pseudoInverseSymmetric(gramBar, pinvOptions).inverse,
  );

  const wCentred = matrix(K, d);
  for (let j = 0; j < d; j++) {
    let columnMean = 0;
    for (let k = 0; k < K; k++) columnMean += W.data[k * d + j] / K;
    for (let k = 0; k < K; k++) wCentred.data[k * d + j] = W.data[k * d + j] - columnMean;
  }
  const hBar = transpose(centredMeans);

  const meanLogit = (sign: number) => {
    let s = 0;
    for (let k = 0; k < K; k++) {
      let z = sign * b[k];
      for (let j = 0; j < d; j++) z += W.data[k * d + j] * globalMean[j];
      s += z * z;
    }
    return Math.sqrt(s);
  };

  let betweenTrace = 0;
  for (let k = 0; k < K; k++) betweenTrace += gram.data[k * K + k] / K;
  const gramW = gramRows(W);
  const cosMeans = offDiagonalCosines(gramBar);

  return {
    nc1,
    nc2: etfDistance(gramRows(wCentred)),
    nc3: etfDistance(matmul(wCentred, hBar)),
    nc4: meanLogit(1),
    nc1Trace,
    variabilityRatio: withinTrace / betweenTrace,
    cdnv: classDistanceNormalisedVariance(classMeans, classScatter),
    nc2Means: etfDistance(gramBar),
    nc2Uncentred: etfDistance(gramW),
    equinormMeans: coefficientOfVariation(diagonalNorms(gramBar)),
    equinormClassifier: coefficientOfVariation(diagonalNorms(gramW)),
    equiangularityMeans: sampleSd(cosMeans),
    maxAngleMeans: coherence(cosMeans, K),
    maxAngleClassifier: coherence(offDiagonalCosines(gramW), K),
    nc3Uncentred: etfDistance(matmul(W, transpose(meansBar))),
    nc3SelfDuality: selfDualitySquared(W, meansBar),
    nc4Minus: meanLogit(-1),
    nccMismatch: stats.nccAgreements === null ? null : 1 - stats.nccAgreements / total,
    gnc2Log: hypersphericalKernelStats(meansBar, { kernel: "log" }).variance,
    gnc2Distance: hypersphericalKernelStats(meansBar, { kernel: "distance" }).variance,
    unc3: uniformDuality(W, meansBar),
    nc5: options.oodMean === undefined ? null : orthogonalityDeviation(classMeans.means, options.oodMean),
    betweenRank: rank,
  };
}

/** P = I − 11ᵀ/K: P M̃ has rows μ_k − μ̄ whatever the μ_G that M̃ was centred on. */
function meanOfMeansCentring(K: number): Matrix {
  return addScaled(identity(K), matrix(K, K, new Array(K * K).fill(1)), -1 / K);
}

/** P A P, for a symmetric P. */
function bothSides(p: Matrix, a: Matrix): Matrix {
  return matmul(matmul(p, a), p);
}

/** NC1 and what it is computed from: G = M̃M̃ᵀ, tr(Σ_W), and the pseudo-inverse's options. */
function withinBetween(stats: NcStatistics, options: { rankTolerance?: number }) {
  const { classMeans, centredMeans, projectedScatter, classScatter } = stats;
  const gram = gramRows(centredMeans);
  const withinTrace = classScatter.reduce((a, x) => a + x, 0) / classMeans.total;
  const pinvOptions = {
    tolerance: options.rankTolerance ?? DEFAULT_RANK_TOLERANCE,
    absoluteFloor: ROUND_OFF_FLOOR * classMeans.numClasses * secondMoment(classMeans, withinTrace),
    power: 2,
  };
  const { inverse: gramPinvSq, rank } = pseudoInverseSymmetric(gram, pinvOptions);
  return { gram, withinTrace, pinvOptions, nc1: traceOfProduct(projectedScatter, gramPinvSq), rank };
}

/** Collapse of features without a classifier: a hidden layer's (docs/method.md §4). */
export interface FeatureCollapse {
  /** NC₁ = tr(Σ_W Σ_B†)/K, as {@link NcMetrics.nc1}. */
  nc1: number;
  /** ETF distance of the Gram matrix M̄M̄ᵀ of the class means centred on μ̄, as {@link NcMetrics.nc2Means}. */
  nc2Means: number;
  /** Class-distance normalised variance, as {@link NcMetrics.cdnv}. */
  cdnv: number;
}

/**
 * NC1, NC2 of the class means and the CDNV of any layer's features: the metrics that need no
 * classifier, from the same statistics as {@link ncMetrics} (and equal to its values).
 *
 * @example
 * ```ts
 * const features = [[1, 0], [1.1, 0], [0, 1], [0, 0.9]], labels = [0, 0, 1, 1];
 * const pass1 = new ClassMeanAccumulator(2, 2);
 * pass1.accumulate(features, labels);
 * const pass2 = new WithinClassAccumulator(pass1.compute());
 * pass2.accumulate(features, labels);
 * featureCollapse(pass2.compute()).nc1; // small: classes are tight relative to their distance
 * ```
 */
export function featureCollapse(stats: NcStatistics, options: { rankTolerance?: number } = {}): FeatureCollapse {
  const { gram, nc1 } = withinBetween(stats, options);
  return {
    nc1,
    nc2Means: etfDistance(bothSides(meanOfMeansCentring(stats.classMeans.numClasses), gram)),
    cdnv: classDistanceNormalisedVariance(stats.classMeans, stats.classScatter),
  };
}

/** Mean over pairs k < l of (σ_k² + σ_l²)/(2‖μ_k − μ_l‖²). */
function classDistanceNormalisedVariance(cm: ClassMeans, scatter: Float64Array): number {
  const { numClasses: K, dim: d, counts } = cm;
  let sum = 0, pairs = 0;
  for (let k = 0; k < K; k++) {
    for (let l = k + 1; l < K; l++) {
      let dist = 0;
      for (let j = 0; j < d; j++) dist += (cm.means.data[k * d + j] - cm.means.data[l * d + j]) ** 2;
      sum += (scatter[k] / counts[k] + scatter[l] / counts[l]) / (2 * dist);
      pairs++;
    }
  }
  return sum / pairs;
}

/**
 * Eigenvalues of G = M̃M̃ᵀ at or below ROUND_OFF_FLOOR · K · E‖h‖² count as zero whatever the
 * relative cut-off: class means that coincide up to float64 round-off (relative errors ~1e-13 of
 * the feature norm after summing 1e6 samples, so ~1e-26 in G) have no between-class direction.
 */
const ROUND_OFF_FLOOR = 1e-24;

/** E‖h‖² = Σ_k (n_k/N)‖μ_k‖² + tr(Σ_W). */
function secondMoment(cm: ClassMeans, withinTrace: number): number {
  let s = withinTrace;
  for (let k = 0; k < cm.numClasses; k++) {
    let sq = 0;
    for (let j = 0; j < cm.dim; j++) sq += cm.means.data[k * cm.dim + j] ** 2;
    s += (cm.counts[k] / cm.total) * sq;
  }
  return s;
}

function diagonalNorms(gram: Matrix): number[] {
  return Array.from({ length: gram.rows }, (_, k) => Math.sqrt(gram.data[k * gram.rows + k]));
}

/** std/mean, the std with Bessel's correction as `torch.std(norms) / torch.mean(norms)`. */
function coefficientOfVariation(values: readonly number[]): number {
  return sampleSd(values) / mean(values);
}

/** cos∠(v_k, v_l) for every ordered pair k ≠ l, from the Gram matrix of the v_k. */
function offDiagonalCosines(gram: Matrix): number[] {
  const K = gram.rows, cosines: number[] = [];
  for (let k = 0; k < K; k++) {
    for (let l = 0; l < K; l++) {
      if (l !== k) cosines.push(gram.data[k * K + l] / Math.sqrt(gram.data[k * K + k] * gram.data[l * K + l]));
    }
  }
  return cosines;
}

/** Papyan et al.'s `coherence`: Σ_{k≠l} |cos + 1/(K−1)| / (K(K−1)). */
function coherence(cosines: readonly number[], K: number): number {
  return cosines.reduce((a, x) => a + Math.abs(x + 1 / (K - 1)), 0) / (K * (K - 1));
}

/** ‖W/‖W‖_F − M/‖M‖_F‖²_F for K×d matrices W and M (rows: classes). */
function selfDualitySquared(W: Matrix, means: Matrix): number {
  let wNorm = 0, mNorm = 0;
  for (let i = 0; i < W.data.length; i++) {
    wNorm += W.data[i] ** 2;
    mNorm += means.data[i] ** 2;
  }
  wNorm = Math.sqrt(wNorm);
  mNorm = Math.sqrt(mNorm);
  let s = 0;
  for (let i = 0; i < W.data.length; i++) s += (W.data[i] / wNorm - means.data[i] / mNorm) ** 2;
  return s;
}

/** Options of {@link ncMetricsOfBatches} and {@link ncMetricsOf}. */
export interface NcMetricsOptions {
  /** How μ_G is formed: `"sample"` (default; the reference code) or `"classMeans"`. */
  globalMean?: GlobalMean;
  /** Relative eigenvalue cut-off of the pseudo-inverses (default `DEFAULT_RANK_TOLERANCE`, 1e-10). */
  rankTolerance?: number;
  /**
   * The mean μ_OOD of out-of-distribution features (d numbers, e.g. from a
   * `FeatureMeanAccumulator`), for NC5; without it `nc5` is null.
   */
  oodMean?: ArrayLike<number>;
}

/**
 * Both passes over a re-iterable source of batches (called twice), then {@link ncMetrics}.
 *
 * @example
 * ```ts
 * const W = fromRows([[1, 0], [0, 1]]), b = [0, 0];
 * const batches = [{ features: [[1, 0]], labels: [0] }, { features: [[0, 1]], labels: [1] }];
 * const m = ncMetricsOfBatches(() => batches, { numClasses: 2, dim: 2, classifier: { W, b } });
 * ```
 */
export function ncMetricsOfBatches(
  batches: () => Iterable<{ features: FeatureInput; labels: ArrayLike<number> }>,
  options: NcMetricsOptions & { numClasses: number; dim: number; classifier: Classifier },
): NcMetrics {
  const pass1 = new ClassMeanAccumulator(options.numClasses, options.dim);
  for (const { features, labels } of batches()) pass1.accumulate(features, labels);
  const pass2 = new WithinClassAccumulator(pass1.compute(), options);
  for (const { features, labels } of batches()) pass2.accumulate(features, labels);
  return ncMetrics(pass2.compute(), options.classifier, options);
}

/**
 * NC metrics of features held in memory (one batch), e.g. the UFM's H or a metrics file.
 *
 * @example
 * ```ts
 * const m = ncMetricsOf([[1, 0], [0, 1]], [0, 1], { W: fromRows([[1, 0], [0, 1]]), b: [0, 0] });
 * ```
 */
export function ncMetricsOf(
  features: FeatureInput,
  labels: ArrayLike<number>,
  classifier: Classifier,
  options: NcMetricsOptions = {},
): NcMetrics {
  const K = classifier.W.rows, d = classifier.W.cols;
  for (let i = 0; i < labels.length; i++) checkLabel(labels[i], K, i);
  return ncMetricsOfBatches(() => [{ features, labels }], { ...options, numClasses: K, dim: d, classifier });
}
