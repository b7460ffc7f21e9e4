import { describe, expect, test } from "vitest";
import {
  addScaled,
  etfDistance,
  fromRows,
  gramRows,
  identity,
  matmul,
  type Matrix,
  matrix,
  pseudoInverseSymmetric,
  traceOfProduct,
  transpose,
} from "../../lib/core/linalg.ts";
import {
  ClassMeanAccumulator,
  FeatureMeanAccumulator,
  NcInputError,
  WithinClassAccumulator,
} from "../../lib/core/nc_accumulators.ts";
import { featureCollapse, ncMetrics, ncMetricsOf, ncMetricsOfBatches } from "../../lib/core/nc_metrics.ts";
import { createRng } from "../../lib/core/random.ts";

/** Random features around random class centres; labels class-balanced unless `counts` is given. */
function sample(K: number, d: number, counts: number[], seed: number, spread = 0.5) {
  const rng = createRng(seed);
  const centres = Array.from({ length: K }, () => Array.from({ length: d }, () => 2 * rng.normal()));
  const rows: number[][] = [], labels: number[] = [];
  counts.forEach((count, k) => {
    for (let i = 0; i < count; i++) {
      rows.push(centres[k].map((c) => c + spread * rng.normal()));
      labels.push(k);
    }
  });
  const W = matrix(K, d, Array.from({ length: K * d }, () => rng.normal()));
  const b = Array.from({ length: K }, () => rng.normal());
  return { rows, labels, W, b };
}

/** The paper's metrics computed the direct way: d×d covariances and a d×d pseudo-inverse. */
function direct(rows: number[][], labels: number[], W: Matrix, b: number[]) {
  const K = W.rows, d = W.cols, N = rows.length;
  const means = Array.from({ length: K }, () => new Array(d).fill(0));
  const counts = new Array(K).fill(0);
  rows.forEach((r, i) => {
    counts[labels[i]]++;
    r.forEach((v, j) => (means[labels[i]][j] += v));
  });
  means.forEach((m, k) => m.forEach((_, j) => (m[j] /= counts[k])));
  const muG = new Array(d).fill(0);
  rows.forEach((r) => r.forEach((v, j) => (muG[j] += v / N)));
  const sw = matrix(d, d), sb = matrix(d, d);
  rows.forEach((r, i) => {
    const diff = r.map((v, j) => v - means[labels[i]][j]);
    for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) sw.data[p * d + q] += diff[p] * diff[q] / N;
  });
  const centred = matrix(K, d);
  means.forEach((m, k) => m.forEach((v, j) => (centred.data[k * d + j] = v - muG[j])));
  for (let k = 0; k < K; k++) {
    for (let p = 0; p < d; p++) {
      for (let q = 0; q < d; q++) sb.data[p * d + q] += centred.data[k * d + p] * centred.data[k * d + q] / K;
    }
  }
  const nc1 = traceOfProduct(sw, pseudoInverseSymmetric(sb).inverse) / K;
  const wc = addScaled(W, matmul(matrix(K, K, new Array(K * K).fill(1 / K)), W), -1);
  const meanLogit = W.data.length
    ? Array.from({ length: K }, (_, k) => b[k] + muG.reduce((s, v, j) => s + v * W.data[k * d + j], 0))
    : [];
  return {
    nc1,
    nc2: etfDistance(gramRows(wc)),
    nc3: etfDistance(matmul(wc, transpose(centred))),
    nc4: Math.hypot(...meanLogit),
  };
}

/** W an exact simplex ETF in d ≥ K dimensions, features exactly at c·w_k. */
function simplexEtf(K: number, d: number, n: number, c = 0.7) {
  const W = matrix(K, d);
  for (let k = 0; k < K; k++) for (let j = 0; j < K; j++) W.data[k * d + j] = (k === j ? 1 : 0) - 1 / K;
  const rows: number[][] = [], labels: number[] = [];
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < n; i++) {
      rows.push(Array.from(W.data.subarray(k * d, (k + 1) * d), (v) => c * v));
      labels.push(k);
    }
  }
  return { W, rows, labels };
}

