/**
 * What every model of the toolkit exposes: logits and penultimate features from one forward pass,
 * the last layer's W and b for the NC metrics, and its variables for training and checkpoints.
 *
 * Models are tf.layers functional models with two outputs, [features, logits], initialised as
 * PyTorch does by default (docs/method.md §7): weights U(−1/√fan_in, 1/√fan_in) (kaiming-uniform with
 * a = √5), dense biases likewise, batch norm γ = 1, β = 0, momentum 0.1 (PyTorch's convention), ε = 1e-5.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type Matrix, matrix } from "../core/linalg.ts";
import { BatchNorm } from "./batch_norm.ts";
import { Dense } from "./dense.ts";

/** A model ready for training and NC evaluation. */
export interface Network {
  /** Functional model with outputs [features, logits]. */
  readonly model: tf.LayersModel;
  /** Shape of one input sample, e.g. [28, 28, 1] or [32, 32, 3]. */
  readonly inputShape: readonly number[];
  readonly featureDim: number;
  readonly numClasses: number;
  /**
   * The hidden layers whose features {@link hiddenFeaturesModel} returns, input side first; the
   * last is the penultimate layer (the features). Convolutional outputs are globally average-pooled.
   */
  readonly hidden: readonly HiddenLayer[];
  /**
   * An inference-mode pass of the network's own, when it has one (the MLP: batch normalisation
   * folded into each dense layer): every hidden layer's features, input side first, and the
   * logits. {@link forward} and {@link hiddenFeatures} use it in inference mode.
   */
  readonly infer?: (x: tf.Tensor) => { hidden: tf.Tensor2D[]; logits: tf.Tensor2D };
}

/** One hidden layer's features in the model's graph. */
export interface HiddenLayer {
  /** A short name for tables and legends, e.g. "layer 2" or "stage 3". */
  readonly name: string;
  /** The layer's (pooled) output, shape [batch, dim]. */
  readonly output: tf.SymbolicTensor;
  readonly dim: number;
}

const hiddenModels = new WeakMap<Network, tf.LayersModel>();

/**
 * A model sharing the network's weights whose outputs are every hidden layer's features
 * ({@link Network.hidden}), built once per network.
 *
 * @example
 * ```ts
 * const net = buildMlp({ inputShape: [4], numClasses: 3, width: 8, depth: 2, seed: 0 });
 * const outputs = hiddenFeaturesModel(net).predict(tf.zeros([5, 4])) as tf.Tensor[];
 * outputs.map((t) => t.shape); // [[5, 8], [5, 8]]
 * ```
 */
export function hiddenFeaturesModel(net: Network): tf.LayersModel {
  let model = hiddenModels.get(net);
  if (!model) {
    model = tf.model({ inputs: net.model.inputs, outputs: net.hidden.map((h) => h.output) });
    hiddenModels.set(net, model);
  }
  return model;
}

/**
 * Every hidden layer's features of a batch in inference mode ({@link Network.hidden}), input side
 * first.
 *
 * @example
 * ```ts
 * const net = buildMlp({ inputShape: [4], numClasses: 3, width: 8, depth: 2, seed: 0 });
 * hiddenFeatures(net, tf.zeros([5, 4])).map((t) => t.shape); // [[5, 8], [5, 8]]
 * ```
 */
export function hiddenFeatures(net: Network, x: tf.Tensor): tf.Tensor2D[] {
  if (net.infer) {
    const { hidden, logits } = net.infer(x);
    logits.dispose();
    return hidden;
  }
  const out = hiddenFeaturesModel(net).apply(x, { training: false }) as tf.Tensor | tf.Tensor[];
  return (Array.isArray(out) ? out : [out]) as tf.Tensor2D[];
}

/** A model configuration that is not valid. */
export class ModelConfigError extends Error {
  override name = "ModelConfigError";
}

type Initializer = ReturnType<typeof tf.initializers.varianceScaling>;

