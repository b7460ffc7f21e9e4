/**
 * SGD with momentum, coupled weight decay and gradient clipping, in the reference code's order
 * (docs/method.md §6): clip the loss gradient to a global norm, then add weight decay, then momentum:
 *
 *   g ← g · min(1, c / (‖g‖ + 1e-6));  g ← g + λ·p;  v ← μ·v + g;  p ← p − lr·v
 *
 * (PyTorch's `clip_grad_norm_` then `SGD(momentum, weight_decay)`; v starts at 0, which equals
 * PyTorch's first-step v = g.) Weight decay applies to every parameter, batch-norm and biases
 * included.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { SGD_UPDATE } from "../backend/native_sgd.ts";
import { SUM_OF_SQUARES } from "../backend/float64_reductions.ts";

/** Options of {@link Sgd}. */
export interface SgdOptions {
  momentum: number;
  weightDecay: number;
  /** Global-norm clipping threshold; 0 disables clipping. */
  clipNorm: number;
}

/**
 * The optimizer over a fixed list of variables.
 *
 * @example
 * ```ts
 * const vars = [tf.variable(tf.ones([2]))];
 * const sgd = new Sgd(vars, { momentum: 0.9, weightDecay: 5e-4, clipNorm: 2 });
 * sgd.step([tf.ones([2])], 0.1);
 * ```
 */
export class Sgd {
  readonly velocity: tf.Variable[];

  constructor(readonly variables: tf.Variable[], readonly options: SgdOptions) {
    // The zeros are released with the scope; each variable keeps its own reference to them.
    this.velocity = tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false)));
  }

  /** One update with gradients in the order of `variables`; returns the pre-clipping global norm (a scalar tensor the caller disposes). */
  step(grads: tf.Tensor[], lr: number): tf.Scalar {
    const { momentum, weightDecay, clipNorm } = this.options;
    // One fused kernel per parameter (native) and per squared norm (native, wasm) where the backend has them.
    const fused = tf.getKernel(SGD_UPDATE, tf.getBackend()) !== undefined;
    const sumOfSquares = tf.getKernel(SUM_OF_SQUARES, tf.getBackend()) !== undefined;
    const squares = (g: tf.Tensor) =>
      sumOfSquares ? tf.engine().runKernel(SUM_OF_SQUARES, { x: g }) as tf.Scalar : tf.sum(tf.square(g));
    return tf.tidy(() => {
      const norm = tf.sqrt(tf.addN(grads.map(squares))) as tf.Scalar;
      const coefficient = clipNorm > 0 ? tf.minimum(1, tf.div(clipNorm, tf.add(norm, 1e-6))) : tf.scalar(1);
      this.variables.forEach((p, i) => {
        if (fused) {
          const inputs = { p, v: this.velocity[i], g: grads[i], coefficient };
          const [pNew, vNew] = tf.engine().runKernel(SGD_UPDATE, inputs, { momentum, weightDecay, lr }) as tf.Tensor[];
          this.velocity[i].assign(vNew);
          p.assign(pNew);
          return;
        }
        const g = tf.add(tf.mul(grads[i], coefficient), tf.mul(p, weightDecay));
        const v = tf.add(tf.mul(this.velocity[i], momentum), g);
        this.velocity[i].assign(v);
        p.assign(tf.sub(p, tf.mul(v, lr)));
      });
      return tf.keep(norm);
    });
  }

  /** Releases the velocity buffers. */
  dispose(): void {
    tf.dispose(this.velocity);
  }
}
