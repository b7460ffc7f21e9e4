/**
 * Training runs of one shape as a pack (`packed_trainer.ts`), each run kept in the run store as if
 * it had trained alone: its own directory (named by its configuration's hash, so a later sweep
 * finds it and never trains it again), lock, configuration, status, rows and checkpoint, written by
 * its own {@link RunBook}. A run trained in a pack has the metrics of the run trained alone, to the
 * bit on the backends the tests check (`tests/training/packed.test.ts`), and its checkpoint is the
 * one it would write alone: a pack interrupted anywhere resumes alone or in any pack.
 *
 * Runs already finished are returned as stored; runs whose checkpoints stand at different epochs
 * train from the furthest behind, each joining the pack at its epoch; a run whose loss turns
 * non-finite is recorded as failed (keeping its last good checkpoint) and the others train on.
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { clearStaleLock, lockRun } from "../store/run_lock.ts";
import { hasRun, isRunFinished, recordRunError } from "../store/run_dir.ts";
import { normalizeTrainConfig, type TrainConfig } from "./config.ts";
import { checkPack, PackedTrainer } from "./packed_trainer.ts";
import { readRun, type RunOptions } from "./run.ts";
import { RunBook, type RunRecord, RunSettingsError } from "./run_book.ts";
import { runId } from "./run_id.ts";
import { prepareData, Trainer } from "./train.ts";

/** Options of {@link runPack}. */
export interface PackOptions
  extends Pick<RunOptions, "runsDir" | "dataDir" | "log" | "waitForLock" | "retryFailed" | "lockLeaseMs" | "signal"> {
  /** Called after each epoch of the pack (every run in it has finished that epoch). */
  onEpoch?: (epoch: number) => void;
  /** Stop (as if interrupted) after this epoch's checkpoints; for tests and time-boxed sessions. */
  stopAfterEpoch?: number;
}

/**
 * Trains (or resumes, or returns) the runs of configurations that share a pack key
 * (`packKey`), and returns their records in the order given.
 *
 * @example
 * ```ts ignore (trains for minutes and needs the Fashion-MNIST files)
 * const base = { dataset: "fashion-mnist", model: "mlp", width: 256, epochs: 40, perClass: 200 };
 * const runs = await runPack([{ ...base, loss: { name: "ce" }, seed: 0 }, { ...base, loss: { name: "mse" }, seed: 0 }]);
 * ```
 */
export async function runPack(inputs: readonly unknown[], options: PackOptions = {}): Promise<RunRecord[]> {
  const log = options.log ?? ((line: string) => console.error(line));
  const configs = inputs.map((input) => normalizeTrainConfig(input));
  checkPack(configs);
  const dirs = configs.map((c) => join(options.runsDir ?? "runs", runId(c)));
  const finished = (i: number) => hasRun(dirs[i]) && isRunFinished(readRun(dirs[i]).status, options);
  // A configuration given twice is one run: trained once (locking its directory twice would wait forever).
  const pending = configs.map((_, i) => i).filter((i) => dirs.indexOf(dirs[i]) === i && !finished(i));
  for (const dir of new Set(dirs)) {
    if (!pending.some((i) => dirs[i] === dir)) clearStaleLock(dir, { leaseMs: options.lockLeaseMs });
  }
  if (pending.length > 0) {
    // Data problems surface before anything is written; the runs of a pack share their data.
    const data = prepareData(configs[pending[0]], { dataDir: options.dataDir });
    const releases: (() => void)[] = [];
    try {
      // Locks in one order (by directory), so that two packs never wait on each other.
      for (const i of [...pending].sort((a, b) => dirs[a].localeCompare(dirs[b]))) {
        mkdirSync(dirs[i], { recursive: true });
        releases.push(
          await lockRun(dirs[i], {
            wait: options.waitForLock ?? true,
            log,
            leaseMs: options.lockLeaseMs,
            signal: options.signal,
          }),
        );
      }
      // Another process may have finished some while this one waited for their locks.
      const toTrain = pending.filter((i) => !finished(i));
      try {
        if (toTrain.length > 0) await trainPacks(toTrain.map((i) => [configs[i], dirs[i]]), data, options, log);
      } catch (error) {
        // An error of the pack (not a run's divergence, which its book records) is each run's failure.
        if (!(error instanceof RunSettingsError)) {
          for (const i of toTrain) if (!finished(i)) recordRunError(dirs[i], (error as Error).message);
        }
        throw error;
      }
    } finally {
      for (const release of releases.reverse()) release();
    }
  }
  return dirs.map((dir) => readRun(dir));
}

