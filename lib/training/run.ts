/**
 * A training run from start to end, the way a training script reads:
 *
 * 1. normalise the configuration; its hash names the run directory (`runId`);
 * 2. return the run as stored when it is done (or failed, unless `retryFailed`);
 * 3. load the data, take the run's lock (another process may be training it: wait);
 * 4. build the network and optimizer; resume from the checkpoint when there is one;
 * 5. every epoch: train, validate (every epoch, for the best-validation choice), evaluate at the
 *    evaluation epochs (accuracies, losses, NC metrics), keep the best validation epoch so far,
 *    write the checkpoint and the metrics rows;
 * 6. write the status: done with the best-validation summary, or failed at the first non-finite
 *    loss (keeping the last good checkpoint).
 *
 * A run interrupted anywhere resumes from its last checkpoint and reproduces the uninterrupted
 * run's metrics exactly (same backend): randomness depends only on (seed, epoch), and the
 * checkpoint holds everything else. Files are written by the store layer (`store/`), atomically.
 *
 * @module
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { clearStaleLock, lockRun } from "../store/run_lock.ts";
import { CheckpointError } from "../store/checkpoint_file.ts";
import {
  hasRun,
  isRunFinished,
  readRun as readStoredRun,
  readRuns as readStoredRuns,
  runFiles,
  type RunStatus as StoredStatus,
  type StoredRun,
  writeRunConfig,
  writeRunRows,
  writeRunStatus,
} from "../store/run_dir.ts";
import { checkpointTensors, loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { evaluationEpochs, normalizeTrainConfig, type TrainConfig } from "./config.ts";
import { runId } from "./run_id.ts";
import { type BatchProgress, type MetricsRow, prepareData, Trainer } from "./train.ts";

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

/** The status file of a training run. */
export type RunStatus = StoredStatus<RunSummary>;

/** A training run as stored. */
export type RunRecord = StoredRun<TrainConfig, MetricsRow, RunSummary>;

/** Reads a training run's directory. */
export const readRun = (dir: string): RunRecord => readStoredRun<TrainConfig, MetricsRow, RunSummary>(dir);

/** Every training run under a run store directory. */
export const readRuns = (runsDir: string): RunRecord[] => readStoredRuns<TrainConfig, MetricsRow, RunSummary>(runsDir);

/** Options of {@link runTraining}. */
export interface RunOptions {
  /** Directory of the run store (default `runs`). */
  runsDir?: string;
  /** Where the dataset's files are. */
  dataDir?: string;
  /** Progress within each epoch. */
  onBatch?: (progress: BatchProgress) => void;
  /** Called after each finished epoch (and its evaluation, if any). */
  onEpoch?: (epoch: number, row: MetricsRow | null) => void;
  /** Stop (as if interrupted) after this epoch's checkpoint; for tests and time-boxed sessions. */
  stopAfterEpoch?: number;
  /** Log lines (default: stderr). */
  log?: (line: string) => void;
  /** Wait while another process trains this run (default true); false throws `RunLockedError`. */
  waitForLock?: boolean;
  /** Train a failed run again from its last checkpoint (default false: a failure is returned as recorded). */
  retryFailed?: boolean;
}

