/**
 * The variants named after rhubarbwu/neural-collapse against an independent NumPy re-implementation
 * of that library's formulas with its defaults (tests/fixtures/rhubarbwu/make_fixture.py, run once;
 * its output is the committed JSON): unbalanced classes (3 to 11 samples, K = 5, d = 9), where the
 * mean of the class means, which the library centres on, differs from the sample mean.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { fromRows } from "../../lib/core/linalg.ts";
import { FeatureMeanAccumulator } from "../../lib/core/nc_accumulators.ts";
import { type NcMetrics, ncMetricsOf } from "../../lib/core/nc_metrics.ts";

const KEYS = ["cdnv", "nc2Means", "nc3Uncentred", "gnc2Log", "gnc2Distance", "unc3", "nc5"] as const;
type Key = typeof KEYS[number];

const FIXTURE: {
  features: number[][];
  labels: number[];
  W: number[][];
  b: number[];
  oodFeatures: number[][];
  expected: Record<Key, number>;
  centredOnSampleMean: Record<Key, number>;
} = JSON.parse(readFileSync(join(import.meta.dirname!, "../fixtures/rhubarbwu/rhubarbwu_metrics.json"), "utf8"));

function metrics(globalMean: "sample" | "classMeans"): NcMetrics {
  const { features, labels, W, b, oodFeatures } = FIXTURE;
  const oodMean = new FeatureMeanAccumulator(W[0].length).accumulate(oodFeatures).compute();
  return ncMetricsOf(features, labels, { W: fromRows(W), b }, { globalMean, oodMean });
}

describe.each(["sample", "classMeans"] as const)("with the %s global mean", (globalMean) => {
  test.each(KEYS)("%s equals rhubarbwu's, transcribed in NumPy", (key) => {
    const value = metrics(globalMean)[key]!, expected = FIXTURE.expected[key];
    // The same float64 formulas summed in another order: round-off of ~1e-15 relative; 1e-10 leaves
    // room for the log kernel's cancellation and nothing for a different centring or normalisation.
    expect(Math.abs(value - expected)).toBeLessThanOrEqual(1e-10 * Math.abs(expected));
  });
});

test("the fixture tells the centrings apart: on the sample mean the centred measures differ", () => {
  for (const key of ["nc2Means", "nc3Uncentred", "gnc2Log", "gnc2Distance", "unc3"] as const) {
    const { expected, centredOnSampleMean } = FIXTURE;
    expect(Math.abs(expected[key] - centredOnSampleMean[key]), key).toBeGreaterThan(1e-3);
  }
});
