import { describe, expect, test } from "vitest";
import {
  addScaled,
  DEFAULT_RANK_TOLERANCE,
  etfDistance,
  fromRows,
  identity,
  matmul,
  matrix,
  pseudoInverseSymmetric,
  symmetricEigen,
  transpose,
} from "../../lib/core/linalg.ts";
import { createRng } from "../../lib/core/random.ts";

function randomMatrix(rows: number, cols: number, seed: number) {
  const rng = createRng(seed);
  return matrix(rows, cols, Array.from({ length: rows * cols }, () => rng.normal()));
}

function maxAbsDiff(a: { data: Float64Array }, b: { data: Float64Array }) {
  return a.data.reduce((m, v, i) => Math.max(m, Math.abs(v - b.data[i])), 0);
}

function centring(K: number) {
  return addScaled(identity(K), matrix(K, K, new Array(K * K).fill(1)), -1 / K);
}

describe("symmetricEigen", () => {
  test("reconstructs a random symmetric matrix with orthonormal eigenvectors", () => {
    const b = randomMatrix(12, 7, 1);
    const a = matmul(b, transpose(b)); // 12×12, rank 7
    const { values, vectors } = symmetricEigen(a);
    const lambda = matrix(12, 12);
    values.forEach((v, i) => (lambda.data[i * 12 + i] = v));
    const rebuilt = matmul(matmul(vectors, lambda), transpose(vectors));
    // Jacobi is backward stable: errors are a few ulps of ‖A‖ (‖A‖ ≈ 100 here).
    expect(maxAbsDiff(rebuilt, a)).toBeLessThan(1e-11);
    expect(maxAbsDiff(matmul(transpose(vectors), vectors), identity(12))).toBeLessThan(1e-12);
    expect([...values].every((v, i) => i === 0 || v <= values[i - 1])).toBe(true);
    expect(Math.abs(values[7])).toBeLessThan(1e-12);
  });

  test("gives the eigenvalues of a 2×2 matrix in closed form", () => {
    expect([...symmetricEigen(fromRows([[2, 1], [1, 2]])).values]).toEqual([3, 1].map((v) => expect.closeTo(v, 14)));
  });
});

describe("pseudoInverseSymmetric", () => {
  test("satisfies the Penrose conditions on a rank-deficient matrix", () => {
    const b = randomMatrix(9, 4, 2);
    const a = matmul(b, transpose(b));
    const { inverse, rank } = pseudoInverseSymmetric(a);
    expect(rank).toBe(4);
    expect(maxAbsDiff(matmul(matmul(a, inverse), a), a)).toBeLessThan(1e-10);
    expect(maxAbsDiff(matmul(matmul(inverse, a), inverse), inverse)).toBeLessThan(1e-10);
  });

  test("keeps eigenvalues above the relative cut-off and drops those at or below it", () => {
    const a = fromRows([[1, 0, 0], [0, 1e-9, 0], [0, 0, 1e-12]]);
    expect(DEFAULT_RANK_TOLERANCE).toBe(1e-10);
    expect(pseudoInverseSymmetric(a).rank).toBe(2);
    expect(pseudoInverseSymmetric(a, { tolerance: 1e-8 }).rank).toBe(1);
    expect(pseudoInverseSymmetric(a).inverse.data[4]).toBeCloseTo(1e9, 0);
  });

  test("raises the inverse to a power", () => {
    const { inverse } = pseudoInverseSymmetric(fromRows([[4, 0], [0, 0]]), { power: 2 });
    expect([...inverse.data]).toEqual([1 / 16, 0, 0, 0]);
  });
});

describe("etfDistance", () => {
  test("is 0 for any positive multiple of the simplex ETF Gram matrix", () => {
    expect(etfDistance(centring(5))).toBeLessThan(1e-15);
    const scaled = centring(5);
    scaled.data.forEach((v, i) => (scaled.data[i] = 7 * v));
    expect(etfDistance(scaled)).toBeLessThan(1e-15);
  });

  test("is positive for the identity: ‖I/√K − C/√(K−1)‖_F in closed form", () => {
    const K = 4;
    // ⟨I/√K, C/√(K−1)⟩ = (K−1)/√(K(K−1)), both unit norm.
    const expected = Math.sqrt(2 - 2 * (K - 1) / Math.sqrt(K * (K - 1)));
    expect(etfDistance(identity(K))).toBeCloseTo(expected, 14);
  });
});
