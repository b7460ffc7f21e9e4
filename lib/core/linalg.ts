/**
 * Small dense linear algebra in float64, row-major.
 *
 * tfjs has no SVD or eigensolver, and every quantity the NC metrics need reduces to K×K work
 * (K = number of classes), so a cyclic Jacobi eigensolver on symmetric matrices is all the
 * decomposition this project needs. Matrices are `Float64Array`s with explicit shapes.
 *
 * @module
 */

/** A dense row-major matrix: `data[i * cols + j]` is entry (i, j). */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/**
 * Creates a matrix, zero-filled or from row-major data.
 *
 * @example
 * ```ts
 * const eye = matrix(2, 2, [1, 0, 0, 1]);
 * ```
 */
export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  const out = new Float64Array(rows * cols);
  if (data !== undefined) {
    if (data.length !== rows * cols) {
      throw new RangeError(`matrix: expected ${rows * cols} entries for ${rows}×${cols}, got ${data.length}`);
    }
    out.set(data);
  }
  return { rows, cols, data: out };
}

/** Builds a matrix from an array of equal-length rows. */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows.length === 0 ? 0 : rows[0].length;
  const m = matrix(rows.length, cols);
  rows.forEach((row, i) => {
    if (row.length !== cols) throw new RangeError(`fromRows: row ${i} has ${row.length} entries, expected ${cols}`);
    m.data.set(row, i * cols);
  });
  return m;
}

/** The n×n identity matrix. */
export function identity(n: number): Matrix {
  const m = matrix(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** Aᵀ. */
export function transpose(a: Matrix): Matrix {
  const t = matrix(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j];
  }
  return t;
}

/** A·B. */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new RangeError(`matmul: ${a.rows}×${a.cols} times ${b.rows}×${b.cols}`);
  const c = matrix(a.rows, b.cols);
  const { data: A } = a, { data: B } = b, { data: C } = c;
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const aik = A[i * a.cols + k];
      if (aik === 0) continue;
      const bRow = k * b.cols, cRow = i * b.cols;
      for (let j = 0; j < b.cols; j++) C[cRow + j] += aik * B[bRow + j];
    }
  }
  return c;
}

/** A·Aᵀ (the Gram matrix of the rows of A). */
export function gramRows(a: Matrix): Matrix {
  const g = matrix(a.rows, a.rows);
  const { data: A, cols } = a;
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < cols; k++) s += A[i * cols + k] * A[j * cols + k];
      g.data[i * a.rows + j] = s;
      g.data[j * a.rows + i] = s;
    }
  }
  return g;
}

/** Entry-wise A + s·B (a new matrix). */
export function addScaled(a: Matrix, b: Matrix, s = 1): Matrix {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new RangeError("addScaled: shape mismatch");
  const c = matrix(a.rows, a.cols);
  for (let i = 0; i < c.data.length; i++) c.data[i] = a.data[i] + s * b.data[i];
  return c;
}

/** Frobenius norm ‖A‖_F. */
function frobeniusNorm(a: Matrix): number {
  let s = 0;
  for (const x of a.data) s += x * x;
  return Math.sqrt(s);
}

/** tr(A·B) without forming the product. */
export function traceOfProduct(a: Matrix, b: Matrix): number {
  if (a.cols !== b.rows || a.rows !== b.cols) throw new RangeError("traceOfProduct: shape mismatch");
  let s = 0;
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) s += a.data[i * a.cols + k] * b.data[k * b.cols + i];
  }
  return s;
}

/** Eigen-decomposition of a symmetric matrix: A = V·diag(values)·Vᵀ, values sorted descending. */
export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  readonly values: Float64Array;
  /** Eigenvectors as the columns of an n×n matrix, in the order of `values`. */
  readonly vectors: Matrix;
}

/**
 * Eigenvalues and eigenvectors of a symmetric matrix by the cyclic Jacobi method.
 *
 * Jacobi is accurate to working precision for symmetric matrices (relative accuracy on the small
 * eigenvalues of positive semi-definite ones too) and simple enough to trust; its O(n³) sweeps are
 * cheap for the K×K matrices of the NC metrics (K ≤ a few hundred). Only the lower triangle's
 * symmetry is assumed, not checked beyond a cheap tolerance.
 *
 * @example
 * ```ts
 * const { values } = symmetricEigen(fromRows([[2, 1], [1, 2]])); // values: [3, 1]
 * ```
 */
