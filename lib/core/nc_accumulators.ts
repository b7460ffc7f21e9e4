/**
 * The streaming accumulators of the neural-collapse metrics: two passes over (features, labels)
 * batches, never holding all N features nor the d×d within-class covariance.
 *
 * 1. {@link ClassMeanAccumulator}: class sums and counts → class means μ_k and global mean μ_G.
 * 2. {@link WithinClassAccumulator}: with M̃ = [μ_1 − μ_G, …, μ_K − μ_G]ᵀ (K×d) fixed, the K×K
 *    projected within-class scatter A = M̃ Σ_W M̃ᵀ, per-class variances, and the nearest-class-centre
 *    agreement with a classifier.
 *
 * {@link FeatureMeanAccumulator} averages unlabelled features, such as an out-of-distribution set's
 * for NC5, in one pass of its own.
 *
 * Memory is O(dK + K²). The metric formulas over these statistics are `nc_metrics.ts`.
 *
 * @module
 */
import { type Matrix, matrix } from "./linalg.ts";

/** Features or labels that do not fit together. */
export class NcInputError extends Error {
  override name = "NcInputError";
}

/**
 * Features of a batch: a {@link Matrix}, an array of rows, or a flat row-major array whose length
 * is a multiple of the feature dimension.
 */
export type FeatureInput = Matrix | readonly ArrayLike<number>[] | Float32Array | Float64Array | readonly number[];

/** A last-layer classifier: logits = W h + b. */
export interface Classifier {
  /** K×d weights. */
  readonly W: Matrix;
  /** K biases. */
  readonly b: ArrayLike<number>;
}

/** How the global mean μ_G is formed. */
export type GlobalMean = "sample" | "classMeans";

/** Result of pass 1. */
export interface ClassMeans {
  readonly numClasses: number;
  readonly dim: number;
  /** Samples per class. */
  readonly counts: Float64Array;
  /** K×d class means μ_k. */
  readonly means: Matrix;
  /** Mean of all samples. */
  readonly sampleMean: Float64Array;
  /** N. */
  readonly total: number;
}

/** Flattens a feature input to row-major values and checks it against the labels and dimension. */
function flattenFeatures(features: FeatureInput, dim: number, numRows: number): ArrayLike<number> {
  let flat: ArrayLike<number>;
  if ("data" in features && "rows" in features) {
    if (features.cols !== dim) {
      throw new NcInputError(`features have ${features.cols} columns, expected dimension ${dim}`);
    }
    flat = features.data;
  } else if (features.length > 0 && typeof features[0] !== "number") {
    const rows = features as readonly ArrayLike<number>[];
    const out = new Float64Array(rows.length * dim);
    rows.forEach((row, i) => {
      if (row.length !== dim) {
        throw new NcInputError(`feature row ${i} has ${row.length} entries, expected dimension ${dim}`);
      }
      out.set(row, i * dim);
    });
    flat = out;
  } else {
    flat = features as ArrayLike<number>;
  }
  if (flat.length !== numRows * dim) {
    throw new NcInputError(`${flat.length / dim} feature rows of dimension ${dim} for ${numRows} labels`);
  }
  return flat;
}

/**
 * The most float64 values the statistics of K classes in d dimensions may hold: 2²⁷ (1 GiB). They
 * hold about 2Kd (class sums, centred means) and 3K² (the projected scatter, the Gram matrix and
 * its eigenvectors) values; the estimate is checked before anything is allocated.
 */
export const MAX_STATISTICS_VALUES = 2 ** 27;

/** Refuses K classes in d dimensions whose statistics would not fit {@link MAX_STATISTICS_VALUES}. */
function checkStatisticsSize(K: number, d: number): void {
  const values = 2 * K * d + 3 * K * K;
  if (values > MAX_STATISTICS_VALUES) {
    throw new NcInputError(
      `K = ${K} classes of dimension ${d} need about ${(8 * values / 2 ** 30).toFixed(1)} GiB for the ` +
        `statistics (2Kd + 3K² float64 values); at most ${MAX_STATISTICS_VALUES / 2 ** 27} GiB is allowed`,
    );
  }
}

