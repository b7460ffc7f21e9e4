/**
 * Training a pack of runs as one graph (`models/packed_mlp.ts`): MLP runs of one shape and one data
 * split that differ in seed, loss, learning rate, weight decay, momentum or clipping.
 *
 * The pack wraps each run's own {@link Trainer}: the run's data order and augmentation come from
 * it batch by batch, its network and optimizer start the pack (initialisation or checkpoint) and
 * receive the pack's weights back at each epoch's end ({@link PackedTrainer.copyToRuns}), where the
 * run is evaluated and checkpointed as if it had trained alone. Each run's step is the arithmetic
 * of its step alone (`packed_mlp.ts`, `packed_sgd.ts`); a run whose loss turns non-finite fails
 * alone: the others' arithmetic never reads its values.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { lossTensor } from "../core/loss_tensors.ts";
import { PackedMlp, stackLike, weightName } from "../models/packed_mlp.ts";
import { faultPoint } from "../store/fault_hook.ts";
import { letEventsIn } from "./stop_signals.ts";
import { ConfigError, type TrainConfig } from "./config.ts";
import { PackedSgd } from "./packed_sgd.ts";
import { batchLossSum, divergence, type EpochOutcome, nonFiniteWeights, type Trainer } from "./train.ts";

/**
 * The keys on which runs of one pack must agree: the data (dataset, split, subset, batch size,
 * augmentation) and the network's shape, and the budget (they train in lockstep). Seed, loss,
 * learning rate and schedule, weight decay, momentum, clipping, reduction and what is evaluated
 * may differ.
 */
export const PACK_SHAPE_KEYS = [
  "dataset",
  "cifar100Labels",
  "synthetic",
  "model",
  "width",
  "depth",
  "batchNorm",
  "epochs",
  "batchSize",
  "augment",
  "valFraction",
  "splitSeed",
  "perClass",
] as const satisfies readonly (keyof TrainConfig)[];

/**
 * Whether a run can train in a pack: an MLP whose evaluation does not augment (an augmented
 * evaluation draws per-run inputs; such runs train alone).
 */
export function packable(config: TrainConfig): boolean {
  return config.model === "mlp" && !config.evalAugment;
}

/**
 * The key of a run's pack: runs with the same key train together.
 *
 * @example
 * ```ts
 * packKey(normalizeTrainConfig({ loss: { name: "ce" }, seed: 1 })) === packKey(normalizeTrainConfig({ loss: { name: "mse" }, seed: 2 })); // true
 * ```
 */
export function packKey(config: TrainConfig): string {
  return JSON.stringify(PACK_SHAPE_KEYS.map((key) => config[key]));
}

/**
 * Refuses runs that cannot train together, naming the run and the keys: every run packable
 * ({@link packable}) and of one pack key.
 *
 * @example
 * ```ts
 * const runs = [normalizeTrainConfig({ loss: { name: "ce" } }), normalizeTrainConfig({ loss: { name: "mse" }, seed: 2 })];
 * checkPack(runs); // passes: they differ in loss and seed only
 * // checkPack([...runs, normalizeTrainConfig({ width: 64 })]) throws "run 3 of the pack differs from run 1 in width"
 * ```
 */
export function checkPack(configs: readonly TrainConfig[]): void {
  if (configs.length === 0) throw new ConfigError("a pack needs at least one run");
  configs.forEach((config, i) => {
    if (!packable(config)) {
      throw new ConfigError(
        `run ${i + 1} of the pack cannot train in a pack (model "${config.model}"${
          config.evalAugment ? ", evalAugment" : ""
        }): packs train MLPs whose evaluation does not augment`,
      );
    }
    const differing = PACK_SHAPE_KEYS.filter((k) => JSON.stringify(config[k]) !== JSON.stringify(configs[0][k]));
    if (differing.length > 0) {
      throw new ConfigError(`run ${i + 1} of the pack differs from run 1 in ${differing.join(", ")}`);
    }
  });
}

/** The pack of runs, around their trainers (which it does not dispose). */
export class PackedTrainer {
  readonly pack: PackedMlp;
  readonly sgd: PackedSgd;

  constructor(readonly trainers: readonly Trainer[]) {
    checkPack(trainers.map((t) => t.config));
    this.pack = PackedMlp.fromNetworks(trainers.map((t) => t.net));
    const velocity = trainers[0].sgd.velocity.map((_, i) =>
      stackLike(trainableName(trainers[0], i), trainers.map((t) => t.sgd.velocity[i]))
    );
    this.sgd = new PackedSgd(this.pack.trainableVariables(), trainers.map((t) => t.sgd.options), velocity);
    tf.dispose(velocity);
  }

  get runs(): number {
    return this.trainers.length;
  }

