/**
 * `nc sweep`: run the grid behind a figure at a preset.
 *
 * @module
 */
import { cpus } from "node:os";
import { initBackend } from "../backend/backend.ts";
import { FIGURE_NAMES, FIGURE_PRESET_NAMES, figureGrid } from "../experiments/figure_presets.ts";
import { expandGrid, MAX_JOBS, sweep, type SweepGrid } from "../experiments/sweep.ts";
import { planSweep } from "../experiments/sweep_plan.ts";
import { describeRecipe } from "../training/recipes.ts";
import { mkdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { ncCommand, slurmArrayScript } from "../experiments/slurm.ts";
import { readEnvironmentVariable } from "../environment.ts";
import { writeFileAtomic } from "../store/atomic.ts";
import { type PackSetting, parsePackSetting } from "../experiments/packs.ts";
import { type Command, integerFlag, parseFlags, threadsOption, writeJson } from "./args.ts";
import { printDryRun } from "./sweep_dry_run.ts";
import { CliError } from "./args.ts";
import { cliRunsDir, userPath } from "./paths.ts";
import { handleStopSignals, SIGNAL_EXIT_CODES } from "../training/stop_signals.ts";
import { streamProgress } from "../notebook/progress.ts";

const HELP = `Usage: deno task nc sweep (--figure NAME [--preset smoke|cpu|paper] | --grid FILE) [options]

Runs every configuration of a figure's grid (or of a grid file) that is not done yet (finished runs
are read from the run store; interrupted ones resume; a run another process is training is waited
for, never trained twice), printing a line per run and a summary. A run that fails (diverges, meets
an error, or has damaged files) is reported and the others go on; exits 1 when a run failed. A run
that failed by an error is trained again by the next sweep; one that diverged is kept as a result
unless --retry-failed. On SIGTERM or SIGINT the runs stop at their next batch (workers too), keeping
their checkpoints; exits 143 or 130.

Options:
  --figure NAME     ${FIGURE_NAMES.join(" | ")}
  --grid FILE       a JSON grid { "base": {...}, "losses": [...], "widths": [...], "epochs": [...], "seeds": [...] }
  --preset P        ${FIGURE_PRESET_NAMES.join(" | ")} (default cpu)
  --jobs N          runs in parallel processes (default 1; at most ${MAX_JOBS}, best at most the
                    number of cores); the cores are divided among them (native backend:
                    jobs × threads ≤ cores)
  --pack auto|off|N train MLP runs of one shape (data, width, depth, budget) together as one graph,
                    at most N a pack (auto: 16, and at least as many packs as jobs); each run's
                    results are those it has alone (docs/backends.md, "Packed training")
  --runs-dir DIR    the run store (default NC_RUNS_DIR, else runs/ in the current directory)
  --data-dir DIR    where the dataset's files are (default: Debian's Fashion-MNIST; for CIFAR the
                    checkout's data/, or any folder holding the binary or python version)
  --backend NAME    TensorFlow.js backend (default auto, or NC_BACKEND)
  --threads N       threads of the native backend (default NC_THREADS, else SLURM_CPUS_PER_TASK,
                    else every core; with --jobs, at most cores ÷ jobs each)
  --dry-run         list the runs the sweep would train (new, or resuming after which epoch), with
                    the time each would take from stored runs of the same shape, and the total;
                    writes nothing (with --array-index: that run; with --jobs: the time shared)
  --retry-failed    train the runs that failed by divergence again from their last checkpoint
                    (otherwise they are kept as recorded, and the summary says so)
  --json            print one JSON object: runs, done, failed (with reasons)
  -h, --help        this help

On a Slurm cluster (docs: the README, "Running the paper grid on a Slurm cluster"):
  --slurm           write a job-array script (one task per run, in the grid's order) instead of
                    training; it prints the script's path: submit it with sbatch
  --script FILE     where to write it (default RUNS_DIR/slurm/<figure>-<preset>.sbatch)
  --partition P     --gres G (for example gpu:1)   --time T   --cpus-per-task N
                    passed to Slurm as #SBATCH lines
  --array-index I   train run I of the grid (0-based, the grid's order) and nothing else: what each
                    array task runs`;

/** Reads and checks a grid file. */
function readGrid(file: string): SweepGrid {
  let grid: Record<string, unknown>;
  try {
    grid = JSON.parse(readFileSync(userPath(file), "utf8"));
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`);
  }
  for (const key of ["losses", "widths", "epochs", "seeds"]) {
    if (!Array.isArray(grid[key]) || (grid[key] as unknown[]).length === 0) {
      throw new CliError(`${file}: "${key}" must be a non-empty array`);
    }
  }
  for (const key of Object.keys(grid)) {
    if (!["base", "losses", "widths", "epochs", "seeds"].includes(key)) {
      throw new CliError(`${file}: unknown key "${key}" (expected base, losses, widths, epochs, seeds)`);
    }
  }
  return { base: (grid.base as Record<string, unknown>) ?? {}, ...grid } as unknown as SweepGrid;
}

/** The `sweep` subcommand. */
export const sweepCommand: Command = {
  name: "sweep",
  summary: "run the grid of runs behind a figure",
  help: HELP,
  async run(argv, io) {
    const flag = { type: "string" } as const;
    const { values } = parseFlags(argv, {
      figure: flag,
      grid: flag,
      preset: flag,
      jobs: flag,
      pack: flag,
      "runs-dir": flag,
      "data-dir": flag,
      backend: flag,
      threads: flag,
      json: { type: "boolean" },
      slurm: { type: "boolean" },
      script: flag,
      partition: flag,
      gres: flag,
      time: flag,
      "cpus-per-task": flag,
      "array-index": flag,
      "dry-run": { type: "boolean" },
      "retry-failed": { type: "boolean" },
    }, "sweep");
    if (!values.figure === !values.grid) {
      throw new CliError(`sweep: give either --figure (${FIGURE_NAMES.join(", ")}) or --grid FILE`);
    }
    const grid = values.grid ? readGrid(values.grid) : figureGrid(values.figure!, values.preset ?? "cpu");
    const label = values.grid ?? `${values.figure} (${values.preset ?? "cpu"})`;
    let configs = expandGrid(grid);
    const runsDir = cliRunsDir(values["runs-dir"]);
    const dataDir = userPath(values["data-dir"]);
    // Every count is checked before anything is read or written.
    const jobs = integerFlag(values, "jobs", { min: 1, max: MAX_JOBS, fallback: 1 })!;
    const cpusPerTask = integerFlag(values, "cpus-per-task", { min: 1, max: 1024 });
    let pack: PackSetting;
    try {
      pack = parsePackSetting(values.pack ?? "auto");
    } catch (error) {
      throw new CliError((error as Error).message);
    }
    const threads = threadsOption(values);
    const retryFailed = values["retry-failed"] ?? false;
    if (values["dry-run"] && values.slurm) {
      throw new CliError(
        "sweep: --dry-run lists the runs to train and --slurm writes a job array: give one (a job array's tasks train what --dry-run lists)",
      );
    }
    if (values.slurm) {
      const name = values.grid
        ? basename(values.grid).replace(/\.json$/, "")
        : `${values.figure}-${values.preset ?? "cpu"}`;
      const file = userPath(values.script ?? join(runsDir, "slurm", `${name}.sbatch`));
      const script = slurmArrayScript({
        jobName: `nc-${name}`,
        count: configs.length,
        gridArgs: values.grid
          ? ["--grid", userPath(values.grid)]
          : ["--figure", values.figure!, "--preset", values.preset ?? "cpu"],
        runsDir,
        logDir: join(runsDir, "slurm"),
        dataDir,
        backend: values.backend,
        partition: values.partition,
        gres: values.gres,
        time: values.time,
        cpusPerTask,
        command: ncCommand({ self: readEnvironmentVariable("NC_SELF") }),
      });
      mkdirSync(join(runsDir, "slurm"), { recursive: true });
      writeFileAtomic(file, script);
      io.stdout(file + "\n");
      io.stderr(`[nc] ${label}: a job array of ${configs.length} runs; submit it with: sbatch ${file}\n`);
      return 0;
    }
    if (values["array-index"] !== undefined) {
      const index = Number(values["array-index"]);
      if (!Number.isInteger(index) || index < 0 || index >= configs.length) {
        throw new CliError(
          `--array-index must be an integer from 0 to ${
            configs.length - 1
          } (the grid has ${configs.length} runs), got ${values["array-index"]}`,
        );
      }
      configs = [configs[index]];
    }
    if (jobs > cpus().length) {
      io.stderr(`[nc] --jobs ${jobs} exceeds the ${cpus().length} cores; runs will compete for them\n`);
    }
    if (values["dry-run"]) {
      const lockLeaseMs = 1000 * readEnvironmentVariable("NC_LOCK_LEASE");
      const plan = planSweep(configs, { runsDir, retryFailed, lockLeaseMs });
      printDryRun(plan, io, { label, runsDir, jobs, json: values.json ?? false });
      return 0;
    }
    await initBackend({ backend: values.backend, threads, quiet: true });
    // Runs that diverged in an earlier sweep are kept as recorded unless --retry-failed: say so at the end.
    const keptFailed = new Set(
      retryFailed ? [] : planSweep(configs, { runsDir }).filter((p) => p.action === "failed").map((p) => p.id),
    );
    const started = performance.now();
    io.stderr(`[nc] sweep ${label}: ${configs.length} runs, ${jobs} at a time\n`);
    for (const line of new Set(configs.map((c) => describeRecipe(c.recipe, c)))) io.stderr(`[nc] recipe ${line}\n`);
    const stop = handleStopSignals({ log: (line) => io.stderr(line + "\n") });
    let records;
    try {
      records = await sweep(configs, {
        runsDir,
        dataDir,
        backend: values.backend,
        threads: threads ?? readEnvironmentVariable("NC_THREADS"),
        jobs,
        pack,
        retryFailed,
        lockLeaseMs: 1000 * readEnvironmentVariable("NC_LOCK_LEASE"),
        log: (line) => io.stderr(line + "\n"),
        // Between the runs' own lines, the sweep's state at least every 30 s: never silent for long.
        onProgress: streamProgress(`[nc] sweep ${label}`, { write: io.stderr, atRunEnd: false }),
        onRun: (r, done, total) => {
          const final = r.rows.at(-1);
          const result = r.status.state === "failed"
            ? `FAILED: ${r.status.reason}`
            : final
            ? `test ${(100 * final.testAccuracy).toFixed(2)}%  NC1 ${final.nc1.toExponential(2)}`
            : r.status.state;
          io.stderr(`[${String(done).padStart(String(total).length)}/${total}] ${r.id}  ${result}\n`);
        },
        signal: stop.signal,
      });
    } catch (error) {
      const received = stop.received();
      if (received === null) throw error;
      io.stderr(`[nc] sweep ${label} ${(error as Error).message}\n`);
      return SIGNAL_EXIT_CODES[received];
    } finally {
      stop.dispose();
    }
    const failed = records.filter((r) => r.status.state === "failed");
    const seconds = (performance.now() - started) / 1000;
    io.stderr(`[nc] ${records.length - failed.length} done, ${failed.length} failed in ${seconds.toFixed(1)} s\n`);
    for (const r of failed) io.stderr(`[nc]   failed: ${r.id}: ${r.status.reason?.replace(/\s*\n\s*/g, " ")}\n`);
    const kept = failed.filter((r) => keptFailed.has(r.id));
    if (kept.length > 0) {
      io.stderr(
        `[nc] ${kept.length} of them failed in an earlier sweep and ${
          kept.length === 1 ? "was" : "were"
        } not trained again (a divergence is a result): --retry-failed trains ${
          kept.length === 1 ? "it" : "them"
        } again from the last checkpoint\n`,
      );
    }
    if (values.json) {
      writeJson(io, {
        figure: values.figure ?? null,
        grid: values.grid ?? null,
        preset: values.preset ?? "cpu",
        runs: records.map((r) => ({ id: r.id, dir: r.dir, status: r.status.state, reason: r.status.reason ?? null })),
        done: records.length - failed.length,
        failed: failed.length,
        seconds,
      });
    }
    return failed.length > 0 ? 1 : 0;
  },
};
