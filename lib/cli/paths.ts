/**
 * Paths on the command line: what the user types is relative to the directory they called `nc`
 * from, not to the checkout that `deno task` runs in.
 *
 * `deno task nc` runs the CLI in the folder of `deno.json` and sets `INIT_CWD` to the caller's
 * directory (when it is not set already); the `./nc` launcher sets it too. Every path a flag names
 * is resolved against that directory here, before it reaches the library, so worker processes
 * and job scripts get absolute paths. The project's own files (fonts, native libraries, notebooks,
 * the default data folder) are found from the code instead.
 *
 * @module
 */
import { resolve } from "node:path";
import process from "node:process";
import { readEnvironmentVariable } from "../environment.ts";

/**
 * The directory the user called the command line from: `INIT_CWD`, else the working directory.
 *
 * @example
 * ```ts
 * const here = callerDirectory(); // the shell's directory, also under `deno task nc`
 * ```
 */
export function callerDirectory(): string {
  return resolve(readEnvironmentVariable("INIT_CWD") ?? process.cwd());
}

/**
 * A path the user gave, made absolute against {@link callerDirectory}; `undefined` stays undefined.
 *
 * @example
 * ```ts
 * userPath("/data/features.npz"); // "/data/features.npz"
 * userPath(undefined); // undefined
 * ```
 */
export function userPath(path: string): string;
export function userPath(path: string | undefined): string | undefined;
export function userPath(path: string | undefined): string | undefined {
  return path === undefined ? undefined : resolve(callerDirectory(), path);
}

/**
 * The run store of `nc train` and `nc sweep`: `--runs-dir`, else `NC_RUNS_DIR`, else `runs/` in the
 * caller's directory; absolute. (The notebooks' `runsDir()` defaults to the repository's
 * `runs/` instead; from the checkout's root the two are the same folder.)
 *
 * @example
 * ```ts
 * cliRunsDir("/shared/runs"); // "/shared/runs"
 * ```
 */
export function cliRunsDir(flag: string | undefined): string {
  return userPath(flag ?? readEnvironmentVariable("NC_RUNS_DIR") ?? "runs");
}
