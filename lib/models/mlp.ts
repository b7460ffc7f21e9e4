/**
 * Multi-layer perceptron: `depth` hidden layers of `width` units with ReLU (optionally batch norm
 * before each ReLU); the features are the last hidden activations.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Dense } from "./dense.ts";
import {
  batchNorm,
  classifierLayer,
  type HiddenLayer,
  Initializers,
  ModelConfigError,
  type Network,
} from "./network.ts";

/** Options of {@link buildMlp}. */
export interface MlpOptions {
  inputShape: readonly number[];
  numClasses: number;
  /** Hidden units per layer. */
  width: number;
  /** Number of hidden layers (default 3). */
  depth?: number;
  batchNorm?: boolean;
  seed: number;
}

/**
 * Builds the MLP.
 *
 * @example
 * ```ts
 * const net = buildMlp({ inputShape: [28, 28, 1], numClasses: 10, width: 512, depth: 3, seed: 0 });
 * ```
 */
export function buildMlp(options: MlpOptions): Network {
  const { inputShape, numClasses, width, depth = 3, seed } = options;
  if (!Number.isInteger(width) || width < 1) {
    throw new ModelConfigError(`mlp width must be a positive integer (hidden units), got ${width}`);
  }
  if (!Number.isInteger(depth) || depth < 1) {
    throw new ModelConfigError(`mlp depth must be a positive integer, got ${depth}`);
  }
  const init = new Initializers(seed);
  const input = tf.input({ shape: [...inputShape] });
  let x = inputShape.length > 1 ? tf.layers.flatten().apply(input) as tf.SymbolicTensor : input;
  let fanIn = inputShape.reduce((a, b) => a * b, 1);
  const hidden: HiddenLayer[] = [];
  for (let i = 0; i < depth; i++) {
    x = new Dense({
      units: width,
      name: `dense_${i + 1}`,
      kernelInitializer: init.weights(),
      biasInitializer: init.bias(fanIn),
    }).apply(x) as tf.SymbolicTensor;
    if (options.batchNorm) x = batchNorm(`bn_${i + 1}`).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
    hidden.push({ name: `layer ${i + 1}`, output: x, dim: width });
    fanIn = width;
  }
  const logits = classifierLayer(numClasses, width, init).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: [x, logits] });
  return { model, inputShape, featureDim: width, numClasses, hidden };
}