describe("ncMetrics against a direct d×d computation", () => {
  test.each(
    [
      ["balanced, d > K", 4, 9, [6, 6, 6, 6]],
      ["unbalanced classes", 5, 8, [3, 9, 4, 6, 2]],
      ["a class with a single sample", 4, 6, [5, 1, 4, 3]],
      ["d < K − 1", 7, 3, [4, 5, 4, 6, 3, 5, 4]],
    ] as const,
  )("%s", (_, K, d, counts) => {
    const { rows, labels, W, b } = sample(K, d, [...counts], K * 100 + d);
    const m = ncMetricsOf(rows, labels, { W, b });
    const ref = direct(rows, labels, W, b);
    // Both routes are exact in float64; they differ only by round-off of ~1e-12 relative.
    expect(m.nc1).toBeCloseTo(ref.nc1, 10);
    expect(m.nc2).toBeCloseTo(ref.nc2, 12);
    expect(m.nc3).toBeCloseTo(ref.nc3, 12);
    expect(m.nc4).toBeCloseTo(ref.nc4, 12);
    expect(m.betweenRank).toBe(Math.min(K - 1, d));
  });
});

describe("ncMetrics invariants", () => {
  test("an exact simplex ETF scores NC1 = NC2 = NC3 = 0 and the class-mean variants 0", () => {
    const { W, rows, labels } = simplexEtf(6, 8, 4);
    // The ETF spans the first K = 6 coordinates: an OOD mean along the 8th is orthogonal to it.
    const oodMean = [0, 0, 0, 0, 0, 0, 0, 3];
    const m = ncMetricsOf(rows, labels, { W, b: new Array(6).fill(0) }, { oodMean });
    for (
      const key of [
        "nc1",
        "nc2",
        "nc3",
        "nc4",
        "nc2Means",
        "nc2Uncentred",
        "equinormMeans",
        "equinormClassifier",
        "equiangularityMeans",
        "maxAngleMeans",
        "maxAngleClassifier",
        "nc3Uncentred",
        "nc3SelfDuality",
        "variabilityRatio",
        "cdnv",
        "nccMismatch",
        "gnc2Log",
        "gnc2Distance",
        "unc3",
        "nc5",
      ] as const
    ) {
      expect(m[key], key).toBeLessThan(1e-12);
    }
    expect(m.betweenRank).toBe(5);
  });

  test("GNC2, UNC3 and NC5 move away from 0 as the geometry leaves the ETF", () => {
    const { W, rows, labels } = simplexEtf(6, 8, 4);
    // Stretch class 0's mean: its centred mean changes length and angle to the others.
    const stretched = rows.map((r, i) => (labels[i] === 0 ? r.map((v) => 2 * v) : r));
    const m = ncMetricsOf(stretched, labels, { W, b: new Array(6).fill(0) }, { oodMean: [1, 0, 0, 0, 0, 0, 0, 1] });
    expect(m.gnc2Log).toBeGreaterThan(1e-4);
    expect(m.gnc2Distance).toBeGreaterThan(1e-4);
    expect(m.unc3).toBeGreaterThan(1e-4);
    expect(m.nc5).toBeGreaterThan(0.1);
  });

  test("NC5 is null without an OOD mean, and an OOD mean of the wrong dimension is an error", () => {
    const { W, rows, labels } = simplexEtf(4, 5, 2);
    const b = new Array(4).fill(0);
    expect(ncMetricsOf(rows, labels, { W, b }).nc5).toBeNull();
    expect(() => ncMetricsOf(rows, labels, { W, b }, { oodMean: [1, 2] })).toThrow(
      /the OOD mean has 2 entries, the class means dimension 5/,
    );
  });

  test("W = I scores NC2 = 0 because NC2 centres W (docs/method.md §3)", () => {
    const K = 5;
    const { rows, labels } = sample(K, K, [4, 4, 4, 4, 4], 9);
    const m = ncMetricsOf(rows, labels, { W: identity(K), b: new Array(K).fill(0) });
    expect(m.nc2).toBeLessThan(1e-14);
  });

  test("collapsed features score NC1 = 0 whatever the class means", () => {
    const { labels, W, b } = sample(4, 6, [3, 3, 3, 3], 4);
    const { rows: centres } = sample(4, 6, [1, 1, 1, 1], 5, 0);
    const rows = labels.map((k) => centres[k]);
    const m = ncMetricsOf(rows, labels, { W, b });
    // Exactly 0 up to the round-off of (3a)/3 − a, squared: ~1e-32 relative.
    expect(m.nc1).toBeLessThan(1e-25);
    expect(m.cdnv).toBeLessThan(1e-25);
  });

  test("NC1 is invariant to an affine change of features", () => {
    const { rows, labels, W, b } = sample(4, 5, [5, 6, 7, 5], 12);
    const base = ncMetricsOf(rows, labels, { W, b }).nc1;
    const moved = rows.map((r) => r.map((v, j) => 3 * v + j));
    expect(ncMetricsOf(moved, labels, { W, b }).nc1).toBeCloseTo(base, 10);
  });

  test("coinciding class means give NC1 = 0 with betweenRank 0 (Moore–Penrose)", () => {
    const rng = createRng(8);
    const rows = Array.from({ length: 6 }, () => [rng.normal(), rng.normal()]);
    rows.push(...rows.map((r) => r.map((v) => -v)));
    const labels = [0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1];
    // Class 0 holds rows 0–2 and their negations, class 1 rows 3–5 and theirs: both means are 0.
    const m = ncMetricsOf(rows, labels, { W: identity(2), b: [0, 0] });
    expect(m.betweenRank).toBe(0);
    expect(m.nc1).toBe(0);
  });
});