/** Deterministic per-layer initialisers derived from one seed. */
export class Initializers {
  #next = 0;
  constructor(readonly seed: number) {}

  #seed(): number {
    return this.seed * 7919 + ++this.#next;
  }

  /** PyTorch's default weight initialisation: U(−1/√fan_in, 1/√fan_in). */
  weights(): Initializer {
    return tf.initializers.varianceScaling({
      scale: 1 / 3,
      mode: "fanIn",
      distribution: "uniform",
      seed: this.#seed(),
    });
  }

  /** PyTorch's default bias initialisation for a layer with `fanIn` inputs. */
  bias(fanIn: number): Initializer {
    const bound = 1 / Math.sqrt(fanIn);
    return tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: this.#seed() });
  }
}

/**
 * Batch normalisation with PyTorch's defaults (momentum 0.1 there is 0.9 here; ε = 1e-5): the
 * weights and updates of `tf.layers.batchNormalization`, with a closed-form training gradient
 * (`batch_norm.ts`).
 */
export function batchNorm(name: string): tf.layers.Layer {
  return new BatchNorm({ momentum: 0.9, epsilon: 1e-5, name });
}

/** Name of the final dense layer of every model. */
const CLASSIFIER_LAYER = "classifier";

/** The final dense layer: K outputs from `featureDim` features. */
export function classifierLayer(numClasses: number, featureDim: number, init: Initializers): tf.layers.Layer {
  return new Dense({
    units: numClasses,
    name: CLASSIFIER_LAYER,
    kernelInitializer: init.weights(),
    biasInitializer: init.bias(featureDim),
  });
}

/**
 * Features and logits of a batch.
 *
 * @example
 * ```ts
 * const net = buildMlp({ inputShape: [4], numClasses: 3, width: 8, depth: 1, seed: 0 });
 * const x = tf.zeros([2, 4]);
 * const { features, logits } = forward(net, x, { training: false });
 * logits.shape; // [2, 3]
 * ```
 */
export function forward(
  net: Network,
  x: tf.Tensor,
  options: { training: boolean },
): { features: tf.Tensor2D; logits: tf.Tensor2D } {
  if (!options.training && net.infer) {
    const { hidden, logits } = net.infer(x);
    tf.dispose(hidden.slice(0, -1));
    return { features: hidden[hidden.length - 1], logits };
  }
  const [features, logits] = net.model.apply(x, { training: options.training }) as tf.Tensor[];
  return { features: features as tf.Tensor2D, logits: logits as tf.Tensor2D };
}

/**
 * The last layer as W (K×d) and b (K), in float64, for the NC metrics. Asynchronous: the webgpu
 * backend cannot read tensors synchronously under Deno.
 *
 * @example
 * ```ts
 * const net = buildMlp({ inputShape: [4], numClasses: 3, width: 8, depth: 1, seed: 0 });
 * const { W, b } = await readClassifier(net);
 * [W.rows, W.cols]; // [3, 8]
 * ```
 */
export async function readClassifier(net: Network): Promise<{ W: Matrix; b: Float64Array }> {
  const [kernel, bias] = net.model.getLayer(CLASSIFIER_LAYER).getWeights();
  const [d, K] = kernel.shape as [number, number];
  const k = await kernel.data();
  const W = matrix(K, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < K; j++) W.data[j * d + i] = k[i * K + j];
  return { W, b: Float64Array.from(await bias.data()) };
}

/** Number of trainable parameters (as PyTorch's `sum(p.numel() for p in model.parameters())`). */
export function trainableParameterCount(net: Network): number {
  return net.model.trainableWeights.reduce((a, w) => a + (w.shape as number[]).reduce((x, y) => x * y, 1), 0);
}

/** Trainable variables, in a fixed order. */
export function trainableVariables(net: Network): tf.Variable[] {
  return net.model.trainableWeights.map((w) => w.read() as tf.Variable);
}
