/**
 * Slurm job arrays for sweeps: one array task per run of a grid, in the grid's fixed order
 * (`expandGrid`: loss, width, epochs, seed). Every task runs `nc sweep … --array-index I` against a
 * run store on a shared filesystem; the store's locks make a task that runs twice (a requeue, a
 * resubmitted array) wait for or return the run instead of training it again.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** What the array script runs and asks Slurm for. */
export interface SlurmArrayOptions {
  /** Job name (`#SBATCH --job-name`). */
  jobName: string;
  /** Number of runs in the grid: the array is 0 … count − 1. */
  count: number;
  /** The `nc sweep` arguments that select the grid (`--figure F --preset P`, or `--grid FILE`), absolute paths. */
  gridArgs: readonly string[];
  /** Absolute path of the run store shared by the tasks. */
  runsDir: string;
  /** Where each task's output goes (`%A_%a.out` inside). */
  logDir: string;
  dataDir?: string;
  backend?: string;
  partition?: string;
  /** Generic resources, for example `gpu:1`. */
  gres?: string;
  /** Time limit, as Slurm reads it (`HH:MM:SS`, `D-HH`, minutes). */
  time?: string;
  cpusPerTask?: number;
  /** How to start the command line (default {@link ncCommand}). */
  command?: readonly string[];
}

/**
 * The command that starts this toolkit's command line on a node: the one-file build `dist/nc` when
 * running from it (`self`, its path; the command line passes `NC_SELF`, which its launcher exports),
 * else this Deno binary on `lib/cli.ts`.
 *
 * @example
 * ```ts
 * ncCommand({ self: "/shared/nc" }); // ["/shared/nc"]
 * ```
 */
export function ncCommand(options: { self?: string } = {}): string[] {
  if (options.self) return [options.self];
  const cli = resolve(dirname(fileURLToPath(import.meta.url)), "..", "cli.ts");
  return [process.execPath, "run", "-A", cli];
}

function quote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'"'"'`)}'`;
}

/**
 * The `sbatch` script of a sweep's job array.
 *
 * @example
 * ```ts
 * const script = slurmArrayScript({
 *   jobName: "nc-heatmaps-paper", count: 192, gridArgs: ["--figure", "heatmaps", "--preset", "paper"],
 *   runsDir: "/shared/runs", logDir: "/shared/runs/slurm", gres: "gpu:1", command: ["/shared/nc"],
 * });
 * script.includes("#SBATCH --array=0-191"); // true
 * ```
 */
export function slurmArrayScript(options: SlurmArrayOptions): string {
  if (!Number.isInteger(options.count) || options.count < 1) {
    throw new Error(`a job array needs at least one run, got ${options.count}`);
  }
  const directives = [
    `--job-name=${options.jobName}`,
    `--array=0-${options.count - 1}`,
    `--output=${options.logDir}/%A_%a.out`,
    ...(options.partition ? [`--partition=${options.partition}`] : []),
    ...(options.gres ? [`--gres=${options.gres}`] : []),
    ...(options.time ? [`--time=${options.time}`] : []),
    ...(options.cpusPerTask ? [`--cpus-per-task=${options.cpusPerTask}`] : []),
  ];
  const args = [
    ...(options.command ?? ncCommand()),
    "sweep",
    ...options.gridArgs,
    "--runs-dir",
    options.runsDir,
    ...(options.dataDir ? ["--data-dir", options.dataDir] : []),
    ...(options.backend ? ["--backend", options.backend] : []),
  ];
  return [
    "#!/bin/sh",
    `# One task per run of the grid (${options.count} runs), in the grid's order; written by nc sweep --slurm.`,
    ...directives.map((d) => `#SBATCH ${d}`),
    "set -eu",
    `exec ${args.map(quote).join(" ")} --array-index "$SLURM_ARRAY_TASK_ID"`,
    "",
  ].join("\n");
}
