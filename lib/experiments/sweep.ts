/**
 * Sweeps: a grid of losses × widths × epoch budgets × seeds expanded into run configurations, run
 * through `training/run.ts`, or packed through `training/run_pack.ts` (`packs.ts`), so finished runs
 * are instant and interrupted ones resume, in this process or in N parallel worker processes
 * (`training/worker.ts`).
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { activeBackend } from "../backend/backend.ts";
import { coreCount } from "../backend/native_libraries.ts";
import type { LossSpec } from "../core/losses.ts";
import { normalizeTrainConfig, type TrainConfig } from "../training/config.ts";
import { runId } from "../training/run_id.ts";
import { DamagedRunError, hasRun } from "../store/run_dir.ts";
import { clearStaleLock } from "../store/run_lock.ts";
import { readRun, type RunOptions, type RunRecord, runTraining } from "../training/run.ts";
import { runPack } from "../training/run_pack.ts";
import { WORKER_ENTRY } from "../training/worker.ts";
import { type PackSetting, planPacks } from "./packs.ts";
import { planSweep, TRAINING_ACTIONS } from "./sweep_plan.ts";
import {
  INPUT_ERRORS,
  parseEpochLine,
  parseResultLine,
  WORKER_EPOCHS_ENV,
  WORKER_RETRY_FAILED_ENV,
  workerArgs,
} from "../training/worker_protocol.ts";

/** A grid of runs: every combination of the listed values on top of `base`. */
export interface SweepGrid {
  /** Keys shared by every run (dataset, model, recipe, …). */
  readonly base: Record<string, unknown>;
  readonly losses: readonly LossSpec[];
  readonly widths: readonly number[];
  readonly epochs: readonly number[];
  readonly seeds: readonly number[];
}

/**
 * The normalised configurations of a grid, in a fixed order (loss, width, epochs, seed).
 *
 * @example
 * ```ts
 * expandGrid({ base: { dataset: "fashion-mnist" }, losses: [{ name: "ce" }], widths: [64, 128], epochs: [10], seeds: [0, 1] }).length; // 4
 * ```
 */
export function expandGrid(grid: SweepGrid): TrainConfig[] {
  const out: TrainConfig[] = [];
  for (const loss of grid.losses) {
    for (const width of grid.widths) {
      for (const epochs of grid.epochs) {
        for (const seed of grid.seeds) out.push(normalizeTrainConfig({ ...grid.base, loss, width, epochs, seed }));
      }
    }
  }
  return out;
}

/** Options of {@link sweep}. */
export interface SweepOptions
  extends Pick<RunOptions, "runsDir" | "dataDir" | "log" | "lockLeaseMs" | "signal" | "retryFailed"> {
  /** Runs in parallel processes (default 1: in this process). */
  jobs?: number;
  /** Backend of the worker processes (default: this process's, once initialised; else NC_BACKEND or auto). */
  backend?: string;
  /** Threads of the native backend per worker process (default {@link threadsPerJob}). */
  threads?: number;
  /** How runs of one shape are packed to train as one graph (default "auto"; `packs.ts`). */
  pack?: PackSetting;
  /** Called after each run with its record and how many are done. */
  onRun?: (record: RunRecord, done: number, total: number) => void;
  /**
   * Called when a run that needs training starts and after each of its epochs; never when every
   * run is already done in the store (reading cached runs reports nothing).
   */
  onProgress?: (progress: SweepProgress) => void;
}

/** Where a sweep stands: what it has to train and how far it got. */
export interface SweepProgress {
  /** Runs of the grid, and how many were done in the store before the sweep started. */
  total: number;
  stored: number;
  /** Runs trained (or resumed) by this sweep so far, of `toTrain`. */
  trained: number;
  toTrain: number;
  /** Epochs left to train in the runs to train (a resumed run from its checkpoint), and those done so far. */
  epochsDone: number;
  epochsTotal: number;
  /** The runs in training now, with their last finished epoch. */
  running: { id: string; epoch: number; epochs: number }[];
}

const WORKER = resolve(fileURLToPath(WORKER_ENTRY));

/**
 * Most parallel jobs of a sweep (`--jobs`): each is a process with its own copy of the data and the
 * runtime, so more would exhaust a node's memory long before its cores.
 */
export const MAX_JOBS = 256;

/**
 * Threads of the native libraries for each of `jobs` parallel runs: the cores divided among the
 * jobs (at least 1), never more than `requested` (the command line passes `NC_THREADS`), so that
 * jobs × threads ≤ cores.
 *
 * @example
 * ```ts
 * threadsPerJob(2, 2); // 1 on a 2-core machine
 * ```
 */
export function threadsPerJob(jobs: number, cores = coreCount(), requested?: number): number {
  const share = Math.max(1, Math.floor(cores / jobs));
  return requested !== undefined && Number.isInteger(requested) && requested >= 1 ? Math.min(requested, share) : share;
}

