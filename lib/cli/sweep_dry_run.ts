/**
 * `nc sweep --dry-run`: the runs a sweep would train, a line each, with the time each would take
 * from the stored timings of runs of the same shape; reads the run store and writes nothing (no run
 * directory, no lock, no script).
 *
 * @module
 */
import { LOSS } from "../core/loss_registry.ts";
import type { LossSpec } from "../core/losses.ts";
import {
  estimateRunSeconds,
  type PlannedRun,
  storedEpochTimings,
  timingOf,
  TRAINING_ACTIONS,
} from "../experiments/sweep_plan.ts";
import { formatDuration } from "../notebook/progress.ts";
import type { TrainConfig } from "../training/config.ts";
import { type CliIo, writeJson } from "./args.ts";

/** A loss as its label with its parameter: "CE", "FL γ=3", "LS α=0.1", "MSE M=15". */
function lossText(loss: LossSpec): string {
  const { label, parameter } = LOSS[loss.name];
  if (parameter === null) return label;
  return `${label} ${parameter.symbol}=${(loss as unknown as Record<string, number>)[parameter.key]}`;
}

/** The keys a grid varies, in the grid's order, with their value (for JSON) and text. */
const VARYING: readonly [string, (c: TrainConfig) => string | number][] = [
  ["loss", (c) => lossText(c.loss)],
  ["width", (c) => c.width],
  ["epochs", (c) => c.epochs],
  ["seed", (c) => c.seed],
];

/** What training a planned run means, in words. */
function actionText(run: PlannedRun): string {
  const from = run.epoch > 0 ? `after epoch ${run.epoch}` : "from the start";
  const text = run.action === "new"
    ? "new"
    : run.action === "resume"
    ? `resumes ${from}`
    : `retried ${from} (failed: ${run.reason?.replace(/\s*\n\s*/g, " ")})`;
  return run.lockedBy === null ? text : `${text}; in training by ${run.lockedBy}: the sweep waits for it`;
}

/** Options of {@link printDryRun}. */
export interface DryRunOptions {
  /** The sweep's name for the lines ("heatmaps (cpu)", a grid file). */
  label: string;
  runsDir: string;
  jobs: number;
  json: boolean;
}

/**
 * Prints a sweep's plan: on stdout a line per run to train (its id, the configuration keys the grid
 * varies, new or resuming after which epoch, and its estimated time or "no stored timing"); on stderr
 * a summary with the runs that are not trained and why, and the total time. With `json`, one object
 * instead of the lines on stdout. Returns the runs to train.
 *
 * @example
 * ```ts ignore (prints)
 * printDryRun(planSweep(configs, { runsDir }), io, { label: "heatmaps (cpu)", runsDir, jobs: 1, json: false });
 * ```
 */
export function printDryRun(plan: readonly PlannedRun[], io: CliIo, options: DryRunOptions): PlannedRun[] {
  const timings = storedEpochTimings(options.runsDir);
  const toTrain = plan.filter((p) => TRAINING_ACTIONS.has(p.action));
  const varying = VARYING.filter(([, text]) => new Set(plan.map((p) => text(p.config))).size > 1);
  const shared = VARYING.filter(([key]) => !varying.some(([k]) => k === key));
  const seconds = toTrain.map((run) => estimateRunSeconds(run, timings));
  const known = seconds.filter((s): s is number => s !== null);
  const total = known.reduce((a, s) => a + s, 0);
  const count = (action: string) => plan.filter((p) => p.action === action).length;
  if (options.json) {
    writeJson(io, {
      dryRun: true,
      runs: toTrain.map((run, i) => ({
        id: run.id,
        action: run.action,
        epoch: run.epoch,
        lockedBy: run.lockedBy,
        epochs: run.config.epochs,
        ...Object.fromEntries(varying.map(([key, text]) => [key, text(run.config)])),
        seconds: seconds[i],
      })),
      done: count("done"),
      failed: plan.filter((p) => p.action === "failed").map((p) => ({ id: p.id, reason: p.reason })),
      damaged: plan.filter((p) => p.action === "damaged").map((p) => ({ id: p.id, reason: p.reason })),
      seconds: total,
      withoutTiming: seconds.length - known.length,
    });
  } else {
    const cells = toTrain.map((run, i) => [
      run.id,
      varying.map(([key, text]) => `${key} ${text(run.config)}`).join(", "),
      actionText(run),
      seconds[i] === null ? "no stored timing" : `~${formatDuration(seconds[i]!)}`,
    ]);
    const widths = [0, 1, 2].map((c) => Math.max(0, ...cells.map((line) => line[c].length)));
    for (const line of cells) {
      io.stdout(line.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]) : cell)).join("  ") + "\n");
    }
  }
  const first = plan[0];
  const log = (line: string) => io.stderr(`[nc] ${line}\n`);
  log(
    `sweep ${options.label} --dry-run: ${plan.length} runs in the grid, ${toTrain.length} to train (${
      count("new")
    } new, ${count("resume")} resuming, ${count("retry")} retried${
      toTrain.some((p) => p.lockedBy) ? `; ${toTrain.filter((p) => p.lockedBy).length} in training elsewhere now` : ""
    }), ${count("done")} done${
      first && shared.length
        ? `; every run has ${shared.map(([key, text]) => `${key} ${text(first.config)}`).join(", ")}`
        : ""
    }`,
  );
  const failed = plan.filter((p) => p.action === "failed");
  if (failed.length > 0) {
    log(
      `${failed.length} failed run${
        failed.length === 1 ? " is" : "s are"
      } kept as recorded (a divergence is a result): ${failed.map((p) => p.id).join(", ")}; --retry-failed trains ${
        failed.length === 1 ? "it" : "them"
      } again from the last checkpoint`,
    );
  }
  for (const p of plan.filter((p) => p.action === "damaged")) log(`damaged, reported as failed: ${p.reason}`);
  const from = [...new Set(toTrain.map((run) => timingOf(run, timings)).filter((t) => t !== null))];
  const runs = from.reduce((a, t) => a + t.runs, 0);
  const settings = [...new Set(from.flatMap((t) => t.settings))];
  const missing = seconds.length - known.length;
  if (toTrain.length > 0) {
    log(
      `estimated training time: ${known.length > 0 ? `~${formatDuration(total)}` : "unknown"}${
        known.length > 0
          ? ` for ${known.length} run${
            known.length === 1 ? "" : "s"
          } (epochs left × the median seconds an epoch took in ${runs} stored run${
            runs === 1 ? "" : "s"
          } of the same shape${settings.length ? `, on ${settings.join(", ")}` : ""})`
          : ""
      }${missing > 0 ? `; ${missing} run${missing === 1 ? " has" : "s have"} no stored timing` : ""}${
        options.jobs > 1 && known.length > 0
          ? `; about ${formatDuration(total / options.jobs)} with ${options.jobs} jobs`
          : ""
      }`,
    );
  }
  log("nothing was written (--dry-run)");
  return toTrain;
}
