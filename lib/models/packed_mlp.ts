/**
 * A pack of MLPs of one shape trained as one graph: every weight of the P networks stacked along a
 * leading run axis, one batched matrix product per layer for all runs, batch normalisation per run
 * (`batch_norm.ts` with [P, C] parameters).
 *
 * Each run's arithmetic is that of the same network alone, operation for operation: the batched
 * product multiplies run by run (on the `native` backend one `sgemm` per run, with the shapes of
 * the network alone), the bias gradient sums each run's rows in the same order (a reduction over
 * the middle axis of [P, B, C]), batch normalisation normalises each run's rows as alone, and ReLU
 * is element-wise. The pack only changes how many kernels are called: a step of P networks is the
 * kernel count of one.
 *
 * Weights are copied in from the runs' own networks ({@link PackedMlp.fromNetworks}, so a run in a
 * pack starts from the initialisation and checkpoint it would have alone) and back out to them
 * ({@link PackedMlp.copyTo}) for evaluation and checkpoints.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BatchNorm, batchNormTraining } from "./batch_norm.ts";
import { ModelConfigError, type Network } from "./network.ts";

/** One weight of the pack: its name in the networks, its shape in one network, the stacked variable. */
interface PackedWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly variable: tf.Variable;
  readonly trainable: boolean;
}

/** Batch normalisation's settings (momentum in TensorFlow's convention). */
interface NormSettings {
  momentum: number;
  epsilon: number;
}

/** The outputs of a packed training pass. */
export interface PackedForward {
  /** [P, B, K]. */
  logits: tf.Tensor3D;
}

/**
 * The pack.
 *
 * @example
 * ```ts
 * const nets = [1, 2].map((seed) => buildMlp({ inputShape: [4], numClasses: 3, width: 8, depth: 2, batchNorm: true, seed }));
 * const pack = PackedMlp.fromNetworks(nets);
 * const { logits } = pack.forwardTraining(tf.zeros([2, 5, 4]));
 * logits.shape; // [2, 5, 3]
 * ```
 */
export class PackedMlp {
  readonly runs: number;
  readonly depth: number;
  readonly #weights: PackedWeight[];
  readonly #byName: Map<string, PackedWeight>;
  /** Batch normalisation's settings, those of the networks' layers (momentum in TensorFlow's convention). */
  readonly #norm: NormSettings | null;

  private constructor(runs: number, depth: number, weights: PackedWeight[], norm: NormSettings | null) {
    this.runs = runs;
    this.depth = depth;
    this.#weights = weights;
    this.#byName = new Map(weights.map((w) => [w.name, w]));
    this.#norm = norm;
  }

  get batchNorm(): boolean {
    return this.#norm !== null;
  }

  /**
   * Stacks the weights of MLPs of one shape (same input, width, depth, classes and batch norm),
   * in the order of `nets`.
   */
  static fromNetworks(nets: readonly Network[]): PackedMlp {
    if (nets.length === 0) throw new ModelConfigError("a pack needs at least one network");
    const layout = (net: Network) => net.model.weights.map((w) => `${weightName(w.name)}:${w.shape}`).join(" ");
    const first = layout(nets[0]);
    const odd = nets.findIndex((net) => layout(net) !== first);
    if (odd >= 0) {
      throw new ModelConfigError(
        `network ${odd + 1} of the pack has other weights than network 1: ${layout(nets[odd])}`,
      );
    }
    const names = nets[0].model.weights.map((w) => weightName(w.name));
    if (!names.includes("classifier/kernel") || !names.some((n) => n.startsWith("dense_"))) {
      throw new ModelConfigError(`a pack holds MLPs (dense layers and a classifier), got weights ${names.join(", ")}`);
    }
    const depth = names.filter((n) => /^dense_\d+\/kernel$/.test(n)).length;
    const weights = nets[0].model.weights.map((w, i) => {
      const shape = w.shape as number[], name = names[i];
      const variable = tf.tidy(() => {
        const stacked = tf.stack(nets.map((net) => net.model.weights[i].read()));
        // Biases broadcast over a run's rows: [P, 1, units].
        const packed = isBias(name) ? stacked.reshape([nets.length, 1, ...shape]) : stacked;
        return tf.variable(packed, w.trainable);
      });
      return { name, shape, variable, trainable: w.trainable };
    });
    const norm = names.some((n) => n.startsWith("bn_")) ? nets[0].model.getLayer("bn_1") as BatchNorm : null;
    return new PackedMlp(nets.length, depth, weights, norm && { momentum: norm.momentum, epsilon: norm.epsilon });
  }

