/**
 * Progress reporting for training: a one-line bar on a terminal (or a line per epoch when the
 * output is not a terminal), and a single updating display in a Deno notebook.
 *
 * @module
 */
import process from "node:process";
import type { SweepProgress } from "../experiments/sweep.ts";
import type { BatchProgress } from "../training/train.ts";

/** Formats seconds as "1h02m", "3m05s" or "42s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/**
 * The progress line: epoch, a bar over the epoch's batches, running loss and accuracy, and the
 * estimated time left for training (evaluation time not included).
 *
 * @example
 * ```ts
 * formatProgress({ epoch: 3, epochs: 30, batch: 211, batches: 422, loss: 0.41, accuracy: 0.85 }, 620);
 * // "epoch 3/30 [##########----------] 211/422  loss 0.4100  acc 85.00%  ETA 10m20s"
 * ```
 */
export function formatProgress(p: BatchProgress, etaSeconds: number, width = 20): string {
  const filled = Math.round((width * p.batch) / p.batches);
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  return `epoch ${p.epoch}/${p.epochs} [${bar}] ${p.batch}/${p.batches}  loss ${p.loss.toFixed(4)}  acc ${
    (100 * p.accuracy).toFixed(2)
  }%  ETA ${formatDuration(etaSeconds)}`;
}

/** Estimates the time left from the batches done so far in this session. */
export class EtaClock {
  #start: number | null = null;
  #firstBatch = 0;