export function symmetricEigen(a: Matrix, options: { maxSweeps?: number } = {}): SymmetricEigen {
  const n = a.rows;
  if (a.cols !== n) throw new RangeError(`symmetricEigen: matrix is ${a.rows}×${a.cols}, not square`);
  const maxSweeps = options.maxSweeps ?? 100;
  const A = Float64Array.from(a.data);
  const V = identity(n).data;
  let scaleSq = 0;
  for (const x of A) scaleSq += x * x;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q] * A[p * n + q];
    if (off <= 1e-32 * scaleSq || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (apq === 0) continue;
        const app = A[p * n + p], aqq = A[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p], akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k], aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p], vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[j * n + j] - A[i * n + i]);
  const values = Float64Array.from(order, (i) => A[i * n + i]);
  const vectors = matrix(n, n);
  for (let k = 0; k < n; k++) {
    for (let col = 0; col < n; col++) vectors.data[k * n + col] = V[k * n + order[col]];
  }
  return { values, vectors };
}

/**
 * Default relative cut-off of {@link pseudoInverseSymmetric}: eigenvalues at or below
 * `1e-10 · λ_max` count as zero. For the Gram matrices of the NC metrics this keeps every
 * between-class direction whose singular value is above 1e-5 of the largest one and drops the
 * exact null directions, whose float64 round-off sits near 1e-16 · λ_max.
 */
export const DEFAULT_RANK_TOLERANCE = 1e-10;

/** A pseudo-inverse together with the rank it kept. */
export interface PseudoInverse {
  readonly inverse: Matrix;
  readonly rank: number;
}

/**
 * Moore–Penrose pseudo-inverse of a symmetric positive semi-definite matrix,
 * A† = Σ_{λ_i > tol} λ_i⁻¹ v_i v_iᵀ, optionally raised to a power (A†)^power.
 *
 * Eigenvalues at or below max(`tolerance`·λ_max, `absoluteFloor`) count as zero (see
 * {@link DEFAULT_RANK_TOLERANCE}); the returned `rank` is the number of eigenvalues kept.
 *
 * @example
 * ```ts
 * const { inverse, rank } = pseudoInverseSymmetric(fromRows([[1, 1], [1, 1]])); // rank 1, entries 1/4
 * ```
 */
export function pseudoInverseSymmetric(
  a: Matrix,
  options: { tolerance?: number; absoluteFloor?: number; power?: number } = {},
): PseudoInverse {
  const { tolerance = DEFAULT_RANK_TOLERANCE, absoluteFloor = 0, power = 1 } = options;
  const n = a.rows;
  const { values, vectors } = symmetricEigen(a);
  const cutoff = Math.max(tolerance * Math.max(values[0] ?? 0, 0), absoluteFloor);
  const inverse = matrix(n, n);
  let rank = 0;
  for (let k = 0; k < n; k++) {
    const lambda = values[k];
    if (!(lambda > cutoff) || lambda <= 0) continue;
    rank++;
    const w = Math.pow(lambda, -power);
    for (let i = 0; i < n; i++) {
      const vi = vectors.data[i * n + k] * w;
      for (let j = 0; j < n; j++) inverse.data[i * n + j] += vi * vectors.data[j * n + k];
    }
  }
  return { inverse, rank };
}

/**
 * Distance of a K×K matrix to the simplex-ETF Gram matrix after Frobenius normalisation:
 * ‖A/‖A‖_F − (I_K − 11ᵀ/K)/√(K−1)‖_F.
 *
 * This is the form of the reference code's `ETF_metric` and `WH_relation_metric`
 * (docs/method.md §3). It is 0 exactly when A is a positive multiple of the centring matrix, and
 * NaN when A = 0 (no direction to compare).
 *
 * @example
 * ```ts
 * const K = 4;
 * const c = addScaled(identity(K), matrix(K, K, new Array(K * K).fill(1)), -1 / K);
 * etfDistance(c); // 0
 * ```
 */
export function etfDistance(a: Matrix): number {
  const k = a.rows;
  if (a.cols !== k) throw new RangeError(`etfDistance: matrix is ${a.rows}×${a.cols}, not square`);
  const norm = frobeniusNorm(a);
  const etfScale = 1 / Math.sqrt(k - 1);
  let s = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const etf = ((i === j ? 1 : 0) - 1 / k) * etfScale;
      const diff = a.data[i * k + j] / norm - etf;
      s += diff * diff;
    }
  }
  return Math.sqrt(s);
}
