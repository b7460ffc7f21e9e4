/**
 * Batch normalisation over the last axis, with the training-mode gradient in closed form.
 *
 * The layer keeps the weights, their order and names, and the moving-average update of
 * `tf.layers.batchNormalization` (γ, β, moving mean, moving variance; the batch variance is the
 * biased one, as there), so checkpoints are interchangeable. What changes is the training pass:
 * TensorFlow.js differentiates batch normalisation op by op, through tiled copies of the batch
 * statistics, and that dominated a ResNet training step on the CPU backends. Here the gradient is
 *
 *   x̂ = (x − μ)/σ,  σ = √(var + ε),  M = rows averaged over,
 *   ∂L/∂β = Σ dy,  ∂L/∂γ = Σ dy·x̂,  ∂L/∂x = (γ/σ)·(dy − ∂L/∂β/M − x̂·∂L/∂γ/M),
 *
 * and, on a backend that registers the kernels of `backend/native_batch_norm.ts` (the `native`
 * backend: oneDNN), forward and backward each run as one multi-threaded kernel.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from "../backend/native_batch_norm.ts";

/** Batch statistics of a training-mode pass (shaped as γ: [C], or [P, C] for a pack). */
export interface BatchNormResult {
  y: tf.Tensor;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/**
 * Training-mode batch normalisation of `x` over every axis but the last; differentiable in `x`,
 * `gamma` and `beta`. The caller disposes `mean` and `variance`. With γ and β of shape [P, C], x is
 * a pack of P runs, [P, B, C], each normalised over its own B rows (`packed_mlp.ts`).
 *
 * @example
 * ```ts
 * const c = 3, x = tf.randomNormal([4, c]);
 * const normalised = batchNormTraining(x, tf.ones([c]), tf.zeros([c]), 1e-5);
 * normalised.y.shape; // [4, 3]
 * ```
 */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor1D | tf.Tensor2D,
  beta: tf.Tensor1D | tf.Tensor2D,
  epsilon: number,
): BatchNormResult {
  const native = hasKernel(BATCH_NORM_TRAINING);
  if (gamma.rank === 2 && !native) return packedByChannels(x, gamma as tf.Tensor2D, beta as tf.Tensor2D, epsilon);
  const channels = x.shape[x.shape.length - 1];
  const rows = x.size / channels;
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  let mean: tf.Tensor1D | null = null, variance: tf.Tensor1D | null = null;
  const normalise = tf.customGrad(
    ((x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, save: tf.GradSaveFunc) => {
      let y: tf.Tensor;
      if (native) {
        const out = tf.engine().runKernel(BATCH_NORM_TRAINING, { x, scale: gamma, offset: beta }, { epsilon });
        [y, mean, variance] = out as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
      } else {
        const moments = tf.moments(x, axes);
        [mean, variance] = [moments.mean as tf.Tensor1D, moments.variance as tf.Tensor1D];
        y = tf.batchNorm(x, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, epsilon);
      }
      tf.keep(mean!);
      tf.keep(variance!);
      save([x, gamma, beta, mean!, variance!]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, g, b, mu, v] = saved;
          if (native) {
            const inputs = { dy, x: xs, scale: g, offset: b, mean: mu, variance: v };
            return tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, inputs, { epsilon }) as tf.Tensor[];
          }
          const invStd = tf.rsqrt(tf.add(v, epsilon));
          const xhat = tf.mul(tf.sub(xs, mu), invStd);
          const dBeta = tf.sum(dy, axes);
          const dGamma = tf.sum(tf.mul(dy, xhat), axes);
          const centred = tf.sub(tf.sub(dy, tf.div(dBeta, rows)), tf.mul(xhat, tf.div(dGamma, rows)));
          return [tf.mul(tf.mul(g, invStd), centred), dGamma, dBeta];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  const y = normalise(x, gamma, beta);
  return { y, mean: mean!, variance: variance! };
}

/**
 * A pack of P runs, x [P, B, C] with γ, β [P, C], on a backend without the kernels: the runs side
 * by side as channels, [B, P·C], normalised as one network (each channel's statistics and gradient
 * are those of its run alone).
 */
function packedByChannels(x: tf.Tensor, gamma: tf.Tensor2D, beta: tf.Tensor2D, epsilon: number): BatchNormResult {
  const [runs, channels] = gamma.shape;
  const rows = x.size / (runs * channels);
  const wide = tf.reshape(tf.transpose(x, [1, 0, 2]), [rows, runs * channels]);
  const flat = (t: tf.Tensor2D) => tf.reshape(t, [-1]) as tf.Tensor1D;
  const out = batchNormTraining(wide, flat(gamma), flat(beta), epsilon);
  const y = tf.transpose(tf.reshape(out.y, [rows, runs, channels]), [1, 0, 2]);
  const mean = tf.keep(tf.reshape(out.mean, [runs, channels])),
    variance = tf.keep(tf.reshape(out.variance, [runs, channels]));
  tf.dispose([out.mean, out.variance]);
  return { y, mean: mean as unknown as tf.Tensor1D, variance: variance as unknown as tf.Tensor1D };
}

type LayerVariable = ReturnType<tf.layers.Layer["addWeight"]>;

/** Options of {@link BatchNorm}. */
export interface BatchNormOptions {
  name: string;
  /** Moving-average momentum in TensorFlow's convention (PyTorch's 0.1 is 0.9 here). */
  momentum: number;
  epsilon: number;
}

/**
 * The layer: inference uses the moving statistics (`tf.batchNorm`), training the batch statistics
 * through {@link batchNormTraining} and updates the moving ones as `tf.layers.batchNormalization`.
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([4, 3]);
 * const bn = new BatchNorm({ name: "bn_1", momentum: 0.9, epsilon: 1e-5 });
 * const y = bn.apply(x, { training: true });
 * ```
 */
export class BatchNorm extends tf.layers.Layer {
  static className = "NcBatchNorm";
  readonly momentum: number;
  readonly epsilon: number;
  #gamma!: LayerVariable;
  #beta!: LayerVariable;
  #movingMean!: LayerVariable;
  #movingVariance!: LayerVariable;

  constructor(options: BatchNormOptions) {
    super({ name: options.name });
    this.momentum = options.momentum;
    this.epsilon = options.epsilon;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (channels == null) throw new Error(`${this.name}: the channel axis of the input needs a fixed size`);
    const c = [channels];
    // Same names and order as tf.layers.batchNormalization: checkpoints match weight for weight.
    this.#gamma = this.addWeight("gamma", c, "float32", tf.initializers.ones(), undefined, true);
    this.#beta = this.addWeight("beta", c, "float32", tf.initializers.zeros(), undefined, true);
    this.#movingMean = this.addWeight("moving_mean", c, "float32", tf.initializers.zeros(), undefined, false);
    this.#movingVariance = this.addWeight("moving_variance", c, "float32", tf.initializers.ones(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const gamma = this.#gamma.read() as tf.Tensor1D, beta = this.#beta.read() as tf.Tensor1D;
      if (!kwargs.training) {
        const mean = this.#movingMean.read() as tf.Tensor1D;
        const variance = this.#movingVariance.read() as tf.Tensor1D;
        return tf.batchNorm(x, mean, variance, beta, gamma, this.epsilon);
      }
      const { y, mean, variance } = batchNormTraining(x, gamma, beta, this.epsilon);
      const decay = 1 - this.momentum;
      for (const [moving, batch] of [[this.#movingMean, mean], [this.#movingVariance, variance]] as const) {
        const previous = moving.read();
        moving.write(tf.sub(previous, tf.mul(tf.sub(previous, batch), decay)));
      }
      tf.dispose([mean, variance]);
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(BatchNorm);