/** A sweep was stopped (SIGTERM, SIGINT) before every run finished; its runs resume when it runs again. */
export class SweepStoppedError extends Error {
  override name = "SweepStoppedError";
}

/** A record of a run that failed before writing a status, or whose files are damaged. */
function failedRecord(dir: string, config: TrainConfig, reason: string): RunRecord {
  const status = { state: "failed", failure: "error", epoch: 0, reason, backend: "unknown" } as const;
  return { id: basename(dir), dir, config, status: { ...status, updatedAt: new Date().toISOString() }, rows: [] };
}

/** A run's record; a failed record naming the file when one of its files is damaged. */
function readForSweep(dir: string, config: TrainConfig): RunRecord {
  try {
    return readRun(dir);
  } catch (error) {
    if (error instanceof DamagedRunError) return failedRecord(dir, config, error.message);
    throw error;
  }
}

/** The signal a stopped sweep forwards to its workers: the one it received (SIGTERM unless named). */
const forwardedSignal = (signal: AbortSignal) =>
  (typeof signal.reason === "string" && signal.reason.startsWith("SIG") ? signal.reason : "SIGTERM") as NodeJS.Signals;

function runInWorker(
  configs: readonly TrainConfig[],
  options: SweepOptions,
  scratch: string,
  threads: number,
  onEpoch: (epoch: number) => void,
  children: Set<ChildProcess>,
): Promise<RunRecord[]> {
  const name = configs.map((c) => runId(c)).join("+");
  const file = join(scratch, `${runId(configs[0])}-${configs.length}.json`);
  writeFileSync(file, JSON.stringify(configs.length === 1 ? configs[0] : configs));
  const runsDir = options.runsDir ?? "runs";
  const args = ["run", "-A", WORKER, ...workerArgs({ configFile: file, runsDir, dataDir: options.dataDir })];
  const backend = options.backend ?? activeBackend();
  const env: Record<string, string | undefined> = {
    ...process.env,
    NC_THREADS: String(threads),
    [WORKER_EPOCHS_ENV]: "1",
    [WORKER_RETRY_FAILED_ENV]: options.retryFailed ? "1" : undefined,
  };
  if (backend) env.NC_BACKEND = backend;
  if (options.lockLeaseMs !== undefined) {
    env.NC_LOCK_LEASE = String(Math.max(1, Math.round(options.lockLeaseMs / 1000)));
  }
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env });
    children.add(child);
    if (options.signal?.aborted) child.kill(forwardedSignal(options.signal));
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    let pending = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d) => {
      const lines = (pending + d).split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        const epoch = parseEpochLine(line);
        if (epoch !== null) onEpoch(epoch);
        else {
          stderr += line + "\n";
          // The worker's own lines (training, resuming, waiting for a lock and for whom, a damaged
          // checkpoint set aside) are the sweep's, as they are when it trains in this process.
          if (line.startsWith("[nc] ")) options.log?.(line);
        }
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      children.delete(child);
      stderr += pending;
      try {
        resolvePromise(parseResultLine(stdout).runDirs.map((dir) => readRun(dir)));
      } catch {
        const input = /^error: (\w+): (.*)$/m.exec(stderr);
        if (code === 2 && input && INPUT_ERRORS.has(input[1])) {
          // Bad input, as the worker named it: the sweep stops with it (one line, exit 2, nothing written).
          return reject(Object.assign(new Error(input[2]), { name: input[1] }));
        }
        reject(
          new Error(
            `run ${name} (exit ${code}): ${
              stderr.trim().split("\n").filter((l) => l.startsWith("error")).join(" ") ||
              stderr.trim().split("\n").at(-1)
            }`,
          ),
        );
      }
    });
  });
}

/**
 * Runs every configuration of the grid that is not done yet and returns all their records, in
 * grid order. A failed run is returned with its failure and the sweep goes on: a divergence, an
 * error of its own (recorded in its status, with the reason), or damaged files (reported as failed,
 * naming the file, and left as they are). Once `signal` is aborted, no run starts, the runs in
 * training stop at their next batch (workers get the signal), and a {@link SweepStoppedError} says
 * how far the sweep got.
 *
 * @example
 * ```ts ignore (trains every run of a grid)
 * const runs = await sweep(grid, { runsDir: "runs", jobs: 2 });
 * ```
 */
