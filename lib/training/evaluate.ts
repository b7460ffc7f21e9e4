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
import { type FeatureCollapse, featureCollapse, type NcMetrics, ncMetrics } from "../core/nc_metrics.ts";
import { createRng } from "../core/random.ts";
import { makeBatch } from "../data/batches.ts";
import type { Dataset } from "../data/dataset.ts";
import { forward, hiddenFeatures, type Network, readClassifier } from "../models/network.ts";

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
  /**
   * The split's inputs already normalised ({@link prepareSplit} of the same indices), read in the
   * same batches instead of assembling each; ignored when the pass augments.
   */
  prepared?: PreparedSplit;
}

/** Every sample of a split, normalised as a batch is: inputs (N × sample size) and labels. */
export interface PreparedSplit {
  inputs: Float32Array;
  labels: Int32Array;
}

/**
 * A split's samples normalised once, for evaluation passes that read it often (the validation
 * split after every epoch): the same values {@link makeBatch} gives batch by batch.
 *
 * @example
 * ```ts ignore (needs a loaded dataset)
 * const val = prepareSplit(data.train, data.valIndices);
 * await evaluationPass(net, data.train, data.valIndices, { loss, batchSize: 128, prepared: val });
 * ```
 */
export function prepareSplit(dataset: Dataset, indices: Int32Array): PreparedSplit {
  return makeBatch(dataset, indices);
}

