import { beforeAll, expect, test } from "vitest";
import { initBackend } from "../../lib/backend/backend.ts";
import { ClassMeanAccumulator, WithinClassAccumulator } from "../../lib/core/nc_accumulators.ts";
import { featureCollapse, ncMetrics, ncMetricsOf } from "../../lib/core/nc_metrics.ts";
import { createRng } from "../../lib/core/random.ts";
import { makeBatch } from "../../lib/data/batches.ts";
import type { Dataset } from "../../lib/data/dataset.ts";
import { buildMlp } from "../../lib/models/mlp.ts";
import { hiddenFeaturesModel, readClassifier } from "../../lib/models/network.ts";
import { buildResNet18 } from "../../lib/models/resnet.ts";
import * as tf from "@tensorflow/tfjs";
import {
  evaluationPass,
  hiddenLayerCollapse,
  prepareSplit,
  trainSplitCollapse,
  trainSplitMetrics,
} from "../../lib/training/evaluate.ts";

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

test("every hidden layer's collapse: the last layer's equals the features' metrics; each layer its own", async () => {
  const data = images();
  const indices = Int32Array.from({ length: 24 }, (_, i) => i);
  const net = buildMlp({ inputShape: [32, 32, 3], numClasses: 3, width: 6, depth: 3, seed: 4 });
  const options = { loss: { name: "ce" } as const, batchSize: 7, augmentSeed: "eval-augment" };
  const layers = await hiddenLayerCollapse(net, data, indices, options);
  expect(layers.map((l) => [l.layer, l.dim])).toEqual([["layer 1", 6], ["layer 2", 6], ["layer 3", 6]]);
  const { metrics } = await trainSplitMetrics(net, data, indices, options);
  expect(layers[2].nc1).toBeCloseTo(metrics.nc1, 10);
  expect(layers[2].nc2Means).toBeCloseTo(metrics.nc2Means, 10);
  expect(layers[2].cdnv).toBeCloseTo(metrics.cdnv, 10);

  // Layer 1 against its features held in memory (the hidden-features model's first output).
  const rows: number[][] = [], labels: number[] = [];
  const rng = createRng("eval-augment");
  for (let start = 0; start < 24; start += 7) {
    const batch = makeBatch(data, indices.subarray(start, start + 7), rng);
    const out = hiddenFeaturesModel(net).predict(
      tf.tensor(batch.inputs, [batch.labels.length, 32, 32, 3]),
    ) as tf.Tensor[];
    const f = await out[0].array() as number[][];
    rows.push(...f);
    labels.push(...batch.labels);
    tf.dispose(out);
  }
  const pass1 = new ClassMeanAccumulator(3, 6);
  pass1.accumulate(rows, labels);
  const pass2 = new WithinClassAccumulator(pass1.compute());
  pass2.accumulate(rows, labels);
  expect(layers[0].nc1).toBeCloseTo(featureCollapse(pass2.compute()).nc1, 10);
  expect(Math.abs(layers[0].nc1 - layers[2].nc1)).toBeGreaterThan(1e-6);
  // A second evaluation leaves no tensor behind.
  const before = tf.memory().numTensors;
  await hiddenLayerCollapse(net, data, indices, options);
  expect(tf.memory().numTensors).toBe(before);
  net.model.dispose();
});

test("a ResNet's hidden layers are the stem and its four stages, pooled; the last is the features", () => {
  const net = buildResNet18({ inputShape: [8, 8, 3], numClasses: 3, width: 0.125, seed: 0 });
  expect(net.hidden.map((h) => [h.name, h.dim])).toEqual([
    ["stem", 8],
    ["stage 1", 8],
    ["stage 2", 16],
    ["stage 3", 32],
    ["stage 4", 64],
  ]);
  const outputs = hiddenFeaturesModel(net).predict(tf.zeros([2, 8, 8, 3])) as tf.Tensor[];
  expect(outputs.map((t) => t.shape)).toEqual(net.hidden.map((h) => [2, h.dim]));
  expect(net.featureDim).toBe(64);
  tf.dispose(outputs);
  net.model.dispose();
});

test("a split prepared once and read in large passes gives the features and accuracy of batch-by-batch assembly", async () => {
  const data = images();
  const indices = Int32Array.from({ length: 24 }, (_, i) => (7 * i) % 24);
  const net = buildMlp({ inputShape: [32, 32, 3], numClasses: 3, width: 8, depth: 2, seed: 4 });
  const run = async (options: { batchSize: number; prepared?: ReturnType<typeof prepareSplit> }) => {
    const features: number[] = [], labels: number[] = [];
    const scores = await evaluationPass(
      net,
      data,
      indices,
      { loss: { name: "ls", alpha: 0.1 }, ...options },
      (f, y) => {
        features.push(...f);
        labels.push(...y);
      },
    );
    return { scores, features, labels };
  };
  const assembled = await run({ batchSize: 5 });
  const prepared = await run({ batchSize: 16, prepared: prepareSplit(data, indices) });
  // Each sample's forward pass is the same arithmetic whatever the pass size.
  expect(prepared.features).toEqual(assembled.features);
  expect(prepared.labels).toEqual(assembled.labels);
  expect(prepared.scores.accuracy).toBe(assembled.scores.accuracy);
  // The loss is summed per pass in float32 before the float64 total: equal to float32 rounding.
  expect(Math.abs(prepared.scores.loss / assembled.scores.loss - 1)).toBeLessThan(1e-6);
  // An augmented pass ignores the prepared split (it draws its own batches).
  const augmented = (prepared: boolean) =>
    evaluationPass(net, data, indices, {
      loss: { name: "ce" },
      batchSize: 5,
      augmentSeed: "a",
      prepared: prepared ? prepareSplit(data, indices) : undefined,
    });
  expect(await augmented(true)).toEqual(await augmented(false));
});

test("one kept pass of an MLP gives the scores and every metric of the four streaming passes, to the bit", async () => {
  const data = images();
  const indices = Int32Array.from({ length: 24 }, (_, i) => i);
  for (const augmentSeed of [undefined, "eval-augment"]) {
    const net = buildMlp({ inputShape: [32, 32, 3], numClasses: 3, width: 8, depth: 2, batchNorm: true, seed: 5 });
    const options = { loss: { name: "ls", alpha: 0.1 } as const, batchSize: 7, augmentSeed };
    const streamed = {
      ...(await trainSplitMetrics(net, data, indices, options)),
      layers: await hiddenLayerCollapse(net, data, indices, options),
    };
    const kept = await trainSplitCollapse(net, data, indices, { ...options, layers: true });
    expect(kept, `augment ${augmentSeed}`).toEqual(streamed);
    const featuresOnly = await trainSplitCollapse(net, data, indices, { ...options, layers: false });
    expect(featuresOnly).toEqual({ scores: streamed.scores, metrics: streamed.metrics });
    net.model.dispose();
  }
});
