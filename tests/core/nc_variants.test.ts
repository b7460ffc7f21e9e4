/**
 * Every NC metric and variant against an independent, direct computation written here from the
 * formulas of its source (docs/method.md §3–4): plain arrays, d×d covariance matrices, and a
 * pseudo-inverse through an orthonormal basis of the between-class subspace (Gram–Schmidt) and a
 * Gauss–Jordan inverse, none of the project's linear-algebra helpers. Inputs are random and
 * class-unbalanced, where the sample mean and the mean of class means differ and every metric is
 * well away from 0, so a wrong scale, a missing square or a different centring fails.
 */
import { describe, expect, test } from "vitest";
import { matrix } from "../../lib/core/linalg.ts";
import type { GlobalMean } from "../../lib/core/nc_accumulators.ts";
import { type NcMetrics, ncMetricsOf } from "../../lib/core/nc_metrics.ts";
import { createRng } from "../../lib/core/random.ts";

type Vec = number[];
type Mat = number[][];

const dot = (a: Vec, b: Vec) => a.reduce((s, v, i) => s + v * b[i], 0);
const norm = (a: Vec) => Math.sqrt(dot(a, a));
const sub = (a: Vec, b: Vec) => a.map((v, i) => v - b[i]);
const scale = (a: Vec, s: number) => a.map((v) => v * s);
const mul = (A: Mat, B: Mat): Mat => A.map((row) => B[0].map((_, j) => row.reduce((s, v, k) => s + v * B[k][j], 0)));
const tr = (A: Mat) => A.reduce((s, row, i) => s + row[i], 0);
const transposed = (A: Mat): Mat => A[0].map((_, j) => A.map((row) => row[j]));
const frob = (A: Mat) => Math.sqrt(A.flat().reduce((s, v) => s + v * v, 0));
const mean = (xs: Vec) => xs.reduce((s, v) => s + v, 0) / xs.length;
const stdBessel = (xs: Vec) => Math.sqrt(xs.reduce((s, v) => s + (v - mean(xs)) ** 2, 0) / (xs.length - 1));
const outer = (a: Vec, b: Vec): Mat => a.map((x) => b.map((y) => x * y));
const addInto = (A: Mat, B: Mat, s: number) => A.forEach((row, i) => row.forEach((_, j) => (row[j] += s * B[i][j])));
const zeros = (r: number, c: number): Mat => Array.from({ length: r }, () => new Array(c).fill(0));

/** ‖A/‖A‖_F − (I − 11ᵀ/K)/√(K−1)‖_F for a K×K matrix A. */
function etf(A: Mat): number {
  const K = A.length, f = frob(A);
  let s = 0;
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) s += (A[i][j] / f - ((i === j ? 1 : 0) - 1 / K) / Math.sqrt(K - 1)) ** 2;
  }
  return Math.sqrt(s);
}

/** Inverse of a small invertible matrix by Gauss–Jordan elimination with partial pivoting. */
function inverse(A: Mat): Mat {
  const n = A.length;
  const M = A.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    const pivot = M[c][c];
    M[c] = M[c].map((v) => v / pivot);
    for (let r = 0; r < n; r++) if (r !== c) M[r] = M[r].map((v, j) => v - M[r][c] * M[c][j]);
  }
  return M.map((row) => row.slice(n));
}

/**
 * Moore–Penrose pseudo-inverse of Σ_B = (1/K) Σ_k c_k c_kᵀ (d×d): with U an orthonormal basis of
 * span{c_k} (Gram–Schmidt, twice for accuracy), Σ_B† = U (UᵀΣ_B U)⁻¹ Uᵀ.
 */
function pinvBetween(centred: Mat, sigmaB: Mat): Mat {
  const basis: Vec[] = [];
  const biggest = Math.max(...centred.map(norm));
  for (const c of centred) {
    let v = [...c];
    for (let pass = 0; pass < 2; pass++) for (const u of basis) v = sub(v, scale(u, dot(u, v)));
    if (norm(v) > 1e-9 * biggest) basis.push(scale(v, 1 / norm(v)));
  }
  const U = transposed(basis); // d×r
  const inner = inverse(mul(mul(basis, sigmaB), U)); // r×r
  return mul(mul(U, inner), basis);
}

/** Population variance (÷ n) and sample variance (÷ (n − 1)). */
const variance = (xs: Vec, ddof: number) => xs.reduce((s, v) => s + (v - mean(xs)) ** 2, 0) / (xs.length - ddof);

