/**
 * The training loop of one run: data preparation, the network, one epoch of SGD, and the
 * evaluation row of an epoch. The run around them (checkpoints, resume, the best-validation
 * summary) is `run.ts`.
 *
 * Randomness is derived from the run's seed and the epoch: the data order of epoch e comes from
 * the seed "seed:order:e", its augmentation from "seed:augment:e", and evaluation-time augmentation
 * from "seed:eval-augment:e". A run resumed at an epoch boundary therefore needs no generator
 * state beyond (seed, epoch) and reproduces the uninterrupted run exactly on the same backend.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { lossTensor } from "../core/loss_tensors.ts";
import { reductionScale } from "../core/losses.ts";
import type { NcMetrics } from "../core/nc_metrics.ts";
import { createRng } from "../core/random.ts";
import { makeBatch } from "../data/batches.ts";
import { type Dataset, datasetSize, sampleSize } from "../data/dataset.ts";
import { loadDataset } from "../data/load.ts";
import { perClassSubset, permutation, validationSplit } from "../data/split.ts";
import { ConfigError, type TrainConfig } from "./config.ts";
import { buildMlp } from "../models/mlp.ts";
import { forward, type Network, trainableVariables } from "../models/network.ts";
import { buildResNet18, buildResNet50 } from "../models/resnet.ts";
import {
  evaluationPass,
  type LayerCollapse,
  type PreparedSplit,
  prepareSplit,
  type SplitScores,
  trainSplitCollapse,
} from "./evaluate.ts";
import { Sgd } from "./optimizer.ts";
import { faultPoint } from "../store/fault_hook.ts";
import { letEventsIn } from "./stop_signals.ts";
import { learningRate } from "./schedule.ts";

/**
 * Largest split (bytes of normalised float32 inputs) a trainer keeps for its evaluation passes:
 * every split of Fashion-MNIST and CIFAR's validation and test sets; CIFAR's training split is
 * assembled batch by batch.
 */
export const EVALUATION_CACHE_BYTES = 128 * 2 ** 20;

/** Samples per evaluation pass of an MLP: a few large products instead of many small ones. */
export const MLP_EVALUATION_ROWS = 8192;

/** Splits of a run: training and validation indices into the training set, and the test set. */
export interface PreparedData {
  readonly train: Dataset;
  readonly trainIndices: Int32Array;
  readonly valIndices: Int32Array;
  readonly test: Dataset;
  readonly testIndices: Int32Array;
}

/**
 * Loads the dataset and applies the seeded validation hold-out and the per-class subset.
 *
 * @example
 * ```ts ignore (needs the Fashion-MNIST files)
 * const data = prepareData(config); // 54000 train, 6000 validation, 10000 test for Fashion-MNIST
 * ```
 */
export function prepareData(config: TrainConfig, options: { dataDir?: string } = {}): PreparedData {
  const { train, test } = loadDataset(config.dataset, {
    dataDir: options.dataDir,
    cifar100Labels: config.cifar100Labels,
    synthetic: config.synthetic ?? undefined,
    syntheticSeed: config.splitSeed,
  });
  const split = validationSplit(datasetSize(train), { fraction: config.valFraction, seed: config.splitSeed });
  const trainIndices = config.perClass === null
    ? split.train
    : perClassSubset(split.train, train.labels, config.perClass, config.splitSeed);
  if (config.batchSize > trainIndices.length) {
    throw new ConfigError(
      `config "batchSize" (${config.batchSize}) is larger than the ${trainIndices.length} training samples of ${train.name}`,
    );
  }
  return {
    train,
    trainIndices,
    valIndices: split.validation,
    test,
    testIndices: Int32Array.from({ length: datasetSize(test) }, (_, i) => i),
  };
}

/** Builds the configured model for the dataset's input shape and classes. */
function buildNetwork(config: TrainConfig, inputShape: readonly number[], numClasses: number): Network {
  const common = { inputShape, numClasses, width: config.width, seed: config.seed };
  switch (config.model) {
    case "mlp":
      return buildMlp({ ...common, depth: config.depth, batchNorm: config.batchNorm });
    case "resnet18":
      return buildResNet18(common);
    case "resnet50":
      return buildResNet50(common);
  }
}

/** One evaluation: accuracies, losses and NC metrics of an epoch. */
export interface MetricsRow extends NcMetrics {
  epoch: number;
  lr: number;
  /** Mean training loss and accuracy over the epoch's batches (training mode, as trained). */
  trainStepLoss: number;
  trainStepAccuracy: number;
  /** Training split in inference mode (augmented when `evalAugment`), as the reference code. */
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  evalAugment: boolean;
  /** Every hidden layer's collapse, input side first (only with `layerMetrics`). */
  layers?: LayerCollapse[];
  /** Training plus evaluation seconds since the run started, over all its sessions. */
  wallSeconds: number;
}

/** Progress within an epoch. */
export interface BatchProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Running mean loss per sample and accuracy over the epoch so far. */
  loss: number;
  accuracy: number;
}

/**
 * The sum of a batch's per-sample losses (MSE: mean over classes) from its loss as reduced for
 * training, whatever the reduction.
 */
