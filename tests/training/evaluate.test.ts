import { beforeAll, expect, test } from "vitest";
import { initBackend } from "../../lib/backend/backend.ts";
import { ClassMeanAccumulator, WithinClassAccumulator } from "../../lib/core/nc_accumulators.ts";
import { ncMetrics, ncMetricsOf } from "../../lib/core/nc_metrics.ts";
import { createRng } from "../../lib/core/random.ts";
import type { Dataset } from "../../lib/data/dataset.ts";
import { buildMlp } from "../../lib/models/mlp.ts";
import { readClassifier } from "../../lib/models/network.ts";
import { evaluationPass, trainSplitMetrics } from "../../lib/training/evaluate.ts";

beforeAll(async () => {
  await initBackend({ backend: "cpu", quiet: true });
});

/** 24 random 32×32×3 images of 3 classes (class-dependent brightness), so augmentation changes the features. */
function images(): Dataset {
  const rng = createRng("augmented-images");
  const n = 24, labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  const inputs = new Uint8Array(n * 3072);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < 3072; p++) inputs[i * 3072 + p] = Math.floor(60 * labels[i] + 120 * rng.uniform());
  }
  return { name: "images", inputs, sampleShape: [32, 32, 3], labels, numClasses: 3 };
}

test("the two metric passes over augmented images see the same augmented images", async () => {
  const data = images();
  const indices = Int32Array.from({ length: 24 }, (_, i) => i);
  const net = buildMlp({ inputShape: [32, 32, 3], numClasses: 3, width: 8, depth: 1, seed: 2 });
  const classifier = await readClassifier(net);
  const options = { loss: { name: "ce" } as const, batchSize: 5, augmentSeed: "eval-augment" };
  const { metrics } = await trainSplitMetrics(net, data, indices, options);

  // Reference: the features of one augmented pass, held in memory, through both accumulator passes.
  const features: number[] = [], labels: number[] = [];
  await evaluationPass(net, data, indices, options, (f, y) => {
    features.push(...f);
    labels.push(...y);
  });
  const once = ncMetricsOf(Float64Array.from(features), labels, classifier);
  // Same float32 features accumulated in the same order: equal up to float64 round-off (1e-12 relative).
  for (const key of ["nc1", "nc2", "nc3", "nc4", "cdnv", "nccMismatch"] as const) {
    expect(metrics[key], key).toBeCloseTo(once[key]!, 12);
  }

  // Control: a second pass over differently augmented images gives another NC1, so the check above can fail.
  const pass1 = new ClassMeanAccumulator(3, 8);
  await evaluationPass(net, data, indices, options, (f, y) => pass1.accumulate(f, y));
  const pass2 = new WithinClassAccumulator(pass1.compute(), { classifier });
  await evaluationPass(net, data, indices, { ...options, augmentSeed: "other" }, (f, y) => pass2.accumulate(f, y));
  const mismatched = ncMetrics(pass2.compute(), classifier);
  expect(Math.abs(mismatched.nc1 - once.nc1)).toBeGreaterThan(1e-3 * once.nc1);
  net.model.dispose();
});