  /** Seconds left after `p`, extrapolating the mean time per batch since the first report. */
  eta(p: BatchProgress, now = performance.now()): number {
    const done = (p.epoch - 1) * p.batches + p.batch;
    if (this.#start === null) {
      this.#start = now;
      this.#firstBatch = done;
      return NaN;
    }
    const perBatch = (now - this.#start) / 1000 / Math.max(1, done - this.#firstBatch);
    return perBatch * (p.epochs * p.batches - done);
  }
}

/**
 * A progress handler for a terminal: redraws one line on stderr (at most 10 times a second) when
 * it is a TTY, otherwise prints one line at the end of each epoch.
 *
 * @example
 * ```ts ignore (trains a run)
 * await runTraining(config, { onBatch: terminalProgress() });
 * ```
 */
export function terminalProgress(
  stream: { write(text: string): unknown; isTTY?: boolean } = process.stderr,
): (p: BatchProgress) => void {
  const clock = new EtaClock();
  let lastDraw = 0;
  return (p) => {
    const eta = clock.eta(p);
    const endOfEpoch = p.batch === p.batches;
    if (stream.isTTY) {
      const now = performance.now();
      if (now - lastDraw < 100 && !endOfEpoch) return;
      lastDraw = now;
      stream.write(`\r\x1b[2K${formatProgress(p, eta)}${endOfEpoch ? "\n" : ""}`);
    } else if (endOfEpoch) {
      stream.write(formatProgress(p, eta) + "\n");
    }
  };
}

/** Shows or updates a display in the notebook (`Deno.jupyter.display`). */
export type DisplayFunction = (
  bundle: Record<string, string>,
  options: { raw: boolean; display_id: string; update: boolean },
) => Promise<void>;

function denoDisplay(): DisplayFunction {
  return (bundle, options) =>
    (globalThis as unknown as { Deno: { jupyter: { display: DisplayFunction } } }).Deno.jupyter.display(
      bundle,
      options,
    );
}

/**
 * A progress handler for a Deno notebook: one output that updates in place (at most twice a
 * second). Outside the Deno kernel, where `Deno.jupyter` is unavailable, it logs to the console.
 *
 * @example
 * ```ts ignore (trains a run in a notebook)
 * await runTraining(config, { onBatch: notebookProgress() });
 * ```
 */
export function notebookProgress(options: { display?: DisplayFunction } = {}): (p: BatchProgress) => void {
  const show = updatingLine("nc-progress", options.display ?? denoDisplay());
  const clock = new EtaClock();
  let lastDraw = 0;
  return (p) => {
    const eta = clock.eta(p);
    const now = performance.now();
    if (now - lastDraw < 500 && p.batch !== p.batches) return;
    lastDraw = now;
    show(formatProgress(p, eta));
  };
}

/** One notebook output that each call replaces; outside the Deno kernel, a line on stderr per call. */
function updatingLine(prefix: string, display: DisplayFunction | null): (text: string) => void {
  const displayId = `${prefix}-${Math.random().toString(36).slice(2)}`;
  let shown = false;
  return (text) => {
    if (display) {
      try {
        void display({ "text/plain": text }, { raw: true, display_id: displayId, update: shown });
        shown = true;
        return;
      } catch {
        display = null; // not in the Deno kernel
      }
    }
    console.error(text);
  };
}

/** Most runs in training named one by one in a progress line; more (packs) are counted. */
const RUNS_NAMED = 3;

/** Runs in training counted by where they stand: "12 runs at epoch 5/20" (or "…, 2 at 7/20"). */
function packProgress(running: SweepProgress["running"]): string {
  const byEpoch = new Map<string, number>();
  for (const r of running) byEpoch.set(`${r.epoch}/${r.epochs}`, (byEpoch.get(`${r.epoch}/${r.epochs}`) ?? 0) + 1);
  return [...byEpoch].map(([at, n], i) => `${n}${i === 0 ? " runs" : ""} at epoch ${at}`).join(", ");
}

/**
 * The one-line state of a sweep: runs trained of those to train (and how many were stored), epochs
 * done, the runs in training and the time left, extrapolated from the epochs done so far.
 *
 * @example
 * ```ts
 * formatSweepProgress("heatmaps", {
 *   total: 144, stored: 96, trained: 3, toTrain: 48, epochsDone: 70, epochsTotal: 1120,
 *   running: [{ id: "fashion-mnist-mlp-w64-fl-e20-s1-0123456789", epoch: 5, epochs: 20 }],
 * }, 35);
 * // "heatmaps: 3/48 runs trained (96 stored), epoch 70/1120 · fashion-mnist-mlp-w64-fl-e20-s1 5/20 · 8m45s left"
 * ```
 *
 * More than three runs in training (a pack) are counted by the epoch they stand at instead:
 * "… · 12 runs at epoch 5/20 · …".
 */
export function formatSweepProgress(label: string, p: SweepProgress, elapsedSeconds: number): string {
  const left = p.epochsDone > 0 ? (elapsedSeconds / p.epochsDone) * (p.epochsTotal - p.epochsDone) : NaN;
  const running = p.running.length > RUNS_NAMED
    ? packProgress(p.running)
    : p.running.map((r) => `${r.id.replace(/-[0-9a-f]{10}$/, "")} ${r.epoch}/${r.epochs}`).join(", ");
  return `${label}: ${p.trained}/${p.toTrain} runs trained (${p.stored} stored), epoch ${p.epochsDone}/${p.epochsTotal}${
    running ? ` · ${running}` : ""
  } · ${formatDuration(left)} left`;
}

/**
 * A sweep's progress in a Deno notebook: one output line, updated in place (at most twice a second,
 * and at every run's end), created only when the sweep has something to train, so a notebook that
 * reads cached runs shows nothing. Outside the Deno kernel it writes the line to stderr instead.
 *
 * @example
 * ```ts ignore (trains in a notebook)
 * const runs = await sweep(grid, { runsDir: runsDir(), log: () => {}, onProgress: sweepProgress("heatmaps") });
 * ```
 */
export function sweepProgress(
  label: string,
  options: { display?: DisplayFunction; now?: () => number } = {},
): (p: SweepProgress) => void {
  const show = updatingLine("nc-sweep", options.display ?? denoDisplay());
  const now = options.now ?? (() => performance.now());
  let started: number | null = null, lastDraw = -Infinity, lastTrained = -1;
  return (p) => {
    const t = now();
    started ??= t;
    const finished = p.trained !== lastTrained;
    if (t - lastDraw < 500 && !finished) return;
    lastDraw = t;
    lastTrained = p.trained;
    show(formatSweepProgress(label, p, (t - started) / 1000));
  };
}

/**
 * A sweep's progress as lines on a stream (a log file, a terminal, a batch job's output): the
 * {@link formatSweepProgress} line at most every `everySeconds` (default 30) and when a run
 * finishes, nothing when there is nothing to train. Long work is never silent for longer than that.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const report = streamProgress("heatmaps", { write: (t) => lines.push(t), now: () => 0 });
 * report({ total: 4, stored: 0, trained: 0, toTrain: 4, epochsDone: 0, epochsTotal: 40, running: [] });
 * lines.length; // 1
 * ```
 */
export function streamProgress(
  label: string,
  options: {
    write?: (text: string) => void;
    everySeconds?: number;
    now?: () => number;
    /** Also a line when a run finishes (default true; off where each run gets its own line anyway). */
    atRunEnd?: boolean;
  } = {},
): (p: SweepProgress) => void {
  const write = options.write ?? ((text: string) => void process.stderr.write(text));
  const atRunEnd = options.atRunEnd ?? true;
  const every = 1000 * (options.everySeconds ?? 30);
  const now = options.now ?? (() => performance.now());
  let started: number | null = null, lastLine = -Infinity, lastTrained = -1;
  return (p) => {
    if (p.toTrain === 0) return;
    const t = now();
    started ??= t;
    const finished = atRunEnd && p.trained !== lastTrained;
    if (t - lastLine < every && !finished) return;
    lastLine = t;
    lastTrained = p.trained;
    write(`${formatSweepProgress(label, p, (t - started) / 1000)}\n`);
  };
}
