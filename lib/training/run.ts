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
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { clearStaleLock, lockRun } from "../store/run_lock.ts";
import { asStorageError } from "../store/storage_error.ts";
import {
  hasRun,
  isRunFinished,
  readRun as readStoredRun,
  readRuns as readStoredRuns,
  recordRunError,
} from "../store/run_dir.ts";
import { normalizeTrainConfig, type TrainConfig } from "./config.ts";
import { RunBook, type RunRecord, RunSettingsError, type RunSummary } from "./run_book.ts";
import { runId } from "./run_id.ts";
import { type BatchProgress, type MetricsRow, prepareData, Trainer } from "./train.ts";

export type { RunRecord, RunStatus, RunSummary } from "./run_book.ts";

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
  /** A run's lock without a heartbeat for this long is stale, on any host (default 5 minutes; `NC_LOCK_LEASE`). */
  lockLeaseMs?: number;
  /**
   * Stops the run at its next batch (or after the evaluation and checkpoint in progress) once
   * aborted, keeping the last finished epoch's checkpoint: the run returns as stored, still running
   * (`stop_signals.ts` aborts it on SIGTERM and SIGINT). A wait for the lock ends with an error.
   */
  signal?: AbortSignal;
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
    clearStaleLock(dir, { leaseMs: options.lockLeaseMs });
    return stored;
  }
  // Data and model problems (missing or corrupt files, a batch larger than the data, a network that
  // cannot be built) surface before anything is written.
  const data = prepareData(config, { dataDir: options.dataDir });
  const trainer = new Trainer(config, data);
  let release: () => void;
  try {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw asStorageError(error, dir, "create the run directory");
    }
    release = await lockRun(dir, {
      wait: options.waitForLock ?? true,
      log,
      leaseMs: options.lockLeaseMs,
      signal: options.signal,
    });
  } catch (error) {
    trainer.dispose();
    throw error;
  }
  try {
    // Another process may have finished the run while this one waited for the lock.
    const done = finished();
    if (done) {
      trainer.dispose();
      return done;
    }
    return await trainRun(trainer, id, dir, options, log);
  } catch (error) {
    // Anything but a divergence (which the book records) or a refusal to resume: the run's status says why.
    if (!(error instanceof RunSettingsError)) recordRunError(dir, (error as Error).message);
    throw error;
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
  const book = new RunBook(trainer, id, dir, log);
  try {
    const { epochs } = trainer.config;
    const { signal } = options;
    const onBatch = (progress: BatchProgress) => {
      options.onBatch?.(progress);
      signal?.throwIfAborted();
    };
    for (let epoch = book.open() + 1; epoch <= epochs; epoch++) {
      book.startEpoch(epoch);
      const started = performance.now();
      let outcome;
      try {
        outcome = await trainer.trainEpoch(epoch, onBatch);
      } catch (error) {
        // Stopped within the epoch: the checkpoint of the epoch before stands (the status says so).
        if (signal?.aborted) return readRun(dir);
        throw error;
      }
      if ("failure" in outcome) {
        book.fail(epoch, outcome.failure);
        return readRun(dir);
      }
      const row = await book.endEpoch(epoch, outcome, (performance.now() - started) / 1000);
      options.onEpoch?.(epoch, row);
      if ((options.stopAfterEpoch === epoch || signal?.aborted) && epoch < epochs) {
        book.pause(epoch);
        return readRun(dir);
      }
    }
    await book.finish();
    return readRun(dir);
  } finally {
    book.restoreSettings();
    trainer.dispose();
  }
}
