/**
 * The record a run keeps of its epochs, whether it trains alone (`run.ts`) or in a pack
 * (`run_pack.ts`): its configuration file and status, the resume from its checkpoint, the
 * validation after every epoch, the evaluation rows at the evaluation epochs, the first epoch with
 * the best validation accuracy, the checkpoint after every epoch, and the best-validation summary
 * when it is done.
 *
 * The test set is read at the evaluation epochs and once more at the end, for the best validation
 * epoch when that was not an evaluation epoch: its weights are kept (in memory and in the
 * checkpoint) until a better epoch replaces them or the run ends. The test scores are those a test
 * pass at that epoch would give (the same weights, the same pass), without one pass per new best.
 *
 * @module
 */
import { existsSync, renameSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import {
  type CheckpointArray,
  CheckpointError,
  DamagedCheckpointError,
  readCheckpointHeader,
} from "../store/checkpoint_file.ts";
import {
  readRunSettings,
  runFiles,
  type RunSettings,
  type RunStatus as StoredStatus,
  type StoredRun,
  writeRunConfig,
  writeRunRows,
  writeRunSettings,
  writeRunStatus,
} from "../store/run_dir.ts";
import { NATIVE_BACKEND } from "../backend/native_backend.ts";
import { nativeThreads, setNativeThreads } from "../backend/native_libraries.ts";
import { checkpointTensors, loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { evaluationEpochs, type TrainConfig } from "./config.ts";
import type { MetricsRow, Trainer } from "./train.ts";

/**
 * Best-validation summary of a finished run. As the reference code, validation accuracy is measured
 * after every epoch (not only at the evaluation epochs of the metrics) and the earliest epoch with
 * the highest validation accuracy is chosen; its test accuracy is what the paper reports.
 */
export interface RunSummary {
  epochs: number;
  final: MetricsRow;
  /** The epoch chosen: the first with the highest validation accuracy among all epochs. */
  bestValEpoch: number;
  bestValAccuracy: number;
  bestValTestAccuracy: number;
  bestValTestLoss: number;
  /** Validation accuracy after each epoch 1…E (the choice's whole record). */
  valAccuracies: number[];
  wallSeconds: number;
}

/**
 * A run cannot resume with this process's settings: it started on another backend, whose results
 * the rest of the run would not match.
 */
export class RunSettingsError extends Error {
  override name = "RunSettingsError";
}

/** This process's settings that a run's results depend on. */
function currentSettings(): RunSettings {
  const backend = tf.getBackend();
  return { backend, threads: backend === NATIVE_BACKEND ? nativeThreads() : null };
}

const describeSettings = (s: RunSettings) =>
  s.threads === null ? s.backend : `${s.backend} with ${s.threads} thread${s.threads === 1 ? "" : "s"}`;

/** The status file of a training run. */
export type RunStatus = StoredStatus<RunSummary>;

/** A training run as stored. */
export type RunRecord = StoredRun<TrainConfig, MetricsRow, RunSummary>;

/**
 * The best validation epoch so far and the test scores at it: known when the epoch was an
 * evaluation epoch, else null until the run ends (the checkpoint then holds that epoch's weights).
 */
interface BestValidation {
  epoch: number;
  valAccuracy: number;
  testAccuracy: number | null;
  testLoss: number | null;
}

/** The progress a checkpoint holds besides the tensors. */
interface Progress {
  epoch: number;
  rows: MetricsRow[];
  wallSeconds: number;
  /** Validation accuracy after each finished epoch. */
  valAccuracies: number[];
  best: BestValidation | null;
}

/**
 * One run's record over its epochs, around its {@link Trainer} (whose network and optimizer hold
 * the run's weights at each epoch's end).
 *
 * @example
 * ```ts ignore (trains a run)
 * const book = new RunBook(trainer, id, dir, console.error);
 * for (let epoch = book.open() + 1; epoch <= config.epochs; epoch++) {
 *   book.startEpoch(epoch);
 *   const outcome = await trainer.trainEpoch(epoch);
 *   if ("failure" in outcome) { book.fail(epoch, outcome.failure); break; }
 *   await book.endEpoch(epoch, outcome, seconds);
 * }
 * await book.finish();
 * ```
 */
export class RunBook {
  readonly #files: ReturnType<typeof runFiles>;
  readonly #backend = tf.getBackend();
  readonly #evaluateAt: Set<number>;
  #progress: Progress = { epoch: 0, rows: [], wallSeconds: 0, valAccuracies: [], best: null };
  /** The network's weights at the best validation epoch while its test scores are pending. */
  #bestWeights: CheckpointArray[] = [];

  constructor(
    readonly trainer: Trainer,
    readonly id: string,
    readonly dir: string,
    readonly log: (line: string) => void,
  ) {
    this.#files = runFiles(dir);
    this.#evaluateAt = new Set(evaluationEpochs(trainer.config.evalEpochs, trainer.config.epochs));
  }

  get config(): TrainConfig {
    return this.trainer.config;
  }

  /** The tensors of the run's checkpoint: the network's weights and the optimizer's velocity. */
  #tensors(): tf.Tensor[] {
    return checkpointTensors(this.trainer.net.model, this.trainer.sgd.velocity);
  }

  #setStatus(status: Omit<RunStatus, "backend" | "updatedAt">): void {
    writeRunStatus(this.dir, { ...status, backend: this.#backend });
  }

  /** The native backend's threads this run trains with (null on other backends), once opened. */
  threads: number | null = null;

  /**
   * Records the settings a new run starts with; a resumed run keeps those it started with: the
   * native backend's threads are set to its count (see {@link restoreSettings}), and a run that
   * started on another backend is a {@link RunSettingsError} naming both.
   */
  #settle(resuming: boolean): void {
    const current = currentSettings();
    const recorded = resuming ? readRunSettings(this.dir) : null;
    if (recorded === null) {
      writeRunSettings(this.dir, current);
    } else if (recorded.backend !== current.backend) {
      throw new RunSettingsError(
        `run ${this.id} started on ${describeSettings(recorded)} and would resume on ${
          describeSettings(current)
        }, matching neither's uninterrupted run: resume it with --backend ${recorded.backend} (NC_BACKEND=${recorded.backend}), or remove ${this.dir} to train it again`,
      );
    } else if (recorded.threads !== null && current.threads !== null && recorded.threads !== current.threads) {
      this.log(
        `[nc] ${this.id} started with ${recorded.threads} native threads: it resumes with ${recorded.threads}, not ${current.threads}, to match its uninterrupted run`,
      );
      this.#restoreThreads = current.threads;
      setNativeThreads(recorded.threads);
    }
    this.threads = recorded?.threads ?? current.threads;
  }

  #restoreThreads: number | null = null;

  /** Sets the native backend's threads back to the process's own when this run changed them. */
  restoreSettings(): void {
    if (this.#restoreThreads !== null) setNativeThreads(this.#restoreThreads);
    this.#restoreThreads = null;
  }

  /**
   * Writes the configuration file (once), keeps the run's settings (`settings.json`), loads the
   * checkpoint into the trainer when there is one, and returns the last finished epoch (0 for a new
   * run).
   */
  open(): number {
    if (!existsSync(this.#files.config)) writeRunConfig(this.dir, this.config);
    const checkpoint = this.#files.checkpoint;
    this.#settle(existsSync(checkpoint));
    try {
      ({ progress: this.#progress, bestWeights: this.#bestWeights } = resume(
        checkpoint,
        this.#tensors(),
        this.trainer.net.model.weights.length,
        this.config,
        this.dir,
      ));
    } catch (error) {
      if (!(error instanceof DamagedCheckpointError)) throw error;
      // Never continue from weights that cannot be trusted: keep the file aside and start again (the
      // file is refused whole before any tensor is assigned, so the network holds its initial weights).
      renameSync(checkpoint, `${checkpoint}.damaged`);
      this.log(`[nc] ${error.message}; kept as checkpoint.bin.damaged, training ${this.id} from the start`);
    }
    const epoch = this.#progress.epoch;
    this.log(epoch > 0 ? `[nc] resuming ${this.id} after epoch ${epoch}` : `[nc] training ${this.id}`);
    writeRunRows(this.dir, this.#progress.rows);
    return epoch;
  }

  /** Marks the run as training `epoch`. */
  startEpoch(epoch: number): void {
    this.#setStatus({ state: "running", epoch: epoch - 1 });
  }

  /** Records the run as failed during `epoch` (its last checkpoint stays that of the epoch before). */
  fail(epoch: number, reason: string): void {
    this.#setStatus({ state: "failed", epoch: epoch - 1, reason });
    this.log(`[nc] run ${this.id} failed: ${reason}`);
  }

  /**
   * After `epoch` trained in `trainSeconds` with the mean training loss and accuracy `step`:
   * validates, evaluates at an evaluation epoch, keeps the best validation epoch, writes the
   * checkpoint and then the rows it covers. Returns the evaluation row, or null.
   */
  async endEpoch(
    epoch: number,
    step: { loss: number; accuracy: number },
    trainSeconds: number,
  ): Promise<MetricsRow | null> {
    const { trainer } = this;
    let wallSeconds = this.#progress.wallSeconds + trainSeconds;
    const evalStarted = performance.now();
    const val = await trainer.validate();
    let row: MetricsRow | null = null;
    if (this.#evaluateAt.has(epoch)) {
      row = await trainer.evaluate(epoch, step, wallSeconds, val);
      row.wallSeconds = wallSeconds + (performance.now() - evalStarted) / 1000;
    }
    // Keep the first epoch with the highest validation accuracy, and its test scores: from the
    // evaluation row, or later from its weights (only the last best one is ever tested).
    let best = this.#progress.best;
    if (best === null || val.accuracy > best.valAccuracy) {
      best = {
        epoch,
        valAccuracy: val.accuracy,
        testAccuracy: row?.testAccuracy ?? null,
        testLoss: row?.testLoss ?? null,
      };
      this.#bestWeights = row ? [] : await weightArrays(trainer);
    }
    wallSeconds += (performance.now() - evalStarted) / 1000;
    const progress = this.#progress = {
      epoch,
      rows: row ? [...this.#progress.rows, row] : this.#progress.rows,
      wallSeconds,
      valAccuracies: [...this.#progress.valAccuracies, val.accuracy],
      best,
    };
    await saveCheckpoint(this.#files.checkpoint, this.#tensors(), {
      runId: this.id,
      config: this.config,
      state: progress,
    }, this.#bestWeights);
    if (row) writeRunRows(this.dir, progress.rows);
    return row;
  }

  /** Marks the run as stopped after `epoch` (resumable: its checkpoint is written). */
  pause(epoch: number): void {
    this.#setStatus({ state: "running", epoch });
  }

  /**
   * Writes the done status with the best-validation summary; when the best epoch was not an
   * evaluation epoch, its test scores are measured now, from its weights (which the network then
   * holds).
   */
  async finish(): Promise<void> {
    const { epochs } = this.config;
    const best = this.#progress.best!;
    if (best.testAccuracy === null) {
      // The test scores of the best validation epoch, from its weights (the run's last use of them).
      const weights = this.trainer.net.model.weights;
      tf.tidy(() =>
        weights.forEach((w, i) =>
          (w.read() as tf.Variable).assign(tf.tensor(this.#bestWeights[i].values, [...this.#bestWeights[i].shape]))
        )
      );
      const started = performance.now();
      const test = await this.trainer.testScores();
      this.#progress = {
        ...this.#progress,
        best: { ...best, testAccuracy: test.accuracy, testLoss: test.loss },
        wallSeconds: this.#progress.wallSeconds + (performance.now() - started) / 1000,
      };
    }
    this.#setStatus({ state: "done", epoch: epochs, summary: summarize(this.#progress, epochs) });
  }
}

/**
 * The progress of the run's checkpoint (loaded into `tensors`) and the pending best epoch's
 * weights (`weightCount` arrays when its test scores are pending), or the start when there is none.
 */
function resume(
  path: string,
  tensors: tf.Tensor[],
  weightCount: number,
  config: TrainConfig,
  dir: string,
): { progress: Progress; bestWeights: CheckpointArray[] } {
  if (!existsSync(path)) {
    return { progress: { epoch: 0, rows: [], wallSeconds: 0, valAccuracies: [], best: null }, bestWeights: [] };
  }
  const pending = readCheckpointHeader<{ state: Progress }>(path).state.best?.testAccuracy === null;
  const { state: progress, extras } = loadCheckpoint<Progress>(path, tensors, config, {
    extras: pending ? weightCount : 0,
  });
  if (!Array.isArray(progress.valAccuracies) || progress.valAccuracies.length !== progress.epoch) {
    throw new CheckpointError(
      `${path}: has no validation accuracy for every epoch (written by an older version); remove ${dir} to train the run again`,
    );
  }
  return { progress, bestWeights: extras };
}

/** Copies of the network's weights (all of them, batch-norm statistics included), as checkpoint arrays. */
async function weightArrays(trainer: Trainer): Promise<CheckpointArray[]> {
  return await Promise.all(
    trainer.net.model.weights.map(async (w) => {
      const t = w.read();
      return { shape: [...t.shape], values: Float32Array.from(await t.data() as Float32Array) };
    }),
  );
}

/** The summary of a finished run: its last evaluation and the best-validation choice (tested). */
function summarize(progress: Progress, epochs: number): RunSummary {
  const best = progress.best as BestValidation & { testAccuracy: number; testLoss: number };
  return {
    epochs,
    final: progress.rows[progress.rows.length - 1],
    bestValEpoch: best.epoch,
    bestValAccuracy: best.valAccuracy,
    bestValTestAccuracy: best.testAccuracy,
    bestValTestLoss: best.testLoss,
    valAccuracies: progress.valAccuracies,
    wallSeconds: progress.wallSeconds,
  };
}
