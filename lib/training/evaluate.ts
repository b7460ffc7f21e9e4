/**
 * Evaluation of a network on a split: accuracy, mean loss and, for the training split, every NC
 * metric through the streaming accumulators (two forward passes, never all features at once).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { perSampleLossTensor } from "../core/loss_tensors.ts";
import type { LossSpec } from "../core/losses.ts";
import { ClassMeanAccumulator, WithinClassAccumulator } from "../core/nc_accumulators.ts";
import { type NcMetrics, ncMetrics } from "../core/nc_metrics.ts";
import { createRng } from "../core/random.ts";
import { makeBatch } from "../data/batches.ts";
import type { Dataset } from "../data/dataset.ts";
import { forward, type Network, readClassifier } from "../models/network.ts";

/** Accuracy (fraction) and mean per-sample loss. */
export interface SplitScores {
  accuracy: number;
  loss: number;
}

/** Options of the evaluation passes. */
export interface EvaluationOptions {
  loss: LossSpec;
  batchSize: number;
  /** Seed of the augmentation applied during the pass; none when undefined. */
  augmentSeed?: string;
}

/**
 * One pass in inference mode over `indices`, calling `onFeatures` with each batch's features.
 * With `scores: false` the pass only produces features (accuracy and loss are then NaN).
 */
export async function evaluationPass(
  net: Network,
  dataset: Dataset,
  indices: Int32Array,
  options: EvaluationOptions & { scores?: boolean },
  onFeatures?: (features: Float32Array, labels: Int32Array) => void,
): Promise<SplitScores> {
  const rng = options.augmentSeed === undefined ? undefined : createRng(options.augmentSeed);
  const scores = options.scores ?? true;
  let correct = 0, lossSum = 0;
  for (let start = 0; start < indices.length; start += options.batchSize) {
    const batch = makeBatch(dataset, indices.subarray(start, start + options.batchSize), rng);
    const size = batch.labels.length;
    const [features, stats] = tf.tidy(() => {
      const x = tf.tensor(batch.inputs, [size, ...net.inputShape]);
      const out = forward(net, x, { training: false });
      const kept = onFeatures ? out.features : tf.zeros([0]);
      if (!scores) return [kept, tf.zeros([0])];
      const y = tf.tensor1d(batch.labels, "int32");
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(out.logits, 1), y), "float32"));
      const loss = tf.sum(perSampleLossTensor(options.loss, out.logits, y));
      return [kept, tf.stack([hits, loss])];
    });
    if (scores) {
      const [hits, loss] = await stats.data();
      correct += hits;
      lossSum += loss;
    }
    if (onFeatures) onFeatures((await features.data()) as Float32Array, batch.labels);
    tf.dispose([features, stats]);
  }
  return scores ? { accuracy: correct / indices.length, loss: lossSum / indices.length } : { accuracy: NaN, loss: NaN };
}

/**
 * Accuracy, loss and NC metrics of the training split (features in inference mode).
 *
 * @example
 * ```ts ignore (needs a network and a dataset)
 * const { scores, metrics } = await trainSplitMetrics(net, train, trainIndices, { loss, batchSize: 128 });
 * ```
 */
export async function trainSplitMetrics(
  net: Network,
  dataset: Dataset,
  indices: Int32Array,
  options: EvaluationOptions,
): Promise<{ scores: SplitScores; metrics: NcMetrics }> {
  const classifier = await readClassifier(net);
  const pass1 = new ClassMeanAccumulator(net.numClasses, net.featureDim);
  const scores = await evaluationPass(net, dataset, indices, options, (f, y) => pass1.accumulate(f, y));
  const pass2 = new WithinClassAccumulator(pass1.compute(), { classifier });
  await evaluationPass(net, dataset, indices, { ...options, scores: false }, (f, y) => pass2.accumulate(f, y));
  return { scores, metrics: ncMetrics(pass2.compute(), classifier) };
}