describe("featureCollapse (a hidden layer's NC1 and NC2, no classifier)", () => {
  const statsOf = (rows: number[][], labels: number[], K: number, d: number) => {
    const pass1 = new ClassMeanAccumulator(K, d);
    pass1.accumulate(rows, labels);
    const pass2 = new WithinClassAccumulator(pass1.compute());
    pass2.accumulate(rows, labels);
    return pass2.compute();
  };

  test("equals ncMetrics's NC1, NC2 of the means and CDNV, and the direct d×d NC1", () => {
    const K = 5, d = 7;
    const { rows, labels, W, b } = sample(K, d, [4, 6, 5, 3, 7], 31);
    const m = ncMetricsOf(rows, labels, { W, b });
    const f = featureCollapse(statsOf(rows, labels, K, d));
    expect(f.nc1).toBe(m.nc1);
    expect(f.nc2Means).toBe(m.nc2Means);
    expect(f.cdnv).toBe(m.cdnv);
    expect(f.nc1).toBeCloseTo(direct(rows, labels, W, b).nc1, 10);
  });

  test("features on an exact simplex ETF score NC1 = NC2 = 0; scattered ones do not", () => {
    const { rows, labels } = simplexEtf(6, 8, 4);
    const f = featureCollapse(statsOf(rows, labels, 6, 8));
    expect(f.nc1).toBeLessThan(1e-12);
    expect(f.nc2Means).toBeLessThan(1e-12);
    const { rows: noisy, labels: y } = sample(6, 8, [4, 4, 4, 4, 4, 4], 2);
    const g = featureCollapse(statsOf(noisy, y, 6, 8));
    expect(g.nc1).toBeGreaterThan(0.01);
    expect(g.nc2Means).toBeGreaterThan(0.01);
  });
});

