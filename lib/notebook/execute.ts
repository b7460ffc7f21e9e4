/**
 * Executes notebooks headless with the Deno kernel and checks their outputs.
 *
 * Execution goes through `execute_notebook.py` beside this file: Debian's nbclient (the engine of
 * `jupyter nbconvert --execute`) with a short grace period after each cell, because the Deno
 * kernel sometimes publishes a large result after reporting the cell idle and plain nbconvert then
 * drops that output.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { kernelName } from "./kernel.js";

const EXECUTOR = fileURLToPath(new URL("./execute_notebook.py", import.meta.url));
/** This checkout's Jupyter kernel, which the set-up installs (`jupyter_kernel.js`). */
export const PROJECT_KERNEL = kernelName(
  realpathSync(fileURLToPath(new URL("../..", import.meta.url))).replace(/\/$/, ""),
);
/** Debian's interpreter, which has Debian's Python packages (nbclient, torch); another python3 on PATH may not. */
export const DEBIAN_PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

/** A notebook that failed to execute or produced an error output. */
export class NotebookError extends Error {
  override name = "NotebookError";
}

/** Problems found in an executed notebook's outputs. */
export interface NotebookReport {
  readonly path: string;
  /** Number of `image/svg+xml` outputs. */
  readonly figures: number;
  /** Error outputs and error streams, one line each. */
  readonly errors: string[];
  /** Code cells that call `show(` but display no SVG. */
  readonly missingFigures: number[];
}

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: {
    output_type: string;
    name?: string;
    text?: string | string[];
    ename?: string;
    evalue?: string;
    data?: Record<string, unknown>;
  }[];
}

/** The notebooks of a directory, sorted by name. */
export function listNotebooks(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort().map((f) => join(dir, f));
}

/**
 * Reads an executed notebook and lists its figures and problems.
 *
 * @example
 * ```ts
 * const report = inspectNotebook("notebooks/01_ufm_global_minimizers.ipynb");
 * report.errors.length === 0;
 * ```
 */
export function inspectNotebook(path: string): NotebookReport {
  const notebook = JSON.parse(readFileSync(path, "utf8")) as { cells: Cell[] };
  const errors: string[] = [], missingFigures: number[] = [];
  let figures = 0;
  notebook.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const outputs = cell.outputs ?? [];
    let svg = 0;
    for (const output of outputs) {
      if (output.output_type === "error") errors.push(`cell ${index}: ${output.ename}: ${output.evalue}`);
      if (output.output_type === "stream" && output.name === "stderr") {
        const text = [output.text ?? ""].flat().join("");
        if (/error/i.test(text)) errors.push(`cell ${index}: stderr: ${text.trim().split("\n")[0]}`);
      }
      if (output.data && "image/svg+xml" in output.data) svg++;
    }
    figures += svg;
    const source = [cell.source].flat().join("");
    if (/\bshow\(/.test(source) && svg === 0) missingFigures.push(index);
  });
  return { path, figures, errors, missingFigures };
}

/** Options of {@link executeNotebook}. */
export interface ExecuteOptions {
  /** Where the executed notebook is written (default: in place). Written atomically. */
  output?: string;
  /** Extra environment (for example `NC_PRESET`, `NC_FIGURES_DIR`). */
  env?: Record<string, string>;
  /** Seconds a single cell may run (default: no limit). */
  cellTimeout?: number;
}

/**
 * Executes a notebook with the Deno kernel, writes the executed copy, and returns its report;
 * throws a {@link NotebookError} naming the notebook when execution fails or any output is an
 * error or a missing figure. The destination is replaced only after a successful execution.
 *
 * @example
 * ```ts ignore (runs the Jupyter kernel for seconds)
 * executeNotebook("notebooks/01_ufm_global_minimizers.ipynb", { output: "/tmp/01.ipynb", env: { NC_PRESET: "smoke" } });
 * ```
 */
export function executeNotebook(path: string, options: ExecuteOptions = {}): NotebookReport {
  const source = resolve(path);
  const output = resolve(options.output ?? source);
  mkdirSync(dirname(output), { recursive: true });
  const tmpDir = join(dirname(output), `.executing-${process.pid}-${Date.now()}`);
  mkdirSync(tmpDir, { recursive: true });
  try {
    const executed = join(tmpDir, basename(output));
    const result = spawnSync(DEBIAN_PYTHON, [
      EXECUTOR,
      source,
      executed,
      "--cwd",
      dirname(source),
      "--timeout",
      String(options.cellTimeout ?? -1),
      "--kernel",
      PROJECT_KERNEL,
    ], {
      cwd: dirname(source),
      env: { ...process.env, ...options.env },
      encoding: "utf8",
    });
    if (result.error) throw new NotebookError(`${path}: cannot run the notebook executor: ${result.error.message}`);
    if (result.status !== 0) {
      const detail = existsSync(executed) ? inspectNotebook(executed).errors.join("; ") : "";
      const stderr = (result.stderr ?? "").split("\n").filter((l) => l.trim() && !l.includes("is unstable")).slice(-3)
        .join(" | ");
      throw new NotebookError(`${path}: execution failed (${detail || stderr || `status ${result.status}`})`);
    }
    const report = { ...inspectNotebook(executed), path };
    if (report.errors.length > 0) throw new NotebookError(`${path}: ${report.errors.join("; ")}`);
    if (report.missingFigures.length > 0) {
      throw new NotebookError(`${path}: no figure output in cells ${report.missingFigures.join(", ")}`);
    }
    renameSync(executed, output);
    return report;
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
}