/** The best validation epoch so far and the test scores at it. */
interface BestValidation {
  epoch: number;
  valAccuracy: number;
  testAccuracy: number;
  testLoss: number;
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
 * Trains (or resumes, or returns) the run of a configuration.
 *
 * @example
 * ```ts ignore (trains for minutes and needs the Fashion-MNIST files)
 * const run = await runTraining({ dataset: "fashion-mnist", model: "mlp", loss: { name: "ls", alpha: 0.1 }, epochs: 30, seed: 1 });
 * run.status.summary?.bestValTestAccuracy;
 * ```
 */
export async function runTraining(input: unknown, options: RunOptions = {}): Promise<RunRecord> {
  const log = options.log ?? ((line: string) => console.error(line));
  const config = normalizeTrainConfig(input);
  const id = runId(config);
  const dir = join(options.runsDir ?? "runs", id);
  const finished = () => {
    if (!hasRun(dir)) return null;
    const record = readRun(dir);
    return isRunFinished(record.status, options) ? record : null;
  };
  const stored = finished();
  if (stored) {
    clearStaleLock(dir);
    return stored;
  }
  // Data problems (missing or corrupt files, a batch larger than the data) surface before anything is written.
  const data = prepareData(config, { dataDir: options.dataDir });
  mkdirSync(dir, { recursive: true });
  const release = await lockRun(dir, { wait: options.waitForLock ?? true, log });
  try {
    // Another process may have finished the run while this one waited for the lock.
    return finished() ?? await trainRun(new Trainer(config, data), id, dir, options, log);
  } finally {
    release();
  }
}

/** The epochs of a run from its checkpoint (or the start) to the end; disposes the trainer. */
async function trainRun(
  trainer: Trainer,
  id: string,
  dir: string,
  options: RunOptions,
  log: (line: string) => void,
): Promise<RunRecord> {
  const { config } = trainer;
  const files = runFiles(dir);
  const backend = tf.getBackend();
  const setStatus = (status: Omit<RunStatus, "backend" | "updatedAt">) => writeRunStatus(dir, { ...status, backend });
  try {
    if (!existsSync(files.config)) writeRunConfig(dir, config);
    const tensors = checkpointTensors(trainer.net.model, trainer.sgd.velocity);
    let progress = resume(files.checkpoint, tensors, config, dir);
    log(progress.epoch > 0 ? `[nc] resuming ${id} after epoch ${progress.epoch}` : `[nc] training ${id}`);
    writeRunRows(dir, progress.rows);
    const evaluateAt = new Set(evaluationEpochs(config.evalEpochs, config.epochs));

    for (let epoch = progress.epoch + 1; epoch <= config.epochs; epoch++) {
      setStatus({ state: "running", epoch: epoch - 1 });
      // Train.
      const started = performance.now();
      const outcome = await trainer.trainEpoch(epoch, options.onBatch);
      if ("failure" in outcome) {
        setStatus({ state: "failed", epoch: epoch - 1, reason: outcome.failure });
        log(`[nc] run ${id} failed: ${outcome.failure}`);
        return readRun(dir);
      }
      let wallSeconds = progress.wallSeconds + (performance.now() - started) / 1000;
      // Validate every epoch; evaluate everything at the evaluation epochs.
      const evalStarted = performance.now();
      const val = await trainer.validate();
      let row: MetricsRow | null = null;
      if (evaluateAt.has(epoch)) {
        row = await trainer.evaluate(epoch, outcome, wallSeconds, val);
        row.wallSeconds = wallSeconds + (performance.now() - evalStarted) / 1000;
      }
      // Keep the first epoch with the highest validation accuracy, and its test scores.
      let best = progress.best;
      if (best === null || val.accuracy > best.valAccuracy) {
        const test = row ? { accuracy: row.testAccuracy, loss: row.testLoss } : await trainer.testScores();
        best = { epoch, valAccuracy: val.accuracy, testAccuracy: test.accuracy, testLoss: test.loss };
      }
      wallSeconds += (performance.now() - evalStarted) / 1000;
      // Checkpoint, then the rows the checkpoint covers.
      progress = {
        epoch,
        rows: row ? [...progress.rows, row] : progress.rows,
        wallSeconds,
        valAccuracies: [...progress.valAccuracies, val.accuracy],
        best,
      };
      await saveCheckpoint(files.checkpoint, tensors, { runId: id, config, state: progress });
      if (row) writeRunRows(dir, progress.rows);
      options.onEpoch?.(epoch, row);
      if (options.stopAfterEpoch === epoch && epoch < config.epochs) {
        setStatus({ state: "running", epoch });
        return readRun(dir);
      }
    }

    setStatus({ state: "done", epoch: config.epochs, summary: summarize(progress, config.epochs) });
    return readRun(dir);
  } finally {
    trainer.dispose();
  }
}

/** The progress of the run's checkpoint (loaded into `tensors`), or the start when there is none. */
function resume(path: string, tensors: tf.Tensor[], config: TrainConfig, dir: string): Progress {
  if (!existsSync(path)) return { epoch: 0, rows: [], wallSeconds: 0, valAccuracies: [], best: null };
  const progress = loadCheckpoint<Progress>(path, tensors, config);
  if (!Array.isArray(progress.valAccuracies) || progress.valAccuracies.length !== progress.epoch) {
    throw new CheckpointError(
      `${path}: has no validation accuracy for every epoch (written by an older version); remove ${dir} to train the run again`,
    );
  }
  return progress;
}

/** The summary of a finished run: its last evaluation and the best-validation choice. */
function summarize(progress: Progress, epochs: number): RunSummary {
  const best = progress.best!;
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