  /** The trainable variables, in the networks' `trainableWeights` order (the optimizer's order). */
  trainableVariables(): tf.Variable[] {
    return this.#weights.filter((w) => w.trainable).map((w) => w.variable);
  }

  #get(name: string): tf.Variable {
    const weight = this.#byName.get(name);
    if (!weight) throw new ModelConfigError(`the pack's networks have no weight ${name}`);
    return weight.variable;
  }

  /**
   * A training-mode forward pass: x is [P, B, inputs] (each run its own batch, flattened), the
   * logits [P, B, K]; batch normalisation uses each run's batch statistics and updates its moving
   * ones, as `BatchNorm` does.
   */
  forwardTraining(x: tf.Tensor3D): PackedForward {
    let h: tf.Tensor3D = x;
    for (let layer = 1; layer <= this.depth; layer++) {
      h = tf.add(tf.matMul(h, this.#get(`dense_${layer}/kernel`)), this.#get(`dense_${layer}/bias`));
      if (this.batchNorm) h = this.#batchNorm(h, `bn_${layer}`);
      h = tf.relu(h);
    }
    const logits = tf.add(tf.matMul(h, this.#get("classifier/kernel")), this.#get("classifier/bias")) as tf.Tensor3D;
    return { logits };
  }

  #batchNorm(h: tf.Tensor3D, layer: string): tf.Tensor3D {
    const gamma = this.#get(`${layer}/gamma`) as unknown as tf.Tensor2D;
    const beta = this.#get(`${layer}/beta`) as unknown as tf.Tensor2D;
    const { momentum, epsilon } = this.#norm!;
    const { y, mean, variance } = batchNormTraining(h, gamma, beta, epsilon);
    const decay = 1 - momentum;
    for (const [name, batch] of [[`${layer}/moving_mean`, mean], [`${layer}/moving_variance`, variance]] as const) {
      const moving = this.#get(name);
      moving.assign(tf.tidy(() => tf.sub(moving, tf.mul(tf.sub(moving, batch), decay))));
    }
    tf.dispose([mean, variance]);
    return y as tf.Tensor3D;
  }

  /**
   * Writes run `run`'s weights into `net` (a network of the pack's shape), and, when given, its
   * slice of each packed tensor of `packed` into the matching tensor of `into` (the optimizer's
   * velocity, in the order of {@link trainableVariables}).
   */
  copyTo(run: number, net: Network, extra?: { packed: readonly tf.Variable[]; into: readonly tf.Variable[] }): void {
    tf.tidy(() => {
      net.model.weights.forEach((w, i) => {
        const packed = this.#weights[i];
        (w.read() as tf.Variable).assign(slice(packed.variable, run, packed.shape));
      });
      extra?.packed.forEach((p, i) => extra.into[i].assign(slice(p, run, extra.into[i].shape)));
    });
  }

  /** Releases the stacked weights. */
  dispose(): void {
    tf.dispose(this.#weights.map((w) => w.variable));
  }
}

/**
 * A weight's name without the suffix TensorFlow.js adds to keep names unique between models
 * (`dense_1/kernel_5` is `dense_1/kernel`).
 */
export function weightName(name: string): string {
  return name.replace(/_\d+$/, "");
}

/**
 * Run `run`'s part of a stacked tensor, in one network's shape: a slice of the flattened stack,
 * one contiguous copy, in a buffer made one-dimensional (the wasm backend checks a fused product's
 * bias by the shape its buffer was made with, so a reshaped slice of [P, 1, units] would not pass
 * as [units]).
 */
function slice(packed: tf.Tensor, run: number, shape: readonly number[]): tf.Tensor {
  const size = packed.size / packed.shape[0];
  return tf.slice1d(tf.reshape(packed, [packed.size]) as tf.Tensor1D, run * size, size).reshape([...shape]);
}

/** Whether a weight is a dense layer's bias (stacked as [P, 1, units] to broadcast over rows). */
function isBias(name: string): boolean {
  return name.endsWith("/bias");
}

/**
 * Stacks tensors of one network's shapes into the pack's: [P, ...shape], biases [P, 1, units].
 * For the optimizer's velocity, stacked as the weights it follows.
 */
export function stackLike(name: string, tensors: readonly tf.Tensor[]): tf.Tensor {
  return tf.tidy(() => {
    const stacked = tf.stack([...tensors]);
    return isBias(name) ? stacked.reshape([tensors.length, 1, ...tensors[0].shape]) : stacked;
  });
}
