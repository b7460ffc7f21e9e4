/**
 * `nc runs ls`, `nc runs show ID` and `nc runs unlock ID`: the run store at a glance — every stored
 * run with its state, progress and final numbers, filtered by configuration keys — one run's
 * configuration and summary in full, and a run's lock removed by hand (`unlock_command.ts`). A run
 * whose files are damaged is listed as damaged, naming the file.
 *
 * @module
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DamagedRunError } from "../store/run_dir.ts";
import { readRun, type RunRecord } from "../training/run.ts";
import { formatNumber } from "../report/number_format.ts";
import { CliError, type Command, parseFlags, writeJson } from "./args.ts";
import { cliRunsDir, userPath } from "./paths.ts";
import { unlockRun } from "./unlock_command.ts";

const HELP =
  `Usage: deno task nc runs ls [--runs-dir DIR] [--state running|done|failed] [--where KEY=VALUE ...] [--json]
       deno task nc runs show RUN [--runs-dir DIR]
       deno task nc runs unlock RUN [--runs-dir DIR] [--force]

ls lists every run of the store, a line each: its id, state, epochs trained, and at its last
evaluation the test accuracy (and at the best-validation epoch, with that epoch) and NC1.
--where keeps the runs whose configuration key has that value (loss=ce, width=256, seed=1; repeat it
to combine); --state keeps one state. show prints a run's configuration and status as JSON; RUN is a
run directory or an id in the store. (nc train --config RUNS/ID/config.json resumes or returns it.)
unlock removes a run's lock, naming who held it, so that nc train or nc sweep can train the run now
instead of waiting for the lock's lease (NC_LOCK_LEASE) to run out; make sure its owner is gone
first. A lock of a live process on this host stays unless --force (nc unlock RUN is the same).

Options:
  --runs-dir DIR     the run store (default NC_RUNS_DIR, else runs/ of this folder)
  --state S          running | done | failed
  --where KEY=VALUE  a configuration key's value (the loss by its name: loss=fl)
  --json             one JSON array instead of the table
  --force            (unlock) remove the lock even when its owner is a live process on this host
  -h, --help         this help`;

/** One line of `nc runs ls`. */
export interface RunListing {
  id: string;
  state: string;
  epoch: number | null;
  epochs: number | null;
  loss: string | null;
  width: number | null;
  seed: number | null;
  test_accuracy_last: number | null;
  best_val_epoch: number | null;
  test_accuracy_best_val: number | null;
  nc1_last: number | null;
  /** Why a run failed, or which file is damaged. */
  reason: string | null;
}

/** A run directory, read once: its record, or why it cannot be read (a damaged file, named). */
function readListed(dir: string): RunRecord | DamagedRunError {
  try {
    return readRun(dir);
  } catch (error) {
    if (error instanceof DamagedRunError) return error;
    throw error;
  }
}

/** A run's listing; a damaged one's says which file. */
function listing(id: string, r: RunRecord | DamagedRunError): RunListing {
  if (r instanceof DamagedRunError) {
    const none = { epoch: null, epochs: null, loss: null, width: null, seed: null };
    return {
      id,
      state: "damaged",
      ...none,
      test_accuracy_last: null,
      best_val_epoch: null,
      test_accuracy_best_val: null,
      nc1_last: null,
      reason: r.message,
    };
  }
  const last = r.rows.at(-1), summary = r.status.summary;
  return {
    id,
    state: r.status.state,
    epoch: r.status.epoch,
    epochs: r.config.epochs,
    loss: r.config.loss.name,
    width: r.config.width,
    seed: r.config.seed,
    test_accuracy_last: last ? 100 * last.testAccuracy : null,
    best_val_epoch: summary?.bestValEpoch ?? null,
    test_accuracy_best_val: summary ? 100 * summary.bestValTestAccuracy : null,
    nc1_last: last ? last.nc1 : null,
    reason: r.status.reason ?? null,
  };
}