/**
 * Opens every run's book (resuming its checkpoint) and trains them: the runs that stand furthest
 * behind first, up to the epoch where the next stand, which then join the pack (a pack killed while
 * writing its checkpoints resumes split, and merges again). A pack in which a run failed goes on
 * without it from the next epoch.
 */
async function trainPacks(
  runs: [TrainConfig, string][],
  data: ReturnType<typeof prepareData>,
  options: PackOptions,
  log: (line: string) => void,
): Promise<void> {
  const books: RunBook[] = [];
  try {
    for (const [config, dir] of runs) books.push(new RunBook(new Trainer(config, data), runId(config), dir, log));
    const starts = books.map((book) => book.open());
    const threads = new Set(books.map((book) => book.threads));
    if (threads.size > 1) {
      throw new RunSettingsError(
        `the runs ${books.map((b) => b.id).join(", ")} started with different native thread counts (${
          [...threads].join(", ")
        }) and cannot resume in one pack: run them with --pack off`,
      );
    }
    const epochs = books[0].config.epochs;
    let epoch = Math.min(...starts);
    let training: RunBook[] = [];
    while (true) {
      training = [...training, ...books.filter((_, i) => starts[i] === epoch)];
      if (epoch === epochs) break;
      const until = Math.min(epochs, ...starts.filter((s) => s > epoch));
      if (training.length === 0) {
        epoch = until;
        continue;
      }
      const end = await trainPack(training, epoch, until, options);
      if (end.stopped) return;
      training = end.training;
      epoch = end.epoch;
    }
    for (const book of training) await book.finish();
  } finally {
    for (const book of books) {
      book.restoreSettings();
      book.trainer.dispose();
    }
  }
}

/**
 * Trains runs that all stand at `start` as one pack, epoch by epoch up to `until`, or up to the
 * end of an epoch in which a run failed (the pack is then built again without it). Returns where
 * it stopped and the runs still training, or that `stopAfterEpoch` stopped it.
 */
async function trainPack(
  books: RunBook[],
  start: number,
  until: number,
  options: PackOptions,
): Promise<{ epoch: number; training: RunBook[]; stopped: boolean }> {
  const packed = new PackedTrainer(books.map((b) => b.trainer));
  try {
    const { epochs } = books[0].config;
    for (let epoch = start + 1; epoch <= until; epoch++) {
      for (const book of books) book.startEpoch(epoch);
      const started = performance.now();
      let outcomes;
      try {
        outcomes = await packed.trainEpoch(epoch, options.signal);
      } catch (error) {
        // Stopped within the epoch: each run's checkpoint of the epoch before stands.
        if (options.signal?.aborted) return { epoch, training: books, stopped: true };
        throw error;
      }
      const training = books.filter((_, r) => !("failure" in outcomes[r]));
      const seconds = (performance.now() - started) / 1000 / Math.max(1, training.length);
      packed.copyToRuns(books.flatMap((_, r) => ("failure" in outcomes[r] ? [] : [r])));
      for (const [r, book] of books.entries()) {
        const outcome = outcomes[r];
        if ("failure" in outcome) book.fail(epoch, outcome.failure);
        else await book.endEpoch(epoch, outcome, seconds);
      }
      options.onEpoch?.(epoch);
      if ((options.stopAfterEpoch === epoch || options.signal?.aborted) && epoch < epochs) {
        for (const book of training) book.pause(epoch);
        return { epoch, training, stopped: true };
      }
      if (training.length < books.length || epoch === until) return { epoch, training, stopped: false };
    }
    return { epoch: until, training: books, stopped: false };
  } finally {
    packed.dispose();
  }
}