export function batchLossSum(config: TrainConfig, loss: number, size: number, numClasses: number): number {
  return config.reduction === "mean" ? loss * size : loss / reductionScale(config.loss, "sum", size, numClasses);
}

/** Why training stopped: the non-finite loss, where, and at which learning rate. */
export function divergence(loss: number, epoch: number, batch: number, batches: number, lr: number): string {
  return `loss became ${loss} at epoch ${epoch}, batch ${batch} of ${batches} (lr ${lr})`;
}

/**
 * The first of `tensors` (named by `names`) holding a NaN or an infinity, or null: one cheap
 * reduction each (Σ 0·x, NaN exactly when some x is not finite), read back at once. The loss alone
 * cannot tell: a ReLU may map a NaN weight's outputs to 0 and the loss stay finite.
 */
export async function firstNonFiniteTensor(
  tensors: readonly tf.Tensor[],
  names: readonly string[],
): Promise<string | null> {
  const sums = tf.tidy(() => tf.stack(tensors.map((t) => tf.sum(tf.mul(t, 0)))));
  const values = await sums.data();
  sums.dispose();
  const bad = values.findIndex((v) => !Number.isFinite(v));
  return bad < 0 ? null : names[bad];
}

/** Why training stopped after an epoch whose loss stayed finite: the first non-finite parameter. */
export function nonFiniteWeights(parameter: string, epoch: number): string {
  return `parameter ${parameter} became non-finite (NaN or infinite) during epoch ${epoch}, though the loss stayed finite`;
}

/** Result of an epoch: mean loss and accuracy, or why training stopped. */
export type EpochOutcome = { loss: number; accuracy: number } | { failure: string };

/** Evaluation splits normalised once per loaded data (null: too large to keep, see {@link EVALUATION_CACHE_BYTES}). */
const preparedSplits = new WeakMap<PreparedData, Map<"train" | "val" | "test", PreparedSplit | null>>();

/** The network, its optimizer and the data of a run. */
export class Trainer {
  readonly net: Network;
  readonly sgd: Sgd;
  readonly #variables: tf.Variable[];

