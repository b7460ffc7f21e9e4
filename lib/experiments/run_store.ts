/**
 * The run store: one directory per run, named by the run's identity (a hash of its normalised
 * configuration), holding
 *
 * - `config.json`: the normalised configuration;
 * - `metrics.jsonl`: one JSON row per evaluation (epoch, every metric, accuracies, losses, lr, wall time);
 * - `checkpoint.bin`: weights, optimizer velocity and progress after the last finished epoch;
 * - `status.json`: running, done (with a summary) or failed (with the epoch and the reason).
 *
 * Every file is written atomically. Running a configuration that is done (or failed, unless
 * `retryFailed`) returns its record without training; running one that was interrupted resumes from its checkpoint and reproduces
 * the uninterrupted run's metrics exactly (same backend). A non-finite loss marks the run failed
 * and keeps the last good checkpoint.
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  type EvalSchedule,
  evaluationEpochs,
  normalizeTrainConfig,
  runId,
  type TrainConfig,
} from "../training/config.ts";
import { type BatchProgress, type MetricsRow, prepareData, type PreparedData, Trainer } from "../training/train.ts";
import { writeFileAtomic } from "./atomic.ts";
import { CheckpointError, checkpointTensors, loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { lockRun } from "./run_lock.ts";

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

/** The best validation epoch so far and the test scores at it. */
interface BestValidation {
  epoch: number;
  valAccuracy: number;
  testAccuracy: number;
  testLoss: number;
}

/** The status file. */
export interface RunStatus {
  state: "running" | "done" | "failed";
  /** Last finished epoch. */
  epoch: number;
  reason?: string;
  backend: string;
  updatedAt: string;
  summary?: RunSummary;
}

/** A run as stored. */
export interface RunRecord {
  id: string;
  dir: string;
  config: TrainConfig;
  status: RunStatus;
  rows: MetricsRow[];
}

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

interface CheckpointState {
  epoch: number;
  rows: MetricsRow[];
  wallSeconds: number;
  /** Validation accuracy after each finished epoch. */
  valAccuracies: number[];
  best: BestValidation | null;
}

const paths = (dir: string) => ({
  config: join(dir, "config.json"),
  metrics: join(dir, "metrics.jsonl"),
  checkpoint: join(dir, "checkpoint.bin"),
  status: join(dir, "status.json"),
});

/** Reads a run directory. */
export function readRun(dir: string): RunRecord {
  const p = paths(dir);
  const config = JSON.parse(readFileSync(p.config, "utf8")) as TrainConfig;
  const status = JSON.parse(readFileSync(p.status, "utf8")) as RunStatus;
  const rows = existsSync(p.metrics)
    ? readFileSync(p.metrics, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as MetricsRow)
    : [];
  return { id: dir.split("/").pop()!, dir, config, status, rows };
}

function summarize(state: CheckpointState, epochs: number): RunSummary {
  const best = state.best!;
  return {
    epochs,
    final: state.rows[state.rows.length - 1],
    bestValEpoch: best.epoch,
    bestValAccuracy: best.valAccuracy,
    bestValTestAccuracy: best.testAccuracy,
    bestValTestLoss: best.testLoss,
    valAccuracies: state.valAccuracies,
    wallSeconds: state.wallSeconds,
  };
}

/**
 * Trains (or resumes, or returns) the run of a configuration.
 *
 * @example
 * ```ts
 * const run = await runTraining({ dataset: "fashion-mnist", model: "mlp", loss: { name: "ls", alpha: 0.1 }, epochs: 30, seed: 1 });
 * run.status.summary?.bestValTestAccuracy;
 * ```
 */
export async function runTraining(input: unknown, options: RunOptions = {}): Promise<RunRecord> {
  const log = options.log ?? ((line: string) => console.error(line));
  const config = normalizeTrainConfig(input);
  const id = runId(config);
  const dir = join(options.runsDir ?? "runs", id);
  const p = paths(dir);
  const final = (record: RunRecord | null) =>
    record !== null && (record.status.state === "done" || (record.status.state === "failed" && !options.retryFailed));
  const stored = existsSync(p.status) ? readRun(dir) : null;
  if (final(stored)) return stored!;
  // Data problems (missing or corrupt files, a batch larger than the data) surface before anything is written.
  const data = prepareData(config, { dataDir: options.dataDir });
  mkdirSync(dir, { recursive: true });
  const release = await lockRun(dir, { wait: options.waitForLock ?? true, log });
  try {
    // Another process may have finished the run while this one waited for the lock.
    const finished = existsSync(p.status) ? readRun(dir) : null;
    if (final(finished)) return finished!;
    return await train(config, data, id, dir, options, log);
  } finally {
    release();
  }
}

