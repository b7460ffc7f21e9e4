/**
 * A worker process of a sweep: `deno run -A lib/training/worker.ts CONFIG_FILE RUNS_DIR [DATA_DIR]`
 * trains (or resumes, or returns) the run of the configuration file through {@link runTraining}, or
 * the pack of runs of a file holding an array through {@link runPack}, and prints one JSON line
 * `{ "runDirs": […] }` on stdout; logs go to stderr (with `NC_WORKER_EPOCHS` set,
 * also a line `@epoch N` after each epoch, which the sweep reads for its progress; with
 * `NC_WORKER_RETRY_FAILED` set, a failed run is trained again); the lines are
 * those of `worker_protocol.ts`. The backend and the native libraries' threads come from
 * `NC_BACKEND` and `NC_THREADS`, which the sweep sets per worker, the lease of run locks from
 * `NC_LOCK_LEASE`. On SIGTERM or SIGINT, or once the sweep that started it is gone, the worker stops
 * its runs at their next batch (checkpoints kept, locks released) and exits 143 or 130.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { initBackend } from "../backend/backend.ts";
import { readEnvironmentVariable } from "../environment.ts";
import { runTraining } from "./run.ts";
import { runPack } from "./run_pack.ts";
import { handleStopSignals, SIGNAL_EXIT_CODES, watchParent } from "./stop_signals.ts";
import {
  formatEpochLine,
  formatResultLine,
  INPUT_ERRORS,
  readWorkerArgs,
  WORKER_ARGS_USAGE,
  WORKER_EPOCHS_ENV,
  WORKER_RETRY_FAILED_ENV,
} from "./worker_protocol.ts";

/** This file, for the processes that start workers. */
export const WORKER_ENTRY: URL = new URL(import.meta.url);

async function work(argv: string[]): Promise<number> {
  const args = readWorkerArgs(argv);
  if (!args) {
    console.error(`usage: worker.ts ${WORKER_ARGS_USAGE}`);
    return 2;
  }
  const { configFile, runsDir, dataDir } = args;
  // SIGTERM, SIGINT (forwarded by the sweep, or sent by Slurm to every process of the job) and the
  // sweep's death all stop the runs at their next batch, with their checkpoints and locks in order.
  const stop = handleStopSignals({ exitOnSecondInterrupt: false });
  const controller = new AbortController();
  stop.signal.addEventListener("abort", () => controller.abort(stop.signal.reason));
  const stopWatching = watchParent(() => {
    console.error("[nc] the sweep that started this worker is gone: stopping at the next batch");
    controller.abort("SIGTERM");
  });
  const signal = controller.signal;
  try {
    await initBackend({ quiet: true });
    const config = JSON.parse(readFileSync(configFile, "utf8"));
    // The sweep that started this worker follows its epochs through these lines.
    const onEpoch = process.env[WORKER_EPOCHS_ENV]
      ? (epoch: number) => console.error(formatEpochLine(epoch))
      : undefined;
    const log = (line: string) => console.error(line);
    const lockLeaseMs = 1000 * readEnvironmentVariable("NC_LOCK_LEASE");
    const retryFailed = Boolean(process.env[WORKER_RETRY_FAILED_ENV]);
    const options = { runsDir, dataDir, log, onEpoch, lockLeaseMs, signal, retryFailed };
    const runs = Array.isArray(config) ? await runPack(config, options) : [await runTraining(config, options)];
    if (signal.aborted) return SIGNAL_EXIT_CODES[stop.received() ?? "SIGTERM"];
    process.stdout.write(formatResultLine({ runDirs: runs.map((run) => run.dir) }));
    return 0;
  } catch (error) {
    if (signal.aborted) return SIGNAL_EXIT_CODES[stop.received() ?? "SIGTERM"];
    const { name, message } = error as Error;
    // Bad input (the data, the configuration) is the whole grid's problem, not this run's: say which.
    if (INPUT_ERRORS.has(name)) {
      console.error(`error: ${name}: ${message}`);
      return 2;
    }
    console.error(`error: ${message}`);
    return 1;
  } finally {
    stopWatching();
    stop.dispose();
  }
}

if (import.meta.main) process.exit(await work(process.argv.slice(2)));