describe("streaming accumulation", () => {
  test("batches give the same metrics as one batch", () => {
    const { rows, labels, W, b } = sample(3, 4, [7, 8, 9], 21);
    const whole = ncMetricsOf(rows, labels, { W, b });
    const bounds = [[0, 5], [5, 11], [11, 24]];
    const batches = bounds.map(([start, end]) => ({
      features: new Float32Array(rows.slice(start, end).flat()),
      labels: labels.slice(start, end),
    }));
    const streamed = ncMetricsOfBatches(() => batches, { numClasses: 3, dim: 4, classifier: { W, b } });
    // Float32 copies of the features: agreement to float32 precision.
    expect(streamed.nc1).toBeCloseTo(whole.nc1, 5);
    expect(streamed.nc3).toBeCloseTo(whole.nc3, 5);
    expect(streamed.nccMismatch).toBe(whole.nccMismatch);
  });

  test("FeatureMeanAccumulator streams the mean of unlabelled rows, from every feature input", () => {
    const rows = [[1, 2], [3, 4], [5, 9]];
    const ood = new FeatureMeanAccumulator(2)
      .accumulate(fromRows(rows.slice(0, 1)))
      .accumulate(rows.slice(1, 2))
      .accumulate(new Float32Array(rows[2]));
    expect(ood.count).toBe(3);
    expect([...ood.compute()]).toEqual([3, 5]);
    expect(() => new FeatureMeanAccumulator(2).compute()).toThrow(/no features to average/);
    expect(() => new FeatureMeanAccumulator(2).accumulate([1, 2, 3])).toThrow(/3 feature values are not whole rows/);
  });

  test("the class-means global mean differs from the sample mean only for unbalanced classes", () => {
    const unbalanced = sample(3, 4, [2, 9, 5], 31);
    const balanced = sample(3, 4, [5, 5, 5], 32);
    const nc4 = (s: typeof balanced, globalMean: "sample" | "classMeans") =>
      ncMetricsOf(s.rows, s.labels, { W: s.W, b: s.b }, { globalMean }).nc4;
    expect(nc4(balanced, "classMeans")).toBeCloseTo(nc4(balanced, "sample"), 12);
    expect(Math.abs(nc4(unbalanced, "classMeans") - nc4(unbalanced, "sample"))).toBeGreaterThan(1e-3);
  });

  test("ncMetrics rejects a pass 2 that saw different data", () => {
    const { rows, labels, W, b } = sample(2, 2, [3, 3], 41);
    const means = new ClassMeanAccumulator(2, 2).accumulate(rows, labels).compute();
    const pass2 = new WithinClassAccumulator(means).accumulate(rows.slice(1), labels.slice(1));
    expect(() => ncMetrics(pass2.compute(), { W, b })).toThrow(/pass 2 saw 5 samples but pass 1 saw 6/);
  });
});

describe("bad input", () => {
  const { rows, labels, W, b } = sample(3, 4, [2, 2, 2], 51);
  test.each([
    ["an empty class", () => ncMetricsOf(rows.slice(0, 4), labels.slice(0, 4), { W, b }), /class 2 has no samples/],
    [
      "a label out of range",
      () => ncMetricsOf(rows, [...labels.slice(0, 5), 3], { W, b }),
      /label 3 at position 5 is outside \[0, 3\)/,
    ],
    [
      "ragged rows",
      () => ncMetricsOf([...rows.slice(0, 5), [1, 2]], labels, { W, b }),
      /feature row 5 has 2 entries, expected dimension 4/,
    ],
    [
      "a W that does not match d",
      () => ncMetricsOf(rows, labels, { W: matrix(3, 5), b }),
      /feature row 0 has 4 entries, expected dimension 5/,
    ],
    [
      "a b of the wrong length",
      () => ncMetricsOf(rows, labels, { W, b: [0, 0] }),
      /classifier b has 2 entries, expected 3/,
    ],
    [
      "fewer feature rows than labels",
      () => new ClassMeanAccumulator(3, 4).accumulate(new Float32Array(8), [0, 1, 2]),
      /2 feature rows of dimension 4 for 3 labels/,
    ],
  ])("%s is an NcInputError naming the cause", (_, run, message) => {
    expect(run).toThrow(NcInputError);
    expect(run).toThrow(message);
  });
});