async function train(
  config: TrainConfig,
  data: PreparedData,
  id: string,
  dir: string,
  options: RunOptions,
  log: (line: string) => void,
): Promise<RunRecord> {
  const p = paths(dir);
  if (!existsSync(p.config)) writeFileAtomic(p.config, JSON.stringify(config, null, 2) + "\n");
  const backend = tf.getBackend();
  const setStatus = (status: Omit<RunStatus, "backend" | "updatedAt">) =>
    writeFileAtomic(
      p.status,
      JSON.stringify({ ...status, backend, updatedAt: new Date().toISOString() }, null, 2) + "\n",
    );

  const trainer = new Trainer(config, data);
  try {
    const tensors = checkpointTensors(trainer.net.model, trainer.sgd.velocity);
    let state: CheckpointState = { epoch: 0, rows: [], wallSeconds: 0, valAccuracies: [], best: null };
    if (existsSync(p.checkpoint)) {
      state = loadCheckpoint<CheckpointState>(p.checkpoint, tensors);
      if (!Array.isArray(state.valAccuracies) || state.valAccuracies.length !== state.epoch) {
        throw new CheckpointError(
          `${p.checkpoint}: has no validation accuracy for every epoch (written by an older version); remove ${dir} to train the run again`,
        );
      }
      log(`[nc] resuming ${id} after epoch ${state.epoch}`);
    } else {
      log(`[nc] training ${id}`);
    }
    writeFileAtomic(p.metrics, state.rows.map((r) => JSON.stringify(r) + "\n").join(""));
    const evalAt = new Set(evaluationEpochs(config.evalEpochs as EvalSchedule, config.epochs));
    for (let epoch = state.epoch + 1; epoch <= config.epochs; epoch++) {
      setStatus({ state: "running", epoch: epoch - 1 });
      const started = performance.now();
      const outcome = await trainer.trainEpoch(epoch, options.onBatch);
      if ("failure" in outcome) {
        setStatus({ state: "failed", epoch: epoch - 1, reason: outcome.failure });
        log(`[nc] run ${id} failed: ${outcome.failure}`);
        return readRun(dir);
      }
      let row: MetricsRow | null = null;
      let wallSeconds = state.wallSeconds + (performance.now() - started) / 1000;
      const evalStarted = performance.now();
      const val = await trainer.validate();
      if (evalAt.has(epoch)) {
        row = await trainer.evaluate(epoch, outcome, wallSeconds, val);
        row.wallSeconds = wallSeconds + (performance.now() - evalStarted) / 1000;
      }
      let best = state.best;
      if (best === null || val.accuracy > best.valAccuracy) {
        const test = row ? { accuracy: row.testAccuracy, loss: row.testLoss } : await trainer.testScores();
        best = { epoch, valAccuracy: val.accuracy, testAccuracy: test.accuracy, testLoss: test.loss };
      }
      wallSeconds += (performance.now() - evalStarted) / 1000;
      state = {
        epoch,
        rows: row ? [...state.rows, row] : state.rows,
        wallSeconds,
        valAccuracies: [...state.valAccuracies, val.accuracy],
        best,
      };
      await saveCheckpoint(p.checkpoint, tensors, state);
      if (row) writeFileAtomic(p.metrics, state.rows.map((r) => JSON.stringify(r) + "\n").join(""));
      options.onEpoch?.(epoch, row);
      if (options.stopAfterEpoch === epoch && epoch < config.epochs) {
        setStatus({ state: "running", epoch });
        return readRun(dir);
      }
    }
    setStatus({
      state: "done",
      epoch: config.epochs,
      summary: summarize(state, config.epochs),
    });
    return readRun(dir);
  } finally {
    trainer.dispose();
  }
}