  constructor(readonly config: TrainConfig, readonly data: PreparedData) {
    this.net = buildNetwork(config, data.train.sampleShape, data.train.numClasses);
    this.#variables = trainableVariables(this.net);
    this.sgd = new Sgd(this.#variables, {
      momentum: config.momentum,
      weightDecay: config.weightDecay,
      clipNorm: config.clipNorm,
    });
  }

  /** Batches per epoch. */
  get batchesPerEpoch(): number {
    return Math.ceil(this.data.trainIndices.length / this.config.batchSize);
  }

  /**
   * Samples per forward pass of an evaluation (inference mode, no gradient tape): an MLP takes up to
   * {@link MLP_EVALUATION_ROWS} at once, a convolutional network its training batch size (its
   * activations are large). Features do not depend on it (each sample's forward pass is the same
   * arithmetic); split losses, summed per pass, do in their last digits.
   */
  get evaluationBatchSize(): number {
    return this.config.model === "mlp" ? Math.max(this.config.batchSize, MLP_EVALUATION_ROWS) : this.config.batchSize;
  }

  /** Learning rate of a 1-based epoch. */
  learningRate(epoch: number): number {
    return learningRate(epoch, { epochs: this.config.epochs, base: this.config.lr, kind: this.config.schedule });
  }

  /** The batches of a 1-based epoch in training order: a seeded permutation, augmented when the config says so. */
  *epochBatches(epoch: number): Generator<{ inputs: Float32Array; labels: Int32Array }> {
    const { config, data } = this;
    const order = permutation(data.trainIndices.length, `${config.seed}:order:${epoch}`);
    const rng = config.augment ? createRng(`${config.seed}:augment:${epoch}`) : undefined;
    const indices = new Int32Array(config.batchSize);
    for (let start = 0; start < order.length; start += config.batchSize) {
      const size = Math.min(config.batchSize, order.length - start);
      for (let i = 0; i < size; i++) indices[i] = data.trainIndices[order[start + i]];
      yield makeBatch(data.train, indices.subarray(0, size), rng);
    }
  }

  /**
   * One epoch of SGD; stops at the first non-finite loss with a reason naming the epoch and batch.
   */
  async trainEpoch(epoch: number, onBatch?: (p: BatchProgress) => void): Promise<EpochOutcome> {
    const { config, data } = this;
    const lr = this.learningRate(epoch);
    const batches = this.batchesPerEpoch;
    let lossSum = 0, hits = 0, seen = 0, b = 0;
    for (const batch of this.epochBatches(epoch)) {
      const size = batch.labels.length;
      const stats = this.trainStep(batch, lr);
      const [loss, correct] = await stats.data();
      stats.dispose();
      if (!Number.isFinite(loss)) return { failure: divergence(loss, epoch, b + 1, batches, lr) };
      lossSum += batchLossSum(config, loss, size, data.train.numClasses);
      hits += correct;
      seen += size;
      b++;
      onBatch?.({ epoch, epochs: config.epochs, batch: b, batches, loss: lossSum / seen, accuracy: hits / seen });
      faultPoint("batch");
      await letEventsIn();
    }
    const bad = await this.nonFiniteParameter();
    if (bad !== null) return { failure: nonFiniteWeights(bad, epoch) };
    return { loss: lossSum / seen, accuracy: hits / seen };
  }

  /** The name of the first weight or velocity of the run holding a NaN or an infinity, or null. */
  nonFiniteParameter(): Promise<string | null> {
    const weights = this.net.model.weights;
    return firstNonFiniteTensor(
      [...weights.map((w) => w.read()), ...this.sgd.velocity],
      [...weights.map((w) => w.name), ...this.#variables.map((v) => `velocity of ${v.name}`)],
    );
  }

  /**
   * One SGD step on a batch: the loss (as reduced for training) and the number of correct
   * predictions in training mode, before the update, as a tensor of two values the caller reads
   * and disposes.
   */
  trainStep(batch: { inputs: Float32Array; labels: Int32Array }, lr: number): tf.Tensor1D {
    const { config, net } = this;
    const size = batch.labels.length;
    return tf.tidy(() => {
      const x = tf.tensor(batch.inputs, [size, ...net.inputShape]);
      const y = tf.tensor1d(batch.labels, "int32");
      let logits: tf.Tensor2D | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const out = forward(net, x, { training: true });
        logits = tf.keep(out.logits);
        return lossTensor(config.loss, out.logits, y, { reduction: config.reduction });
      }, this.#variables);
      const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits!, 1), y), "float32"));
      tf.dispose(logits!);
      this.sgd.step(this.#variables.map((v) => grads[v.name]), lr).dispose();
      return tf.stack([value, correct]) as tf.Tensor1D;
    });
  }

  /**
   * A split normalised once for its evaluation passes, or undefined when it is too large to keep;
   * shared by every trainer of the same {@link PreparedData} (the runs of a pack).
   */
  #preparedSplit(name: "train" | "val" | "test"): PreparedSplit | undefined {
    let prepared = preparedSplits.get(this.data);
    if (!prepared) preparedSplits.set(this.data, prepared = new Map());
    if (!prepared.has(name)) {
      const { data } = this;
      const [dataset, indices] = name === "test"
        ? [data.test, data.testIndices]
        : [data.train, name === "val" ? data.valIndices : data.trainIndices];
      const bytes = 4 * indices.length * sampleSize(dataset);
      prepared.set(name, bytes <= EVALUATION_CACHE_BYTES ? prepareSplit(dataset, indices) : null);
    }
    return prepared.get(name) ?? undefined;
  }

  /**
   * Accuracy and mean per-sample loss on the validation hold-out (inference mode, never augmented),
   * as the reference code measures after every epoch to keep its best-validation model.
   */
  validate(): Promise<SplitScores> {
    const { config, data, net } = this;
    return evaluationPass(net, data.train, data.valIndices, {
      loss: config.loss,
      batchSize: this.evaluationBatchSize,
      prepared: this.#preparedSplit("val"),
    });
  }

  /** Accuracy and mean per-sample loss on the test set (inference mode). */
  testScores(): Promise<SplitScores> {
    const { config, data, net } = this;
    return evaluationPass(net, data.test, data.testIndices, {
      loss: config.loss,
      batchSize: this.evaluationBatchSize,
      prepared: this.#preparedSplit("test"),
    });
  }

  /**
   * Evaluates the end of `epoch`: every split's accuracy and loss, and the NC metrics. `val`, when
   * given, is this epoch's validation result (from {@link validate}), not computed again.
   */
  async evaluate(
    epoch: number,
    step: { loss: number; accuracy: number },
    wallSeconds: number,
    val?: SplitScores,
  ): Promise<MetricsRow> {
    const { config, data, net } = this;
    const augmentSeed = config.evalAugment ? `${config.seed}:eval-augment:${epoch}` : undefined;
    // An augmented pass draws its own batches; otherwise the split is normalised once for every pass.
    const prepared = augmentSeed === undefined ? this.#preparedSplit("train") : undefined;
    const options = { loss: config.loss, batchSize: this.evaluationBatchSize, augmentSeed, prepared };
    const { scores: train, metrics, layers } = await trainSplitCollapse(net, data.train, data.trainIndices, {
      ...options,
      layers: config.layerMetrics,
    });
    faultPoint("evaluate");
    val ??= await this.validate();
    const test = await this.testScores();
    return {
      epoch,
      lr: this.learningRate(epoch),
      trainStepLoss: step.loss,
      trainStepAccuracy: step.accuracy,
      trainLoss: train.loss,
      trainAccuracy: train.accuracy,
      valLoss: val.loss,
      valAccuracy: val.accuracy,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      evalAugment: config.evalAugment,
      ...metrics,
      ...(layers ? { layers } : {}),
      wallSeconds,
    };
  }

  /** Releases the network's and optimizer's tensors. */
  dispose(): void {
    this.sgd.dispose();
    this.net.model.dispose();
  }
}