/** The batch of `indices` from `start`: sliced from the prepared split, or assembled. */
function batchAt(
  dataset: Dataset,
  indices: Int32Array,
  start: number,
  options: { batchSize: number; prepared?: PreparedSplit },
  rng: ReturnType<typeof createRng> | undefined,
): PreparedSplit {
  const end = Math.min(indices.length, start + options.batchSize);
  const prepared = rng ? undefined : options.prepared;
  if (!prepared) return makeBatch(dataset, indices.subarray(start, end), rng);
  const size = prepared.inputs.length / prepared.labels.length;
  return { inputs: prepared.inputs.subarray(start * size, end * size), labels: prepared.labels.subarray(start, end) };
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
    const batch = batchAt(dataset, indices, start, options, rng);
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

/** One hidden layer's collapse at an evaluation: its name, feature dimension and metrics. */
export interface LayerCollapse extends FeatureCollapse {
  layer: string;
  dim: number;
}

/**
 * NC1, NC2 of the class means and CDNV of every hidden layer ({@link Network.hidden}) on `indices`,
 * in inference mode, through the same two streaming passes as {@link trainSplitMetrics} (one
 * forward pass of the hidden-features model per batch and pass; never all features at once).
 *
 * @example
 * ```ts ignore (needs a network and a dataset)
 * const layers = await hiddenLayerCollapse(net, train, trainIndices, { batchSize: 256 });
 * layers.map((l) => `${l.layer}: NC1 ${l.nc1}`);
 * ```
 */
export async function hiddenLayerCollapse(
  net: Network,
  dataset: Dataset,
  indices: Int32Array,
  options: { batchSize: number; augmentSeed?: string; prepared?: PreparedSplit },
): Promise<LayerCollapse[]> {
  const pass = async (onLayer: (layer: number, features: Float32Array, labels: Int32Array) => void) => {
    const rng = options.augmentSeed === undefined ? undefined : createRng(options.augmentSeed);
    for (let start = 0; start < indices.length; start += options.batchSize) {
      const batch = batchAt(dataset, indices, start, options, rng);
      const outputs = tf.tidy(() =>
        hiddenFeatures(net, tf.tensor(batch.inputs, [batch.labels.length, ...net.inputShape]))
      );
      for (let i = 0; i < outputs.length; i++) onLayer(i, (await outputs[i].data()) as Float32Array, batch.labels);
      tf.dispose(outputs);
    }
  };
  const means = net.hidden.map((h) => new ClassMeanAccumulator(net.numClasses, h.dim));
  await pass((i, f, y) => means[i].accumulate(f, y));
  const within = means.map((m) => new WithinClassAccumulator(m.compute()));
  await pass((i, f, y) => within[i].accumulate(f, y));
  return net.hidden.map((h, i) => ({ layer: h.name, dim: h.dim, ...featureCollapse(within[i].compute()) }));
}

/**
 * Largest training split (bytes of the features it keeps: every hidden layer's, or the last
 * layer's) evaluated in one forward pass ({@link trainSplitCollapse}); larger splits stream.
 */
export const KEPT_FEATURES_BYTES = 64 * 2 ** 20;

/**
 * Accuracy, loss and NC metrics of the training split, and with `layers` every hidden layer's
 * collapse: the results of {@link trainSplitMetrics} and {@link hiddenLayerCollapse}, to the bit,
 * from one forward pass instead of four where the network has its own inference pass
 * ({@link Network.infer}, the MLP) and the split's features fit in {@link KEPT_FEATURES_BYTES}: the
 * pass keeps each batch's features, and the two streaming passes of the accumulators read them in
 * the same batches and order. Otherwise it runs those two functions.
 *
 * @example
 * ```ts ignore (needs a network and a dataset)
 * const { scores, metrics, layers } = await trainSplitCollapse(net, train, trainIndices, { loss, batchSize: 8192, layers: true });
 * ```
 */
export async function trainSplitCollapse(
  net: Network,
  dataset: Dataset,
  indices: Int32Array,
  options: EvaluationOptions & { layers: boolean },
): Promise<{ scores: SplitScores; metrics: NcMetrics; layers?: LayerCollapse[] }> {
  const dims = options.layers ? net.hidden.map((h) => h.dim) : [net.featureDim];
  const bytes = 4 * indices.length * dims.reduce((a, b) => a + b, 0);
  if (!net.infer || bytes > KEPT_FEATURES_BYTES) {
    const { scores, metrics } = await trainSplitMetrics(net, dataset, indices, options);
    const layers = options.layers ? await hiddenLayerCollapse(net, dataset, indices, options) : undefined;
    return { scores, metrics, ...(layers ? { layers } : {}) };
  }
  const infer = net.infer;
  const rng = options.augmentSeed === undefined ? undefined : createRng(options.augmentSeed);
  const kept: { features: Float32Array[]; labels: Int32Array }[] = [];
  let correct = 0, lossSum = 0;
  for (let start = 0; start < indices.length; start += options.batchSize) {
    const batch = batchAt(dataset, indices, start, options, rng);
    const size = batch.labels.length;
    const [hidden, stats] = tf.tidy(() => {
      const out = infer(tf.tensor(batch.inputs, [size, ...net.inputShape]));
      const y = tf.tensor1d(batch.labels, "int32");
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(out.logits, 1), y), "float32"));
      const loss = tf.sum(perSampleLossTensor(options.loss, out.logits, y));
      return [options.layers ? out.hidden : out.hidden.slice(-1), tf.stack([hits, loss])] as const;
    });
    const [hits, loss] = await stats.data();
    correct += hits;
    lossSum += loss;
    kept.push({
      features: await Promise.all(hidden.map(async (h) => (await h.data()) as Float32Array)),
      labels: batch.labels,
    });
    tf.dispose([...hidden, stats]);
  }
  const last = dims.length - 1;
  const classifier = await readClassifier(net);
  const means = dims.map((d) => new ClassMeanAccumulator(net.numClasses, d));
  for (const { features, labels } of kept) features.forEach((f, i) => means[i].accumulate(f, labels));
  const within = means.map((m, i) => new WithinClassAccumulator(m.compute(), i === last ? { classifier } : {}));
  for (const { features, labels } of kept) features.forEach((f, i) => within[i].accumulate(f, labels));
  const statistics = within.map((w) => w.compute());
  return {
    scores: { accuracy: correct / indices.length, loss: lossSum / indices.length },
    metrics: ncMetrics(statistics[last], classifier),
    ...(options.layers
      ? { layers: net.hidden.map((h, i) => ({ layer: h.name, dim: h.dim, ...featureCollapse(statistics[i]) })) }
      : {}),
  };
}
