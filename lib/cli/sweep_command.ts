/**
 * `nc sweep`: run the grid behind a figure at a preset.
 *
 * @module
 */
import { cpus } from "node:os";
import { initBackend } from "../backend/backend.ts";
import { FIGURE_NAMES, FIGURE_PRESET_NAMES, figureGrid } from "../experiments/figure_presets.ts";
import { expandGrid, sweep, type SweepGrid } from "../experiments/sweep.ts";
import { describeRecipe } from "../training/recipes.ts";
import { readFileSync } from "node:fs";
import { type Command, numberFlag, parseFlags, writeJson } from "./args.ts";
import { CliError } from "./args.ts";

const HELP = `Usage: deno task nc sweep (--figure NAME [--preset smoke|cpu|paper] | --grid FILE) [options]

Runs every configuration of a figure's grid (or of a grid file) that is not done yet (finished runs
are read from the run store; interrupted ones resume; a run another process is training is waited
for, never trained twice), printing a line per run and a summary. Exits 1 when a run failed.

Options:
  --figure NAME     ${FIGURE_NAMES.join(" | ")}
  --grid FILE       a JSON grid { "base": {...}, "losses": [...], "widths": [...], "epochs": [...], "seeds": [...] }
  --preset P        ${FIGURE_PRESET_NAMES.join(" | ")} (default cpu)
  --jobs N          runs in parallel processes (default 1; at most the number of cores); the cores
                    are divided among them (native backend: jobs × threads ≤ cores)
  --runs-dir DIR    the run store (default runs)
  --data-dir DIR    where the dataset's files are
  --backend NAME    TensorFlow.js backend (default auto, or NC_BACKEND)
  --threads N       threads of the native backend (default NC_THREADS, else every core; with --jobs,
                    at most cores ÷ jobs each)
  --json            print one JSON object: runs, done, failed (with reasons)
  -h, --help        this help`;

/** Reads and checks a grid file. */
function readGrid(file: string): SweepGrid {
  let grid: Record<string, unknown>;
  try {
    grid = JSON.parse(readFileSync(file, "utf8"));
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
      "runs-dir": flag,
      "data-dir": flag,
      backend: flag,
      threads: flag,
      json: { type: "boolean" },
    }, "sweep");
    if (!values.figure === !values.grid) {
      throw new CliError(`sweep: give either --figure (${FIGURE_NAMES.join(", ")}) or --grid FILE`);
    }
    const grid = values.grid ? readGrid(values.grid) : figureGrid(values.figure!, values.preset ?? "cpu");
    const label = values.grid ?? `${values.figure} (${values.preset ?? "cpu"})`;
    const configs = expandGrid(grid);
    const jobs = numberFlag(values, "jobs", 1);
    if (!Number.isInteger(jobs) || jobs < 1) {
      throw new CliError(`--jobs must be a positive integer, got ${values.jobs}`);
    }
    if (jobs > cpus().length) {
      io.stderr(`[nc] --jobs ${jobs} exceeds the ${cpus().length} cores; runs will compete for them\n`);
    }
    const threads = numberFlag(values, "threads");
    await initBackend({ backend: values.backend, threads, quiet: true });
    const started = performance.now();
    io.stderr(`[nc] sweep ${label}: ${configs.length} runs, ${jobs} at a time\n`);
    for (const line of new Set(configs.map((c) => describeRecipe(c.recipe, c)))) io.stderr(`[nc] recipe ${line}\n`);
    const records = await sweep(configs, {
      runsDir: values["runs-dir"],
      dataDir: values["data-dir"],
      backend: values.backend,
      threads,
      jobs,
      log: (line) => io.stderr(line + "\n"),
      onRun: (r, done, total) => {
        const final = r.rows.at(-1);
        const result = r.status.state === "failed"
          ? `FAILED: ${r.status.reason}`
          : final
          ? `test ${(100 * final.testAccuracy).toFixed(2)}%  NC1 ${final.nc1.toExponential(2)}`
          : r.status.state;
        io.stderr(`[${String(done).padStart(String(total).length)}/${total}] ${r.id}  ${result}\n`);
      },
    });
    const failed = records.filter((r) => r.status.state === "failed");
    const seconds = (performance.now() - started) / 1000;
    io.stderr(`[nc] ${records.length - failed.length} done, ${failed.length} failed in ${seconds.toFixed(1)} s\n`);
    for (const r of failed) io.stderr(`[nc]   failed: ${r.id}: ${r.status.reason}\n`);
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
