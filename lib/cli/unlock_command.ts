/**
 * `nc runs unlock RUN` (and its alias `nc unlock RUN`): remove the lock of a run by hand
 * (`store/run_lock.ts`), for a lock whose owner is known to be gone before its lease runs out (a
 * Slurm task cancelled on another node, say).
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describeHolder, removeLock, RunLockedError } from "../store/run_lock.ts";
import { CliError, type CliIo, type Command, parseFlags } from "./args.ts";
import { cliRunsDir, userPath } from "./paths.ts";

const HELP = `Usage: deno task nc runs unlock RUN [--runs-dir DIR] [--force]
       deno task nc unlock RUN [--runs-dir DIR] [--force]      (the same)

Removes the lock of a run, so that nc train or nc sweep can train it now instead of waiting for the
lock's lease to run out (NC_LOCK_LEASE, 5 minutes by default, without a heartbeat from its owner).
RUN is a run directory, or a run's id in the run store. Make sure that its owner is gone first: two
processes training one run overwrite each other's checkpoints.

Options:
  --runs-dir DIR   the run store of a run given by id (default NC_RUNS_DIR, else runs/)
  --force          remove it even when its owner is a live process on this host
  -h, --help       this help`;

/**
 * Removes the lock of the run `argv` names (then its flags); `command` names the command in errors
 * ("runs unlock", "unlock").
 */
export function unlockRun(argv: string[], io: CliIo, command: string): Promise<number> {
  const firstFlag = argv.findIndex((a) => a.startsWith("-"));
  const given = firstFlag === -1 ? argv : argv.slice(0, firstFlag);
  const { values } = parseFlags(firstFlag === -1 ? [] : argv.slice(firstFlag), {
    "runs-dir": { type: "string" },
    force: { type: "boolean" },
  }, command);
  if (given.length !== 1) throw new CliError(`${command}: name one run (its directory, or its id in the run store)`);
  const asPath = userPath(given[0]);
  const dir = existsSync(asPath) ? asPath : join(cliRunsDir(values["runs-dir"]), given[0]);
  if (!existsSync(dir)) throw new CliError(`${command}: ${given[0]} is neither a run directory nor a run id in ${dir}`);
  let holder;
  try {
    holder = removeLock(dir, { force: values.force });
  } catch (error) {
    if (error instanceof RunLockedError) throw new CliError(`${command}: ${error.message}`);
    throw error;
  }
  io.stderr(
    holder === null
      ? `[nc] ${dir} has no lock: nothing to remove\n`
      : `[nc] removed the lock of ${dir}, held by ${describeHolder(holder)}\n`,
  );
  return Promise.resolve(0);
}

/** The `unlock` subcommand: `nc runs unlock` under a shorter name. */
export const unlockCommand: Command = {
  name: "unlock",
  summary: "remove the lock of a run whose owner is gone (as nc runs unlock)",
  help: HELP,
  run: (argv, io) => unlockRun(argv, io, "unlock"),
};
