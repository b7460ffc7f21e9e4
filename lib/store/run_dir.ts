/**
 * The run directory format: one directory per run under a run store, named by the run's id, holding
 *
 * - `config.json`: the run's configuration;
 * - `metrics.jsonl`: one JSON row per evaluation;
 * - `checkpoint.bin`: the state to resume from (`checkpoint_file.ts`);
 * - `status.json`: running, done (with a summary) or failed (with the epoch and the reason:
 *   a divergence, which is a result, or an error, which the next training of the run retries);
 * - `settings.json`: the backend and native thread count the run started with (its results depend
 *   on them, so a resume keeps them);
 * - `lock`: present while a process works on the run (`run_lock.ts`).
 *
 * Every file is written atomically. This module reads and writes the files; what a configuration,
 * a row or a summary holds is the training layer's business.
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { writeFileAtomic } from "./atomic.ts";
import { asStorageError } from "./storage_error.ts";

/** The files of a run directory. */
export function runFiles(
  dir: string,
): { config: string; metrics: string; checkpoint: string; status: string; settings: string } {
  return {
    config: join(dir, "config.json"),
    metrics: join(dir, "metrics.jsonl"),
    checkpoint: join(dir, "checkpoint.bin"),
    status: join(dir, "status.json"),
    settings: join(dir, "settings.json"),
  };
}

/** What a run's results depend on besides its configuration: the backend, and the native backend's threads. */
export interface RunSettings {
  backend: string;
  /** Threads of the native backend's libraries (null on the other backends). */
  threads: number | null;
}

/** Reads `settings.json` (null when the run has none: a new run, or one written by an older version). */
export function readRunSettings(dir: string): RunSettings | null {
  const path = runFiles(dir).settings;
  return existsSync(path) ? readJson(path) as RunSettings : null;
}

/** Writes `settings.json`. */
export function writeRunSettings(dir: string, settings: RunSettings): void {
  writeFileAtomic(runFiles(dir).settings, JSON.stringify(settings, null, 2) + "\n");
}

/** The status file. */
export interface RunStatus<Summary = unknown> {
  state: "running" | "done" | "failed";
  /** Last finished epoch. */
  epoch: number;
  reason?: string;
  /** What a failure was: the run's own divergence (a result, the default) or an error (retried). */
  failure?: "divergence" | "error";
  backend: string;
  updatedAt: string;
  summary?: Summary;
}

/** A file of a run directory does not parse (truncated, or written by hand): the error names it. */
export class DamagedRunError extends Error {
  override name = "DamagedRunError";
}

/**
 * Whether a run with this status is finished, so that training it again returns it as stored: done,
 * or failed by divergence (a failure stays as recorded unless `retryFailed`, which trains it again
 * from its last checkpoint). A running run (interrupted, or in training elsewhere) is not, nor a
 * run that failed by an error (a crash of the process's own, a full disk): it is trained again.
 *
 * @example
 * ```ts
 * isRunFinished({ state: "failed" });                        // true
 * isRunFinished({ state: "failed" }, { retryFailed: true }); // false
 * isRunFinished({ state: "failed", failure: "error" });      // false
 * isRunFinished({ state: "running" });                       // false
 * ```
 */
export function isRunFinished(
  status: Pick<RunStatus, "state" | "failure">,
  options: { retryFailed?: boolean } = {},
): boolean {
  return status.state === "done" ||
    (status.state === "failed" && status.failure !== "error" && !options.retryFailed);
}

/**
 * The epoch a run that is not finished ({@link isRunFinished}) resumes after: its last finished
 * epoch; 0 for a finished run, which trains no more.
 *
 * @example
 * ```ts
 * resumeEpoch({ state: "running", epoch: 3 }); // 3
 * resumeEpoch({ state: "done", epoch: 10 });   // 0
 * ```
 */
export function resumeEpoch(
  status: Pick<RunStatus, "state" | "epoch" | "failure">,
  options: { retryFailed?: boolean } = {},
): number {
  return isRunFinished(status, options) ? 0 : status.epoch;
}

/** A run as stored. */
export interface StoredRun<Config = unknown, Row = unknown, Summary = unknown> {
  id: string;
  dir: string;
  config: Config;
  status: RunStatus<Summary>;
  rows: Row[];
}

