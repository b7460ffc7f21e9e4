/**
 * Multi-layer perceptron: `depth` hidden layers of `width` units with ReLU (optionally batch norm
 * before each ReLU); the features are the last hidden activations.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BatchNorm } from "./batch_norm.ts";
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
  const infer = (x: tf.Tensor) => foldedInference(model, depth, options.batchNorm === true, x);
  return { model, inputShape, featureDim: width, numClasses, hidden, infer };
}

/**
 * The MLP in inference mode with batch normalisation folded into each dense layer: with
 * a = γ/√(σ² + ε) from the moving variance σ² and mean μ, BN(xW + b) = x(W·diag a) + (b − μ)·a + β,
 * so each hidden layer is one matrix product with its bias and ReLU fused (`_FusedMatMul`) instead
 * of a product, a bias addition, a normalisation and a ReLU over the whole activation. Equal to the
 * layer graph's inference to float32 rounding (the products associate differently).
 */
function foldedInference(
  model: tf.LayersModel,
  depth: number,
  batchNorm: boolean,
  x: tf.Tensor,
): { hidden: tf.Tensor2D[]; logits: tf.Tensor2D } {
  const hidden: tf.Tensor2D[] = [];
  let h = x.reshape([x.shape[0], -1]) as tf.Tensor2D;
  for (let i = 1; i <= depth; i++) {
    let [kernel, bias] = model.getLayer(`dense_${i}`).getWeights() as [tf.Tensor2D, tf.Tensor1D];
    if (batchNorm) {
      const bn = model.getLayer(`bn_${i}`) as BatchNorm;
      const [gamma, beta, mean, variance] = bn.getWeights() as tf.Tensor1D[];
      const a = tf.mul(gamma, tf.rsqrt(tf.add(variance, bn.epsilon)));
      kernel = tf.mul(kernel, a);
      bias = tf.add(tf.mul(tf.sub(bias, mean), a), beta);
    }
    h = tf.fused.matMul({ a: h, b: kernel, bias, activation: "relu" }) as tf.Tensor2D;
    hidden.push(h);
  }
  const [kernel, bias] = model.getLayer("classifier").getWeights() as [tf.Tensor2D, tf.Tensor1D];
  return { hidden, logits: tf.fused.matMul({ a: h, b: kernel, bias }) as tf.Tensor2D };
}
