/**
 * What a sweep would do, read from the run store without writing a byte: each run of the grid is
 * done, failed (a divergence, kept as a result), damaged (a file that does not parse), or to train —
 * new, resuming after its last checkpoint's epoch, or retried after a failure — and how long the
 * runs to train would take, from the per-epoch times of stored runs of the same shape. {@link sweep}
 * trains exactly the runs this plan lists as to train (`nc sweep --dry-run` prints it).
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DamagedRunError, hasRun, isRunFinished, readRunSettings, resumeEpoch } from "../store/run_dir.ts";
import { liveLock } from "../store/run_lock.ts";
import type { TrainConfig } from "../training/config.ts";
import { readRun, type RunRecord } from "../training/run.ts";
import { runId } from "../training/run_id.ts";

/** What a sweep does with a run: nothing (done, failed, damaged) or train it (new, resume, retry). */
export type PlannedAction = "done" | "failed" | "damaged" | "new" | "resume" | "retry";

/** One run of a sweep's plan. */
export interface PlannedRun {
  id: string;
  dir: string;
  config: TrainConfig;
  action: PlannedAction;
  /** The epoch training starts after (0: from the start; 0 too for runs not trained). */
  epoch: number;
  /** The recorded failure (failed, retry) or the damaged file (damaged); null otherwise. */
  reason: string | null;
  /** Who trains the run now, when another process holds its live lock (a sweep waits for it); else null. */
  lockedBy: string | null;
}

/** The actions that train a run. */
export const TRAINING_ACTIONS: ReadonlySet<PlannedAction> = new Set(["new", "resume", "retry"]);

/**
 * The plan of a sweep over `configs`, in their order, from what `runsDir` holds; reads only. A run
 * that failed by divergence is `failed` (kept as a result) unless `retryFailed`, a run that failed on
 * an error is retried from its checkpoint either way (`store/run_dir.ts`, `isRunFinished`). A run
 * another process holds the live lock of is planned as it stands, with `lockedBy` saying who trains
 * it (the sweep waits for it, and trains it only if that process stops before the end).
 *
 * @example
 * ```ts
 * const configs = expandGrid({ base: { dataset: "synthetic" }, losses: [{ name: "ce" }], widths: [8], epochs: [2], seeds: [0, 1] });
 * planSweep(configs, { runsDir: Deno.makeTempDirSync() }).map((p) => p.action); // ["new", "new"]
 * ```
 */
export function planSweep(
  configs: readonly TrainConfig[],
  options: { runsDir: string; retryFailed?: boolean; lockLeaseMs?: number },
): PlannedRun[] {
  return configs.map((config) => {
    const id = runId(config);
    const dir = join(options.runsDir, id);
    const holder = existsSync(dir) ? liveLock(dir, { leaseMs: options.lockLeaseMs }) : null;
    const run = {
      id,
      dir,
      config,
      epoch: 0,
      reason: null,
      lockedBy: holder && `process ${holder.pid} on ${holder.host}`,
    };
    if (!hasRun(dir)) return { ...run, action: "new" };
    let status;
    try {
      status = readRun(dir).status;
    } catch (error) {
      // Damaged records are reported (as failed, naming the file), never trained over.
      if (error instanceof DamagedRunError) return { ...run, action: "damaged", reason: error.message };
      throw error;
    }
    const reason = status.reason ?? null;
    if (isRunFinished(status, options)) return { ...run, action: status.state === "done" ? "done" : "failed", reason };
    const epoch = resumeEpoch(status, options);
    return status.state === "failed" ? { ...run, action: "retry", epoch, reason } : { ...run, action: "resume", epoch };
  });
}

/** The configuration keys that set the time an epoch takes (not the loss, seed, budget or recipe). */
const TIMING_SHAPE_KEYS = [
  "dataset",
  "synthetic",
  "model",
  "width",
  "depth",
  "batchNorm",
  "batchSize",
  "augment",
  "evalAugment",
  "evalEpochs",
  "layerMetrics",
  "valFraction",
  "perClass",
] as const satisfies readonly (keyof TrainConfig)[];

