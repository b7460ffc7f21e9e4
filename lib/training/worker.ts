/**
 * A worker process of a sweep: `deno run -A lib/training/worker.ts CONFIG_FILE RUNS_DIR [DATA_DIR]`
 * trains (or resumes, or returns) the run of the configuration file through {@link runTraining}, or
 * the pack of runs of a file holding an array through {@link runPack}, and prints one JSON line
 * `{ "runDirs": […] }` on stdout; logs go to stderr (with `NC_WORKER_EPOCHS` set,
 * also a line `@epoch N` after each epoch, which the sweep reads for its progress); the lines are
 * those of `worker_protocol.ts`. The backend and the native libraries' threads come from
 * `NC_BACKEND` and `NC_THREADS`, which the sweep sets per worker, the lease of run locks from
 * `NC_LOCK_LEASE`.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { initBackend } from "../backend/backend.ts";
import { readEnvironmentVariable } from "../environment.ts";
import { runTraining } from "./run.ts";
import { runPack } from "./run_pack.ts";
import {
  formatEpochLine,
  formatResultLine,
  readWorkerArgs,
  WORKER_ARGS_USAGE,
  WORKER_EPOCHS_ENV,
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
  try {
    await initBackend({ quiet: true });
    const config = JSON.parse(readFileSync(configFile, "utf8"));
    // The sweep that started this worker follows its epochs through these lines.
    const onEpoch = process.env[WORKER_EPOCHS_ENV]
      ? (epoch: number) => console.error(formatEpochLine(epoch))
      : undefined;
    const log = (line: string) => console.error(line);
    const lockLeaseMs = 1000 * readEnvironmentVariable("NC_LOCK_LEASE");
    const runs = Array.isArray(config)
      ? await runPack(config, { runsDir, dataDir, log, onEpoch, lockLeaseMs })
      : [await runTraining(config, { runsDir, dataDir, log, onEpoch, lockLeaseMs })];
    process.stdout.write(formatResultLine({ runDirs: runs.map((run) => run.dir) }));
    return 0;
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) process.exit(await work(process.argv.slice(2)));