/** Whether `dir` holds a run (its status file exists). */
export function hasRun(dir: string): boolean {
  return existsSync(runFiles(dir).status);
}

/**
 * Reads a run directory.
 *
 * @example
 * ```ts
 * const dir = `${Deno.makeTempDirSync()}/run-a`;
 * Deno.mkdirSync(dir);
 * writeRunConfig(dir, { seed: 1 });
 * writeRunStatus(dir, { state: "done", epoch: 2, backend: "cpu" });
 * writeRunRows(dir, [{ epoch: 1 }, { epoch: 2 }]);
 * readRun(dir).rows.length; // 2
 * ```
 */
export function readRun<Config = unknown, Row = unknown, Summary = unknown>(
  dir: string,
): StoredRun<Config, Row, Summary> {
  const p = runFiles(dir);
  const config = readJson(p.config) as Config;
  const status = readJson(p.status) as RunStatus<Summary>;
  if (typeof status !== "object" || status === null || !["running", "done", "failed"].includes(status.state)) {
    throw damaged(p.status, "no state running, done or failed");
  }
  const rows = existsSync(p.metrics)
    ? readText(p.metrics).split("\n").flatMap((l, i) => l.trim() ? [readJson(p.metrics, l, i + 1) as Row] : [])
    : [];
  return { id: basename(dir), dir, config, status, rows };
}

/** A damaged file of a run (or its line `line`): the error names it and what to do. */
function damaged(path: string, why: string, line?: number): DamagedRunError {
  const where = line === undefined ? path : `${path} line ${line}`;
  return new DamagedRunError(`${where} is damaged (${why}); remove ${dirname(path)} to train the run again`);
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw asStorageError(error, path, "read");
  }
}

/** The JSON value of a run file (or of its line `line`), or a {@link DamagedRunError} naming the file. */
function readJson(path: string, text = readText(path), line?: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw damaged(path, (error as Error).message, line);
  }
}

/** Every run found under a run store directory (none when it does not exist). */
export function readRuns<Config = unknown, Row = unknown, Summary = unknown>(
  runsDir: string,
): StoredRun<Config, Row, Summary>[] {
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && hasRun(join(runsDir, e.name)))
    .map((e) => readRun<Config, Row, Summary>(join(runsDir, e.name)));
}

/** Writes `config.json`. */
export function writeRunConfig(dir: string, config: unknown): void {
  writeFileAtomic(runFiles(dir).config, JSON.stringify(config, null, 2) + "\n");
}

/** Writes `metrics.jsonl`, one row a line. */
export function writeRunRows(dir: string, rows: readonly unknown[]): void {
  writeFileAtomic(runFiles(dir).metrics, rows.map((r) => JSON.stringify(r) + "\n").join(""));
}

/** Writes `status.json`, stamped with the time. */
export function writeRunStatus<Summary>(dir: string, status: Omit<RunStatus<Summary>, "updatedAt">): void {
  const { state, epoch, reason, failure, summary, backend } = status;
  const stamped = { state, epoch, reason, failure, summary, backend, updatedAt: new Date().toISOString() };
  writeFileAtomic(runFiles(dir).status, JSON.stringify(stamped, null, 2) + "\n");
}

/**
 * Records that training a run stopped on an error (not its own divergence): failed, at the last
 * finished epoch of its status, with the reason; its checkpoint stays, and the next training of the
 * run starts from it ({@link isRunFinished}).
 *
 * @example
 * ```ts
 * const dir = Deno.makeTempDirSync();
 * writeRunStatus(dir, { state: "running", epoch: 3, backend: "cpu" });
 * recordRunError(dir, "disk full");
 * JSON.parse(Deno.readTextFileSync(`${dir}/status.json`)).failure; // "error"
 * ```
 */
export function recordRunError(dir: string, reason: string): void {
  let previous: Partial<RunStatus> = {};
  try {
    previous = JSON.parse(readFileSync(runFiles(dir).status, "utf8"));
  } catch {
    // No status yet, or a damaged one: the failure replaces it.
  }
  writeRunStatus(dir, {
    state: "failed",
    failure: "error",
    epoch: typeof previous.epoch === "number" ? previous.epoch : 0,
    reason,
    backend: typeof previous.backend === "string" ? previous.backend : "unknown",
  });
}