/** Runs of one timing shape: the key shared, for matching runs of a grid with stored runs. */
const timingShape = (config: TrainConfig) => JSON.stringify(TIMING_SHAPE_KEYS.map((key) => config[key]));

/** The stored per-epoch time of runs of one shape. */
export interface EpochTiming {
  /** Seconds an epoch took (training and its share of evaluation): the median over the runs. */
  seconds: number;
  /** How many stored runs it comes from. */
  runs: number;
  /** The backends (and native thread counts) they ran with, as their `settings.json` records them. */
  settings: string[];
}

/** Seconds per epoch of a stored run, from its last metrics row (its cumulative wall time); null without rows. */
function secondsPerEpoch(record: RunRecord): number | null {
  const last = record.rows.at(-1);
  return last && last.epoch > 0 && Number.isFinite(last.wallSeconds) ? last.wallSeconds / last.epoch : null;
}

/**
 * The per-epoch times of a run store's runs, by timing shape (data, network, batch size, what is
 * evaluated); runs without a metrics row and damaged runs are left out. Reads only.
 *
 * @example
 * ```ts
 * storedEpochTimings(`${Deno.makeTempDirSync()}/none`).size; // 0
 * ```
 */
export function storedEpochTimings(runsDir: string): Map<string, EpochTiming> {
  const byShape = new Map<string, { seconds: number[]; settings: Set<string> }>();
  if (!existsSync(runsDir)) return new Map();
  for (const entry of readdirSync(runsDir, { withFileTypes: true })) {
    const dir = join(runsDir, entry.name);
    if (!entry.isDirectory() || !hasRun(dir)) continue;
    let record: RunRecord, settings;
    try {
      record = readRun(dir);
      settings = readRunSettings(dir);
    } catch {
      continue; // A damaged run has no timing to give.
    }
    const seconds = secondsPerEpoch(record);
    if (seconds === null || typeof record.config !== "object" || record.config === null) continue;
    const key = timingShape(record.config);
    const shape = byShape.get(key) ?? byShape.set(key, { seconds: [], settings: new Set() }).get(key)!;
    shape.seconds.push(seconds);
    if (settings) {
      const threads = settings.threads === 1 ? "1 thread" : `${settings.threads} threads`;
      shape.settings.add(settings.threads === null ? settings.backend : `${settings.backend} with ${threads}`);
    }
  }
  return new Map([...byShape].map(([key, { seconds, settings }]) => {
    const sorted = seconds.toSorted((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    return [key, { seconds: median, runs: sorted.length, settings: [...settings].sort() }];
  }));
}

/**
 * The time a planned run to train would take: its epochs left × the stored per-epoch time of its
 * shape; null when the store holds no run of that shape (or the run does not train).
 *
 * @example
 * ```ts
 * const [config] = expandGrid({ base: { dataset: "synthetic" }, losses: [{ name: "ce" }], widths: [8], epochs: [10], seeds: [0] });
 * const [run] = planSweep([config], { runsDir: Deno.makeTempDirSync() });
 * estimateRunSeconds(run, storedEpochTimings(Deno.makeTempDirSync())); // null: no stored timing
 * ```
 */
export function estimateRunSeconds(run: PlannedRun, timings: ReadonlyMap<string, EpochTiming>): number | null {
  if (!TRAINING_ACTIONS.has(run.action)) return null;
  const timing = timings.get(timingShape(run.config));
  return timing === undefined ? null : (run.config.epochs - run.epoch) * timing.seconds;
}

/** The stored timing of a planned run's shape, if any. */
export function timingOf(run: PlannedRun, timings: ReadonlyMap<string, EpochTiming>): EpochTiming | null {
  return timings.get(timingShape(run.config)) ?? null;
}