export async function sweep(grid: SweepGrid | TrainConfig[], options: SweepOptions = {}): Promise<RunRecord[]> {
  const configs = Array.isArray(grid) ? grid : expandGrid(grid);
  const jobs = Math.max(1, Math.min(options.jobs ?? 1, configs.length));
  const records: RunRecord[] = new Array(configs.length);
  let done = 0, next = 0;
  const runsDir = options.runsDir ?? "runs";
  // Where each run stands (`sweep_plan.ts`): not trained (done, failed by divergence unless
  // retryFailed, damaged) or the epoch it starts after.
  const plan = planSweep(configs, { runsDir, retryFailed: options.retryFailed });
  const start = plan.map((p) => ({ stored: !TRAINING_ACTIONS.has(p.action), epoch: p.epoch }));
  const stored = start.map((s) => s.stored);
  const progress: SweepProgress = {
    total: configs.length,
    stored: stored.filter(Boolean).length,
    trained: 0,
    toTrain: stored.filter((s) => !s).length,
    epochsDone: 0,
    epochsTotal: configs.reduce((a, c, i) => a + (stored[i] ? 0 : c.epochs - start[i].epoch), 0),
    running: [],
  };
  const report = () => options.onProgress?.({ ...progress, running: progress.running.map((r) => ({ ...r })) });
  const items = planPacks(configs, configs.map((_, i) => i).filter((i) => !stored[i]), {
    pack: options.pack ?? "auto",
    jobs,
  });
  // Stored runs are read (instantly) in the calling process.
  configs.forEach((config, i) => {
    if (!stored[i]) return;
    const dir = join(runsDir, runId(config));
    clearStaleLock(dir, { leaseMs: options.lockLeaseMs });
    records[i] = readForSweep(dir, config);
  });
  const scratch = jobs > 1 ? mkdtempSync(join(tmpdir(), "nc-sweep-")) : "";
  // The cores are divided among the workers that start (fewer than the jobs when there are fewer items).
  const workers = Math.min(jobs, Math.max(1, items.length));
  const threads = threadsPerJob(workers, coreCount(), options.threads);
  const children = new Set<ChildProcess>();
  const { signal } = options;
  const forward = () => children.forEach((child) => child.kill(forwardedSignal(signal!)));
  signal?.addEventListener("abort", forward);
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++];
      const slots = item.map((index) => ({
        id: runId(configs[index]),
        epoch: start[index].epoch,
        epochs: configs[index].epochs,
      }));
      const onEpoch = (epoch: number) => {
        for (const slot of slots) {
          progress.epochsDone += Math.max(0, epoch - slot.epoch);
          slot.epoch = Math.max(slot.epoch, epoch);
        }
        report();
      };
      progress.running.push(...slots);
      report();
      const itemConfigs = item.map((index) => configs[index]);
      const runOptions = {
        runsDir: options.runsDir,
        dataDir: options.dataDir,
        log: options.log,
        lockLeaseMs: options.lockLeaseMs,
        retryFailed: options.retryFailed,
      };
      const dirs = item.map((index) => join(runsDir, runId(configs[index])));
      let trained: RunRecord[];
      try {
        trained = jobs > 1
          ? await runInWorker(itemConfigs, options, scratch, threads, onEpoch, children)
          : item.length > 1
          ? await runPack(itemConfigs, { ...runOptions, onEpoch, signal })
          : [await runTraining(itemConfigs[0], { ...runOptions, onEpoch: (epoch) => onEpoch(epoch), signal })];
      } catch (error) {
        // Bad input (missing data, an invalid configuration) stops the sweep: it is no run's failure.
        if (INPUT_ERRORS.has((error as Error).name)) throw error;
        // The run's own failure, as its status records it when it got that far; else the error.
        const reason = (error as Error).message;
        trained = dirs.map((dir, k) => {
          if (signal?.aborted || !hasRun(dir)) return failedRecord(dir, itemConfigs[k], reason);
          const record = readForSweep(dir, itemConfigs[k]);
          return record.status.state === "failed" ? record : failedRecord(dir, itemConfigs[k], reason);
        });
        if (signal?.aborted) return;
      }
      // A run stopped by the signal is not over: it resumes when the sweep runs again.
      if (signal?.aborted && trained.some((r) => r.status.state === "running")) return;
      item.forEach((index, k) => {
        records[index] = trained[k];
        // The epochs a run that failed early will not train.
        progress.epochsDone += configs[index].epochs - slots[k].epoch;
        progress.trained++;
        progress.running.splice(progress.running.indexOf(slots[k]), 1);
      });
      report();
      item.forEach((index) => options.onRun?.(records[index], ++done, configs.length));
    }
  };
  configs.forEach((_, i) => stored[i] && options.onRun?.(records[i], ++done, configs.length));
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    signal?.removeEventListener("abort", forward);
    // Workers never outlive their sweep (an error of this process included).
    for (const child of children) child.kill("SIGTERM");
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
  if (signal?.aborted) {
    throw new SweepStoppedError(
      `stopped by ${
        forwardedSignal(signal)
      }: ${done} of ${configs.length} runs over; run the same sweep again to resume the others from their checkpoints`,
    );
  }
  return records;
}

/**
 * The runs of a grid that are in the run store, in grid order (runs not stored yet are skipped);
 * nothing is trained.
 *
 * @example
 * ```ts
 * storedRuns(figureGrid("heatmaps", "cpu"), "runs").length; // 240 once the heat-map sweep is done
 * ```
 */
export function storedRuns(grid: SweepGrid, runsDir: string): RunRecord[] {
  return expandGrid(grid).map((c) => join(runsDir, runId(c))).filter(hasRun).map(readRun);
}