/** Every metric written out from its source's definition. */
function direct(rows: Mat, labels: number[], W: Mat, b: Vec, globalMean: GlobalMean, ood: Vec) {
  const K = W.length, d = W[0].length, N = rows.length;
  const counts = new Array(K).fill(0);
  labels.forEach((y) => counts[y]++);
  const means: Mat = zeros(K, d);
  rows.forEach((h, i) => h.forEach((v, j) => (means[labels[i]][j] += v / counts[labels[i]])));
  const sampleMean = zeros(1, d)[0];
  rows.forEach((h) => h.forEach((v, j) => (sampleMean[j] += v / N)));
  const meanOfMeans = zeros(1, d)[0];
  means.forEach((m) => m.forEach((v, j) => (meanOfMeans[j] += v / K)));
  const muG = globalMean === "sample" ? sampleMean : meanOfMeans;

  const sigmaW = zeros(d, d);
  rows.forEach((h, i) => addInto(sigmaW, outer(sub(h, means[labels[i]]), sub(h, means[labels[i]])), 1 / N));
  const between = (mu: Vec) => {
    const centred = means.map((m) => sub(m, mu));
    const sigmaB = zeros(d, d);
    centred.forEach((c) => addInto(sigmaB, outer(c, c), 1 / K));
    return { centred, sigmaB };
  };
  const g = between(muG), papyan = between(meanOfMeans);
  const H = transposed(g.centred); // d×K, columns μ_k − μ_G
  const wBar = W[0].map((_, j) => mean(W.map((w) => w[j])));
  const Wc = W.map((w) => sub(w, wBar));
  const WT = transposed(W);
  const cosPairs = (vs: Mat) =>
    vs.flatMap((v, k) => vs.filter((_, l) => l !== k).map((u) => dot(v, u) / (norm(v) * norm(u))));
  const coherence = (cos: Vec) => cos.reduce((s, c) => s + Math.abs(c + 1 / (K - 1)), 0) / (K * (K - 1));
  const cosMeans = cosPairs(papyan.centred), cosW = cosPairs(W);
  const normsMeans = papyan.centred.map(norm), normsW = W.map(norm);
  const classVariance = counts.map((n, k) =>
    rows.reduce((s, h, i) => (labels[i] === k ? s + dot(sub(h, means[k]), sub(h, means[k])) : s), 0) / n
  );
  let cdnv = 0;
  for (let k = 0; k < K; k++) {
    for (let l = k + 1; l < K; l++) {
      cdnv += (classVariance[k] + classVariance[l]) / (2 * dot(sub(means[k], means[l]), sub(means[k], means[l])));
    }
  }
  // GNC2: distances between the centred class means on the unit sphere, over pairs k < l.
  const unit = papyan.centred.map((c) => scale(c, 1 / norm(c)));
  const pairDistances = unit.flatMap((u, k) => unit.slice(k + 1).map((v) => norm(sub(u, v))));
  const mBar = transposed(papyan.centred); // d×K
  const selfDuality = WT.reduce(
    (s, row, j) => s + row.reduce((t, v, k) => t + (v / frob(W) - mBar[j][k] / frob(mBar)) ** 2, 0),
    0,
  );
  const logitsAt = (h: Vec) => W.map((w, k) => dot(w, h) + b[k]);
  const argmax = (xs: Vec) => xs.indexOf(Math.max(...xs));
  const argmin = (xs: Vec) => xs.indexOf(Math.min(...xs));
  const mismatches = rows.filter((h) => argmin(means.map((m) => norm(sub(h, m)))) !== argmax(logitsAt(h))).length;
  const meanLogitNorm = (sign: number) => norm(W.map((w, k) => dot(w, muG) + sign * b[k]));

  const expected: Omit<NcMetrics, "betweenRank"> = {
    nc1: tr(mul(sigmaW, pinvBetween(g.centred, g.sigmaB))) / K,
    nc2: etf(mul(Wc, transposed(Wc))),
    nc3: etf(mul(Wc, H)),
    nc4: meanLogitNorm(1),
    nc1Trace: tr(mul(sigmaW, pinvBetween(papyan.centred, papyan.sigmaB))),
    variabilityRatio: tr(sigmaW) / tr(g.sigmaB),
    cdnv: cdnv / ((K * (K - 1)) / 2),
    nc2Means: etf(mul(papyan.centred, mBar)),
    nc2Uncentred: etf(mul(W, WT)),
    equinormMeans: stdBessel(normsMeans) / mean(normsMeans),
    equinormClassifier: stdBessel(normsW) / mean(normsW),
    equiangularityMeans: stdBessel(cosMeans),
    maxAngleMeans: coherence(cosMeans),
    maxAngleClassifier: coherence(cosW),
    nc3Uncentred: etf(mul(W, mBar)),
    nc3SelfDuality: selfDuality,
    nc4Minus: meanLogitNorm(-1),
    nccMismatch: mismatches / N,
    gnc2Log: variance(pairDistances.map((r) => -Math.log(r)), 0),
    gnc2Distance: variance(pairDistances, 0),
    unc3: variance(W.map((w, k) => dot(w, papyan.centred[k])), 1),
    nc5: mean(means.map((m) => Math.abs(dot(m, ood)) / (norm(m) * norm(ood)))),
  };
  return expected;
}

