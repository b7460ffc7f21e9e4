/**
 * The optimizer of a pack (`models/packed_mlp.ts`): {@link Sgd}'s update for P runs at once, each
 * with its own momentum, weight decay, clipping threshold and learning rate, over parameters
 * stacked on a leading run axis.
 *
 * Each run's update is the arithmetic of `Sgd` for that run alone: its global gradient norm sums
 * the squares of its own slices (`NcSumOfSquares` with `groups`, in the same chunks), its clipping
 * coefficient is computed element-wise from its norm, and the update applies its own
 * hyper-parameters (`NcSgdUpdate` with per-run attributes on `native`; broadcast element-wise
 * operations elsewhere, in `Sgd`'s order).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { SGD_UPDATE } from "../backend/native_sgd.ts";
import { SUM_OF_SQUARES } from "../backend/float64_reductions.ts";
import type { SgdOptions } from "./optimizer.ts";

/**
 * The optimizer over stacked variables.
 *
 * @example
 * ```ts
 * const p = [tf.variable(tf.ones([2, 3]))]; // two runs of a 3-vector
 * const sgd = new PackedSgd(p, [{ momentum: 0.9, weightDecay: 5e-4, clipNorm: 2 }, { momentum: 0.9, weightDecay: 0, clipNorm: 0 }]);
 * sgd.step([tf.ones([2, 3])], [0.1, 0.05]).dispose();
 * ```
 */
export class PackedSgd {
  readonly velocity: tf.Variable[];
  readonly runs: number;

  /**
   * `options` has one entry per run; `velocity`, when given, the stacked starting velocity of each
   * variable (a resumed run's), else zeros.
   */
  constructor(
    readonly variables: tf.Variable[],
    readonly options: readonly SgdOptions[],
    velocity?: readonly tf.Tensor[],
  ) {
    this.runs = options.length;
    for (const v of variables) {
      if (v.shape[0] !== this.runs) {
        throw new Error(`packed variable ${v.name} has ${v.shape[0]} runs on its leading axis, the pack ${this.runs}`);
      }
    }
    // Zeros are released with the scope; each variable keeps its own reference to its values.
    this.velocity = tf.tidy(() =>
      variables.map((v, i) => tf.variable(velocity ? velocity[i] : tf.zerosLike(v), false))
    );
  }

  /**
   * One update with gradients in the order of `variables` and one learning rate per run; returns
   * each run's pre-clipping global norm ([P], a tensor the caller disposes).
   */
  step(grads: tf.Tensor[], lr: readonly number[]): tf.Tensor1D {
    const { runs, options } = this;
    const momentum = options.map((o) => o.momentum), weightDecay = options.map((o) => o.weightDecay);
    const clip = options.map((o) => o.clipNorm);
    const fused = tf.getKernel(SGD_UPDATE, tf.getBackend()) !== undefined;
    const sumOfSquares = tf.getKernel(SUM_OF_SQUARES, tf.getBackend()) !== undefined;
    const squares = (g: tf.Tensor) =>
      sumOfSquares
        ? tf.engine().runKernel(SUM_OF_SQUARES, { x: g }, { groups: runs }) as tf.Tensor1D
        : tf.sum(tf.square(g), g.shape.slice(1).map((_, i) => i + 1)) as tf.Tensor1D;
    return tf.tidy(() => {
      const norm = tf.sqrt(tf.addN(grads.map(squares))) as tf.Tensor1D;
      // Sgd: min(1, c / (‖g‖ + 1e-6)) where the run clips, 1 where it does not.
      const clipped = tf.minimum(1, tf.div(tf.tensor1d(clip), tf.add(norm, 1e-6)));
      const coefficient = tf.where(tf.tensor1d(clip.map((c) => c > 0), "bool"), clipped, tf.onesLike(clipped));
      this.variables.forEach((p, i) => {
        if (fused) {
          const inputs = { p, v: this.velocity[i], g: grads[i], coefficient };
          const attrs = { momentum, weightDecay, lr: [...lr] };
          const [pNew, vNew] = tf.engine().runKernel(SGD_UPDATE, inputs, attrs as never) as tf.Tensor[];
          this.velocity[i].assign(vNew);
          p.assign(pNew);
          return;
        }
        // One value per run, broadcast over the run's slice.
        const perRun = (values: readonly number[] | tf.Tensor) =>
          tf.reshape(values instanceof tf.Tensor ? values : tf.tensor1d([...values]), [
            runs,
            ...p.shape.slice(1).map(() => 1),
          ]);
        const g = tf.add(tf.mul(grads[i], perRun(coefficient)), tf.mul(p, perRun(weightDecay)));
        const v = tf.add(tf.mul(this.velocity[i], perRun(momentum)), g);
        this.velocity[i].assign(v);
        p.assign(tf.sub(p, tf.mul(v, perRun(lr))));
      });
      return tf.keep(norm);
    });
  }

  /** Releases the velocity buffers. */
  dispose(): void {
    tf.dispose(this.velocity);
  }
}
