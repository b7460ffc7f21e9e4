/**
 * How a sweep talks to its worker processes (`worker.ts`), written once for both sides:
 *
 * - arguments: `CONFIG_FILE RUNS_DIR [DATA_DIR]` ({@link WORKER_ARGS_USAGE}, {@link workerArgs},
 *   {@link readWorkerArgs});
 * - stderr: log lines, and with {@link WORKER_EPOCHS_ENV} set, a line `@epoch N` after each
 *   finished epoch ({@link formatEpochLine}, {@link parseEpochLine});
 * - environment: {@link WORKER_RETRY_FAILED_ENV} set trains failed runs again (`nc sweep --retry-failed`);
 * - stdout: one JSON line `{ "runDirs": […] }` once the runs are trained, resumed or found stored
 *   ({@link formatResultLine}, {@link parseResultLine}).
 *
 * The configuration file holds one run's configuration, or an array of them: a pack
 * (`run_pack.ts`), whose epoch lines count the pack's epochs.
 *
 * @module
 */

/** The environment variable that asks a worker for epoch lines on stderr (any non-empty value). */
export const WORKER_EPOCHS_ENV = "NC_WORKER_EPOCHS";

/**
 * The environment variable that asks a worker to train a failed (diverged) run again from its last
 * checkpoint (`retryFailed`) instead of returning it as recorded (any non-empty value).
 */
export const WORKER_RETRY_FAILED_ENV = "NC_WORKER_RETRY_FAILED";

/** Marks a worker's epoch lines on its stderr. */
export const EPOCH_MARK = "@epoch ";

/**
 * The stderr line a worker prints after a finished epoch.
 *
 * @example
 * ```ts
 * formatEpochLine(3); // "@epoch 3"
 * ```
 */
export function formatEpochLine(epoch: number): string {
  return `${EPOCH_MARK}${epoch}`;
}

/**
 * The epoch of a worker's epoch line (`Number` of what follows the mark), or null when the line is
 * not one (a log line).
 *
 * @example
 * ```ts
 * parseEpochLine(formatEpochLine(3)); // 3
 * parseEpochLine("[nc] training 1a2b"); // null
 * ```
 */
export function parseEpochLine(line: string): number | null {
  return line.startsWith(EPOCH_MARK) ? Number(line.slice(EPOCH_MARK.length)) : null;
}

/** What a worker reports on stdout when its runs are over (done, or failed). */
export interface WorkerResult {
  /** The runs' directories in the run store, in the order of the configuration file. */
  runDirs: string[];
}

/**
 * The stdout line of a worker's result.
 *
 * @example
 * ```ts
 * formatResultLine({ runDirs: ["runs/abc"] }); // '{"runDirs":["runs/abc"]}\n'
 * ```
 */
export function formatResultLine(result: WorkerResult): string {
  return JSON.stringify({ runDirs: result.runDirs }) + "\n";
}

/**
 * A worker's result from its stdout; a SyntaxError when stdout is not a result line.
 *
 * @example
 * ```ts
 * parseResultLine('{"runDirs":["runs/abc"]}\n').runDirs; // ["runs/abc"]
 * ```
 */
export function parseResultLine(stdout: string): WorkerResult {
  const { runDirs } = JSON.parse(stdout) as Partial<WorkerResult>;
  if (!Array.isArray(runDirs) || !runDirs.every((d) => typeof d === "string")) {
    throw new SyntaxError(`not a worker result: ${stdout.trim()}`);
  }
  return { runDirs };
}

/** A worker's arguments after its entry point, for its usage line. */
export const WORKER_ARGS_USAGE = "CONFIG_FILE RUNS_DIR [DATA_DIR]";

/** The arguments of a worker process (after its entry point). */
export interface WorkerArgs {
  /** A JSON file holding the run's configuration, or an array of them (a pack). */
  configFile: string;
  runsDir: string;
  dataDir?: string;
}

/**
 * The command-line arguments that start a worker on a run.
 *
 * @example
 * ```ts
 * workerArgs({ configFile: "c.json", runsDir: "runs" }); // ["c.json", "runs"]
 * ```
 */
export function workerArgs(args: WorkerArgs): string[] {
  return args.dataDir ? [args.configFile, args.runsDir, args.dataDir] : [args.configFile, args.runsDir];
}

/**
 * A worker's arguments from its command line, or null when the configuration file or the run store
 * is missing.
 *
 * @example
 * ```ts
 * readWorkerArgs(["c.json", "runs", "data"]); // { configFile: "c.json", runsDir: "runs", dataDir: "data" }
 * readWorkerArgs(["c.json"]); // null
 * ```
 */
export function readWorkerArgs(argv: readonly string[]): WorkerArgs | null {
  const [configFile, runsDir, dataDir] = argv;
  return configFile && runsDir ? { configFile, runsDir, dataDir } : null;
}

/**
 * Errors of the input (the data, the configuration) rather than of one run: a worker exits 2 and
 * prints `error: <name>: <message>`, and the sweep stops with that error instead of recording a
 * failed run for each configuration of the grid.
 *
 * @example
 * ```ts
 * INPUT_ERRORS.has("DataError"); // true
 * ```
 */
export const INPUT_ERRORS: ReadonlySet<string> = new Set(["DataError", "ConfigError", "ModelConfigError"]);