export function checkLabel(label: number, numClasses: number, index: number): void {
  if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
    throw new NcInputError(`label ${label} at position ${index} is outside [0, ${numClasses})`);
  }
}

/**
 * Pass 1: class sums and counts.
 *
 * @example
 * ```ts
 * const pass1 = new ClassMeanAccumulator(2, 3);
 * pass1.accumulate([[1, 0, 0], [0, 1, 0]], [0, 1]);
 * const means = pass1.compute();
 * ```
 */
export class ClassMeanAccumulator {
  readonly #sums: Float64Array;
  readonly #counts: Float64Array;
  #seen = 0;

  constructor(readonly numClasses: number, readonly dim: number) {
    if (!(Number.isInteger(numClasses) && numClasses >= 2)) {
      throw new NcInputError(`numClasses must be an integer ≥ 2, got ${numClasses}`);
    }
    if (!(Number.isInteger(dim) && dim >= 1)) {
      throw new NcInputError(`feature dimension must be an integer ≥ 1, got ${dim}`);
    }
    checkStatisticsSize(numClasses, dim);
    this.#sums = new Float64Array(numClasses * dim);
    this.#counts = new Float64Array(numClasses);
  }

  /** Adds a batch of features (rows) with their labels. */
  accumulate(features: FeatureInput, labels: ArrayLike<number>): this {
    const { dim, numClasses } = this;
    const flat = flattenFeatures(features, dim, labels.length);
    for (let i = 0; i < labels.length; i++) {
      const y = labels[i];
      checkLabel(y, numClasses, this.#seen + i);
      this.#counts[y]++;
      const off = y * dim, src = i * dim;
      for (let j = 0; j < dim; j++) this.#sums[off + j] += flat[src + j];
    }
    this.#seen += labels.length;
    return this;
  }

  /** Class means; an empty class is an error (its mean is undefined). */
  compute(): ClassMeans {
    const { dim, numClasses } = this;
    const means = matrix(numClasses, dim);
    const sampleMean = new Float64Array(dim);
    for (let k = 0; k < numClasses; k++) {
      const n = this.#counts[k];
      if (n === 0) throw new NcInputError(`class ${k} has no samples: its mean and the NC metrics are undefined`);
      for (let j = 0; j < dim; j++) {
        const s = this.#sums[k * dim + j];
        means.data[k * dim + j] = s / n;
        sampleMean[j] += s / this.#seen;
      }
    }
    return { numClasses, dim, counts: Float64Array.from(this.#counts), means, sampleMean, total: this.#seen };
  }
}

/** Rows of a feature input of dimension `dim` (a flat array must hold whole rows). */
function rowCount(features: FeatureInput, dim: number): number {
  if ("data" in features && "rows" in features) return features.rows;
  if (features.length > 0 && typeof features[0] !== "number") return features.length;
  if (features.length % dim !== 0) {
    throw new NcInputError(`${features.length} feature values are not whole rows of dimension ${dim}`);
  }
  return features.length / dim;
}

/**
 * The mean of unlabelled features, streamed in batches: μ_OOD, the mean of out-of-distribution
 * features that NC5 compares the class means with (`ncMetrics`' `oodMean`).
 *
 * @example
 * ```ts
 * const ood = new FeatureMeanAccumulator(2);
 * ood.accumulate([[1, 0], [0, 1]]).accumulate([[2, 2]]);
 * ood.compute(); // [1, 1]
 * ```
 */
export class FeatureMeanAccumulator {
  readonly #sums: Float64Array;
  #seen = 0;

  constructor(readonly dim: number) {
    if (!(Number.isInteger(dim) && dim >= 1)) {
      throw new NcInputError(`feature dimension must be an integer ≥ 1, got ${dim}`);
    }
    this.#sums = new Float64Array(dim);
  }

  /** Samples seen so far. */
  get count(): number {
    return this.#seen;
  }

  /** Adds a batch of feature rows. */
  accumulate(features: FeatureInput): this {
    const { dim } = this;
    const rows = rowCount(features, dim);
    const flat = flattenFeatures(features, dim, rows);
    for (let i = 0; i < rows; i++) for (let j = 0; j < dim; j++) this.#sums[j] += flat[i * dim + j];
    this.#seen += rows;
    return this;
  }

  /** The mean of every row seen; with none it is undefined, an error. */
  compute(): Float64Array {
    if (this.#seen === 0) throw new NcInputError("no features to average: the mean of an empty set is undefined");
    return this.#sums.map((s) => s / this.#seen);
  }
}

/** Result of pass 2: everything {@link ncMetrics} needs. */
export interface NcStatistics {
  readonly classMeans: ClassMeans;
  /** The global mean used for centring. */
  readonly globalMean: Float64Array;
  readonly globalMeanKind: GlobalMean;
  /** M̃ (K×d): rows μ_k − μ_G. */
  readonly centredMeans: Matrix;
  /** A = M̃ Σ_W M̃ᵀ (K×K), Σ_W = (1/N) Σ_i (h_i − μ_{y_i})(h_i − μ_{y_i})ᵀ. */
  readonly projectedScatter: Matrix;
  /** Σ_{i in class k} ‖h_i − μ_k‖² for each k. */
  readonly classScatter: Float64Array;
  /** Samples whose nearest class centre is the classifier's prediction (when a classifier was given). */
  readonly nccAgreements: number | null;
}

/** Options of pass 2. */
export interface WithinClassOptions {
  /** μ_G as the mean of all samples (default, as the reference code) or as the mean of class means. */
  globalMean?: GlobalMean;
  /** When given, pass 2 also counts nearest-class-centre agreement with this classifier. */
  classifier?: Classifier;
}

/**
 * Pass 2: projected within-class scatter, class variances and NCC agreement.
 *
 * @example
 * ```ts
 * const W = fromRows([[1, 0], [0, 1]]), b = [0, 0];
 * const features = [[1, 0], [0, 1]], labels = [0, 1];
 * const pass1 = new ClassMeanAccumulator(2, 2);
 * pass1.accumulate(features, labels);
 * const pass2 = new WithinClassAccumulator(pass1.compute(), { classifier: { W, b } });
 * pass2.accumulate(features, labels);
 * const metrics = ncMetrics(pass2.compute(), { W, b });
 * metrics.nc1; // 0
 * ```
 */
export class WithinClassAccumulator {
  readonly #means: ClassMeans;
  readonly #globalMean: Float64Array;
  readonly #kind: GlobalMean;
  readonly #centred: Matrix;
  readonly #scatter: Float64Array;
  readonly #classScatter: Float64Array;
  readonly #classifier?: Classifier;
  readonly #meanSqNorms: Float64Array;
  #agreements = 0;
  #seen = 0;

  constructor(classMeans: ClassMeans, options: WithinClassOptions = {}) {
    const { numClasses: K, dim: d, means } = classMeans;
    this.#means = classMeans;
    this.#kind = options.globalMean ?? "sample";
    this.#globalMean = this.#kind === "sample" ? Float64Array.from(classMeans.sampleMean) : new Float64Array(d);
    if (this.#kind === "classMeans") {
      for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) this.#globalMean[j] += means.data[k * d + j] / K;
    }
    this.#centred = matrix(K, d);
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < d; j++) this.#centred.data[k * d + j] = means.data[k * d + j] - this.#globalMean[j];
    }
    this.#scatter = new Float64Array(K * K);
    this.#classScatter = new Float64Array(K);
    this.#meanSqNorms = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < d; j++) this.#meanSqNorms[k] += means.data[k * d + j] ** 2;
      if (!Number.isFinite(this.#meanSqNorms[k])) throw overflow(`class ${k}'s mean`);
    }
    if (options.classifier) {
      checkClassifier(options.classifier, K, d);
      this.#classifier = options.classifier;
    }
  }

  /** Adds a batch; pass the same samples as in pass 1. */
  accumulate(features: FeatureInput, labels: ArrayLike<number>): this {
    const { numClasses: K, dim: d, means } = this.#means;
    const flat = flattenFeatures(features, d, labels.length);
    const M = this.#centred.data, mu = means.data;
    const diff = new Float64Array(d), proj = new Float64Array(K);
    for (let i = 0; i < labels.length; i++) {
      const y = labels[i];
      checkLabel(y, K, this.#seen + i);
      const src = i * d;
      let sq = 0;
      for (let j = 0; j < d; j++) {
        diff[j] = flat[src + j] - mu[y * d + j];
        sq += diff[j] * diff[j];
      }
      this.#classScatter[y] += sq;
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += M[k * d + j] * diff[j];
        proj[k] = s;
      }
      for (let k = 0; k < K; k++) {
        const pk = proj[k];
        for (let l = 0; l < K; l++) this.#scatter[k * K + l] += pk * proj[l];
      }
      if (this.#classifier) this.#agreements += this.#nccAgrees(flat, src) ? 1 : 0;
    }
    this.#seen += labels.length;
    return this;
  }

  #nccAgrees(flat: ArrayLike<number>, src: number): boolean {
    const { numClasses: K, dim: d, means } = this.#means;
    const { W, b } = this.#classifier!;
    let nearest = 0, nearestDist = Infinity, predicted = 0, best = -Infinity;
    for (let k = 0; k < K; k++) {
      let dot = 0, logit = b[k];
      for (let j = 0; j < d; j++) {
        const h = flat[src + j];
        dot += h * means.data[k * d + j];
        logit += h * W.data[k * d + j];
      }
      const dist = this.#meanSqNorms[k] - 2 * dot; // ‖h − μ_k‖² − ‖h‖²
      if (dist < nearestDist) [nearest, nearestDist] = [k, dist];
      if (logit > best) [predicted, best] = [k, logit];
    }
    return nearest === predicted;
  }

  /** The statistics of pass 2. */
  compute(): NcStatistics {
    const K = this.#means.numClasses;
    if (this.#seen !== this.#means.total) {
      throw new NcInputError(
        `pass 2 saw ${this.#seen} samples but pass 1 saw ${this.#means.total}: feed both passes the same data`,
      );
    }
    if (!this.#scatter.every(Number.isFinite) || !this.#classScatter.every(Number.isFinite)) {
      throw overflow("the within-class scatter");
    }
    const projectedScatter = matrix(K, K, this.#scatter.map((x) => x / this.#seen));
    return {
      classMeans: this.#means,
      globalMean: this.#globalMean,
      globalMeanKind: this.#kind,
      centredMeans: this.#centred,
      projectedScatter,
      classScatter: Float64Array.from(this.#classScatter),
      nccAgreements: this.#classifier ? this.#agreements : null,
    };
  }
}

/**
 * Features too large for float64 statistics: squares beyond ~1.8e308 (entries beyond ~1e154) would
 * give infinite sums and null metrics. They are refused rather than rescaled, so that a value the
 * metrics report is always of the features as given.
 */
function overflow(what: string): NcInputError {
  return new NcInputError(
    `${what} overflows float64 (features too large: sums of squares beyond 1.8e308); rescale the features`,
  );
}

/** The index ("[k][j]" of a K×d matrix, "[k]" of a vector) of the first non-finite value, or null. */
export function firstNonFinite(values: ArrayLike<number>, cols = 1): string | null {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      return cols === 1 ? `[${i}] = ${values[i]}` : `[${Math.floor(i / cols)}][${i % cols}] = ${values[i]}`;
    }
  }
  return null;
}

export function checkClassifier({ W, b }: Classifier, K: number, d: number): void {
  if (W.rows !== K || W.cols !== d) {
    throw new NcInputError(`classifier W is ${W.rows}×${W.cols}, expected ${K}×${d} (classes × feature dimension)`);
  }
  if (b.length !== K) throw new NcInputError(`classifier b has ${b.length} entries, expected ${K}`);
  const bad = firstNonFinite(W.data, d) ?? firstNonFinite(b);
  if (bad !== null) {
    throw new NcInputError(`classifier ${firstNonFinite(W.data, d) ? "W" : "b"}${bad} is not finite`);
  }
}