  get #data() {
    return this.trainers[0].data;
  }

  /**
   * One epoch of every run (1-based `epoch`, the runs' shared position). A run whose loss turns
   * non-finite gets its failure (naming the epoch and batch, as alone); the pack trains on to the
   * epoch's end (its caller builds the next pack without it). Once `signal` is aborted, throws at
   * the next batch.
   */
  async trainEpoch(epoch: number, signal?: AbortSignal): Promise<EpochOutcome[]> {
    const { trainers } = this;
    const runs = trainers.length;
    const lr = trainers.map((t) => t.learningRate(epoch));
    const batches = trainers[0].batchesPerEpoch;
    const numClasses = this.#data.train.numClasses;
    const generators = trainers.map((t) => t.epochBatches(epoch));
    const sums = trainers.map(() => ({ loss: 0, hits: 0, seen: 0 }));
    const failures: (string | null)[] = trainers.map(() => null);
    for (let b = 0; b < batches; b++) {
      const parts = generators.map((g) => g.next().value!);
      const stats = this.trainStep(parts, lr);
      const values = await stats.data();
      stats.dispose();
      for (let r = 0; r < runs; r++) {
        if (failures[r] !== null) continue;
        const { config } = trainers[r];
        const size = parts[r].labels.length;
        const loss = values[r], correct = values[runs + r];
        if (!Number.isFinite(loss)) {
          failures[r] = divergence(loss, epoch, b + 1, batches, lr[r]);
          continue;
        }
        sums[r].loss += batchLossSum(config, loss, size, numClasses);
        sums[r].hits += correct;
        sums[r].seen += size;
      }
      faultPoint("batch");
      await letEventsIn();
      // Stopped (SIGTERM, SIGINT): the epoch is abandoned; the runs keep their last epoch's state.
      signal?.throwIfAborted();
    }
    // The loss can stay finite over a NaN weight: each run's weights are checked (in its trainer).
    for (let r = 0; r < runs; r++) {
      if (failures[r] !== null) continue;
      this.copyToRuns([r]);
      const bad = await trainers[r].nonFiniteParameter();
      if (bad !== null) failures[r] = nonFiniteWeights(bad, epoch);
    }
    return sums.map((s, r) =>
      failures[r] !== null ? { failure: failures[r]! } : { loss: s.loss / s.seen, accuracy: s.hits / s.seen }
    );
  }

  /**
   * One SGD step of every run on its batch (`parts[r]`, all of one size): each run's loss (as
   * reduced for training) and then each run's correct predictions in training mode before the
   * update, as a tensor of 2P values the caller reads and disposes.
   */
  trainStep(parts: readonly { inputs: Float32Array; labels: Int32Array }[], lr: readonly number[]): tf.Tensor1D {
    const { trainers } = this;
    const runs = trainers.length;
    const size = parts[0].labels.length;
    const sampleSize = parts[0].inputs.length / size;
    const odd = parts.findIndex((p) => p.labels.length !== size);
    if (odd >= 0) {
      throw new Error(
        `the runs of a pack take batches of one size: run ${odd + 1}'s has ${
          parts[odd].labels.length
        }, run 1's ${size}`,
      );
    }
    const inputs = new Float32Array(runs * size * sampleSize);
    const labels = new Int32Array(runs * size);
    parts.forEach((p, r) => {
      inputs.set(p.inputs, r * size * sampleSize);
      labels.set(p.labels, r * size);
    });
    const variables = this.pack.trainableVariables();
    return tf.tidy(() => {
      const x = tf.tensor3d(inputs, [runs, size, sampleSize]);
      const y = tf.tensor2d(labels, [runs, size], "int32");
      const ys = runsOf(y) as tf.Tensor1D[];
      let logits: tf.Tensor3D | null = null;
      let losses: tf.Tensor1D | null = null;
      const { grads } = tf.variableGrads(() => {
        const out = this.pack.forwardTraining(x);
        logits = tf.keep(out.logits);
        const perRun = (runsOf(out.logits) as tf.Tensor2D[]).map((z, r) =>
          lossTensor(trainers[r].config.loss, z, ys[r], { reduction: trainers[r].config.reduction })
        );
        losses = tf.keep(tf.stack(perRun) as tf.Tensor1D);
        return tf.addN(perRun) as tf.Scalar;
      }, variables);
      const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits!, 2), y), "float32"), 1);
      this.sgd.step(variables.map((v) => grads[v.name]), lr).dispose();
      const stats = tf.concat([losses!, correct]) as tf.Tensor1D;
      // Kept out of the gradient's scope: released here.
      tf.dispose([logits!, losses!]);
      return stats;
    });
  }

  /** Writes each run's weights and velocity from the pack into its trainer's network and optimizer. */
  copyToRuns(runs: readonly number[] = this.trainers.map((_, r) => r)): void {
    for (const r of runs) {
      const trainer = this.trainers[r];
      this.pack.copyTo(r, trainer.net, { packed: this.sgd.velocity, into: trainer.sgd.velocity });
    }
  }

  /** Releases the pack's weights and velocity (not the runs' trainers). */
  dispose(): void {
    this.sgd.dispose();
    this.pack.dispose();
  }
}

/**
 * The runs of a packed tensor, each in one run's shape. (`tf.unstack` of a single slice breaks its
 * own gradient, which receives a tensor where it expects a list.)
 */
function runsOf(t: tf.Tensor): tf.Tensor[] {
  return t.shape[0] === 1 ? [tf.reshape(t, t.shape.slice(1))] : tf.unstack(t);
}

/** The name of trainable variable `i` of a trainer's network (to stack its velocity as that weight). */
function trainableName(trainer: Trainer, i: number): string {
  return weightName(trainer.net.model.trainableWeights[i].name);
}