function sample(K: number, d: number, counts: number[], seed: number) {
  const rng = createRng(seed);
  const centres = Array.from({ length: K }, () => Array.from({ length: d }, () => 2 * rng.normal()));
  const rows: Mat = [], labels: number[] = [];
  counts.forEach((count, k) => {
    for (let i = 0; i < count; i++) {
      rows.push(centres[k].map((c) => c + 0.8 * rng.normal()));
      labels.push(k);
    }
  });
  const W = Array.from({ length: K }, () => Array.from({ length: d }, () => rng.normal()));
  const b = Array.from({ length: K }, () => rng.normal());
  const ood = Array.from({ length: d }, () => rng.normal());
  return { rows, labels, W, b, ood };
}

const CASES = [
  ["K = 5, d = 8, 2 to 9 samples a class", 5, 8, [3, 9, 4, 6, 2], 101],
  ["K = 4, d = K − 1 = 3, 1 to 12 samples a class", 4, 3, [12, 1, 5, 7], 202],
  ["K = 6, d = 20, 4 to 30 samples a class", 6, 20, [30, 4, 11, 8, 19, 5], 303],
] as const;

describe.each(["sample", "classMeans"] as const)("with the %s global mean", (globalMean) => {
  test.each(CASES)("every metric equals its direct computation: %s", (_, K, d, counts, seed) => {
    const { rows, labels, W, b, ood } = sample(K, d, [...counts], seed);
    const m = ncMetricsOf(rows, labels, { W: matrix(K, d, W.flat()), b }, { globalMean, oodMean: ood });
    const expected = direct(rows, labels, W, b, globalMean, ood);
    for (const [key, value] of Object.entries(expected)) {
      // Both routes are exact in float64 and differ by round-off only: 1e-9 relative, 1e-12 absolute.
      expect(Math.abs(m[key as keyof typeof expected]! - value!), key).toBeLessThanOrEqual(
        1e-9 * Math.abs(value!) + 1e-12,
      );
      // Away from collapse, so that a wrong factor shows: every value is far from 0.
      if (key !== "nccMismatch") expect(Math.abs(value!), key).toBeGreaterThan(1e-3);
    }
    expect(Object.keys(m).sort()).toEqual([...Object.keys(expected), "betweenRank"].sort());
  });
});

test("Papyan et al.'s and rhubarbwu's variants centre on the mean of class means whatever the globalMean option", () => {
  const { rows, labels, W, b } = sample(5, 8, [3, 9, 4, 6, 2], 101);
  const classifier = { W: matrix(5, 8, W.flat()), b };
  const bySample = ncMetricsOf(rows, labels, classifier, { globalMean: "sample" });
  const byMeans = ncMetricsOf(rows, labels, classifier, { globalMean: "classMeans" });
  for (
    const key of [
      "nc1Trace",
      "equinormMeans",
      "equiangularityMeans",
      "maxAngleMeans",
      "nc3SelfDuality",
      "nc2Means",
      "nc3Uncentred",
      "gnc2Log",
      "gnc2Distance",
      "unc3",
    ] as const
  ) {
    expect(bySample[key], key).toBeCloseTo(byMeans[key], 10);
  }
  // The reference code's NC1 depends on it on unbalanced classes, and nc1Trace is K·nc1 only with μ̄.
  expect(Math.abs(bySample.nc1 - byMeans.nc1)).toBeGreaterThan(1e-3);
  expect(byMeans.nc1Trace).toBeCloseTo(5 * byMeans.nc1, 10);
});