/** The value of a run's configuration key as text (the loss by its name), for `--where`. */
function keyValue(r: RunRecord, key: string): string | undefined {
  const config = r.config as unknown as Record<string, unknown>;
  if (key === "loss") return (config.loss as { name: string }).name;
  const value = config[key];
  return value === undefined ? undefined : typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * Every run of a store, in id order, that matches `state` and every `where` pair (key → value as
 * text); a run whose files are damaged is listed (state "damaged") unless a filter needs its config.
 *
 * @example
 * ```ts
 * listRuns(`${Deno.makeTempDirSync()}/empty`); // []
 * ```
 */
export function listRuns(
  runsDir: string,
  options: { state?: string; where?: Record<string, string> } = {},
): RunListing[] {
  if (!existsSync(runsDir)) return [];
  const where = Object.entries(options.where ?? {});
  return readdirSync(runsDir).sort()
    .filter((id) => statSync(join(runsDir, id)).isDirectory() && existsSync(join(runsDir, id, "status.json")))
    .map((id) => ({ id, run: readListed(join(runsDir, id)) }))
    // A damaged run has no configuration to match: listed only when nothing is asked of its config.
    .filter(({ run }) =>
      where.length === 0 || (!(run instanceof DamagedRunError) && where.every(([k, v]) => keyValue(run, k) === v))
    )
    .map(({ id, run }) => listing(id, run))
    .filter((l) => options.state === undefined || l.state === options.state);
}

const show = (v: number | null, digits = 4) => (v === null ? "—" : formatNumber(v, digits));

/** The `runs` subcommand: `ls` and `show`. */
export const runsCommand: Command = {
  name: "runs",
  summary: "list the stored runs (ls), show one (show), remove a run's lock (unlock)",
  help: HELP,
  run(argv, io) {
    const [action, ...rest] = argv;
    if (action === "-h" || action === "--help" || action === undefined) {
      io.stdout(HELP + "\n");
      return Promise.resolve(action === undefined ? 2 : 0);
    }
    if (action === "show") {
      const firstFlag = rest.findIndex((a) => a.startsWith("-"));
      const given = firstFlag === -1 ? rest : rest.slice(0, firstFlag);
      const { values } = parseFlags(
        firstFlag === -1 ? [] : rest.slice(firstFlag),
        { "runs-dir": { type: "string" } },
        "runs show",
      );
      if (given.length !== 1) throw new CliError("runs show: name one run (its directory, or its id in the run store)");
      const asPath = userPath(given[0]);
      const dir = existsSync(join(asPath, "status.json")) ? asPath : join(cliRunsDir(values["runs-dir"]), given[0]);
      if (!existsSync(join(dir, "status.json"))) throw new CliError(`runs show: no run ${given[0]} (looked in ${dir})`);
      const r = readRun(dir);
      writeJson(io, { id: r.id, dir: r.dir, config: r.config, status: r.status, evaluations: r.rows.length });
      return Promise.resolve(0);
    }
    if (action === "unlock") return unlockRun(rest, io, "runs unlock");
    if (action !== "ls") {
      throw new CliError(`runs: unknown action "${action}"; choose ls, show or unlock (see --help)`);
    }
    const { values } = parseFlags(rest, {
      "runs-dir": { type: "string" },
      state: { type: "string" },
      where: { type: "string", multiple: true },
      json: { type: "boolean" },
    }, "runs ls");
    if (values.state !== undefined && !["running", "done", "failed", "damaged"].includes(values.state)) {
      throw new CliError(`runs ls: --state must be running, done, failed or damaged, got "${values.state}"`);
    }
    const where: Record<string, string> = {};
    for (const pair of values.where ?? []) {
      const at = pair.indexOf("=");
      if (at <= 0) throw new CliError(`runs ls: --where takes KEY=VALUE, got "${pair}"`);
      where[pair.slice(0, at)] = pair.slice(at + 1);
    }
    const runs = listRuns(cliRunsDir(values["runs-dir"]), { state: values.state, where });
    if (values.json) {
      writeJson(io, runs);
      return Promise.resolve(0);
    }
    const header = ["id", "state", "epoch", "test %", "best-val epoch", "test % (best val)", "NC1"];
    const lines = runs.map((r) => [
      r.id,
      r.state,
      r.epochs === null ? "—" : `${r.epoch}/${r.epochs}`,
      show(r.test_accuracy_last),
      show(r.best_val_epoch),
      show(r.test_accuracy_best_val),
      show(r.nc1_last, 3),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const format = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
    io.stdout([format(header), ...lines.map(format)].join("\n") + "\n");
    io.stderr(`[nc] ${runs.length} runs\n`);
    return Promise.resolve(0);
  },
};
