/**
 * `nc train`: train (or resume, or return) one run (`training/run.ts`).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { initBackend } from "../backend/backend.ts";
import { readEnvironmentVariable } from "../environment.ts";
import { runTraining } from "../training/run.ts";
import { handleStopSignals, SIGNAL_EXIT_CODES } from "../training/stop_signals.ts";
import { terminalProgress } from "../notebook/progress.ts";
import { normalizeTrainConfig, TRAIN_KEYS, type TrainConfig } from "../training/config.ts";
import { describeRecipe, RECIPE_KEYS } from "../training/recipes.ts";
import {
  CliError,
  type Command,
  hasLossFlags,
  LOSS_FLAGS,
  lossFromFlags,
  lossHelp,
  numberFlag,
  optionHelp,
  parseFlags,
  threadsOption,
  writeJson,
} from "./args.ts";
import { cliRunsDir, userPath } from "./paths.ts";

/** The flag of a configuration key: its camelCase name in kebab-case. */
const flagName = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The configuration keys that have a flag, in the table's order. */
const FLAGGED = (Object.keys(TRAIN_KEYS) as (keyof TrainConfig)[]).filter((key) => TRAIN_KEYS[key].flag);

function defaultText(key: keyof TrainConfig): string {
  const { default: value, defaultText } = TRAIN_KEYS[key];
  if (defaultText) return defaultText;
  return typeof value === "boolean" ? (value ? "yes" : "no") : String(value);
}

const HELP = [
  `Usage: deno task nc train [options]

Trains one run (or resumes it from its checkpoint, or returns it when it is done) and prints its
run directory. A run is identified by its normalised configuration.

Configuration (defaults: the project recipe, which is neither of the reference code's; docs/method.md §6):`,
  ...FLAGGED.map((key) => {
    const { doc, flag } = TRAIN_KEYS[key];
    return key === "loss"
      ? lossHelp()
      : optionHelp(`--${flagName(key)} ${flag!.value}`, `${doc} (default ${defaultText(key)})`);
  }),
  `
Options:
  --config FILE         a JSON configuration; flags override its keys
  --data-dir DIR        where the dataset's files are (default: Debian's Fashion-MNIST; for CIFAR
                        the checkout's data/); for CIFAR the folder of its files or one holding
                        cifar-10-batches-bin/ (as nc data unpacks it) or cifar-10-batches-py/
  --runs-dir DIR        the run store (default NC_RUNS_DIR, else runs/ in the current directory)
  --backend NAME        auto (default: tensorflow, webgpu on a GPU, native, wasm) | native | wasm | cpu |
                        tensorflow | webgpu (or NC_BACKEND)
  --threads N           threads of the native backend's libraries (default NC_THREADS, else SLURM_CPUS_PER_TASK, else every core)
  --json                print one JSON object: run directory, status and final metrics
  --quiet               no progress bar
  --retry-failed        train a failed (diverged) run again from its last checkpoint
  -h, --help            this help`,
].join("\n");

function yesNo(values: Record<string, unknown>, flag: string): boolean | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  if (raw === "yes" || raw === "true") return true;
  if (raw === "no" || raw === "false") return false;
  throw new CliError(`--${flag} must be yes or no, got "${raw}"`);
}

function evalEpochs(raw: string | undefined): unknown {
  if (raw === undefined || raw === "auto") return raw;
  const log = /^log:(\d+)(?:\+(\d+))?$/.exec(raw);
  if (log) {
    return log[2] === undefined ? { logSpaced: Number(log[1]) } : { logSpaced: Number(log[1]), every: Number(log[2]) };
  }
  const list = raw.split(",").map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isInteger(n))) {
    throw new CliError(`--eval-epochs must be auto, a list such as 1,5,10, log:N or log:N+M; got "${raw}"`);
  }
  return list;
}

/** The value of a configuration key's flag, or undefined when it is not given. */
function flagValue(key: keyof TrainConfig, values: Record<string, unknown>): unknown {
  const flag = flagName(key);
  switch (TRAIN_KEYS[key].flag!.kind) {
    case "number":
      return numberFlag(values, flag);
    case "yesno":
      return yesNo(values, flag);
    case "loss":
      return hasLossFlags(values) ? lossFromFlags(values) : undefined;
    case "evalEpochs":
      return evalEpochs(values[flag] as string | undefined);
    case "string":
      return values[flag];
  }
}

/** The `train` subcommand. */
export const trainCommand: Command = {
  name: "train",
  summary: "train, resume or return one deep-network run",
  help: HELP,
  async run(argv, io) {
    const flag = { type: "string" } as const;
    const { values } = parseFlags(argv, {
      ...LOSS_FLAGS,
      ...Object.fromEntries(FLAGGED.filter((key) => key !== "loss").map((key) => [flagName(key), flag])),
      config: flag,
      "data-dir": flag,
      "runs-dir": flag,
      backend: flag,
      threads: flag,
      json: { type: "boolean" },
      quiet: { type: "boolean" },
      "retry-failed": { type: "boolean" },
    }, "train");
    let base: Record<string, unknown> = {};
    if (values.config) {
      try {
        base = JSON.parse(readFileSync(userPath(values.config), "utf8"));
      } catch (error) {
        throw new CliError(`${values.config}: ${(error as Error).message.split("\n")[0]}`);
      }
      if (typeof base !== "object" || base === null || Array.isArray(base)) {
        throw new CliError(`${values.config}: a configuration must be a JSON object, got ${JSON.stringify(base)}`);
      }
    }
    const overrides: Record<string, unknown> = Object.fromEntries(FLAGGED.map((key) => [key, flagValue(key, values)]));
    const config = { ...base };
    for (const [key, value] of Object.entries(overrides)) if (value !== undefined) config[key] = value;
    if (config.augment !== undefined && config.evalAugment === undefined) config.evalAugment = config.augment;
    // A flag that changes a recipe setting of a --config file makes that file's recipe label stale.
    if (overrides.recipe === undefined && RECIPE_KEYS.some((key) => overrides[key] !== undefined)) delete config.recipe;
    const normalized = normalizeTrainConfig(config);
    io.stderr(`[nc] recipe ${describeRecipe(normalized.recipe, normalized)}\n`);
    const backend = await initBackend({ backend: values.backend, threads: threadsOption(values) });
    const stop = handleStopSignals({ log: (line) => io.stderr(line + "\n") });
    let run;
    try {
      run = await runTraining(normalized, {
        runsDir: cliRunsDir(values["runs-dir"]),
        dataDir: userPath(values["data-dir"]),
        onBatch: values.quiet ? undefined : terminalProgress(),
        retryFailed: values["retry-failed"],
        lockLeaseMs: 1000 * readEnvironmentVariable("NC_LOCK_LEASE"),
        log: (line) => io.stderr(line + "\n"),
        signal: stop.signal,
      });
    } catch (error) {
      const received = stop.received();
      if (received === null) throw error;
      io.stderr(`[nc] stopped by ${received}: ${(error as Error).message}\n`);
      return SIGNAL_EXIT_CODES[received];
    } finally {
      stop.dispose();
    }
    const received = stop.received();
    if (received !== null && run.status.state === "running") {
      io.stderr(
        `[nc] stopped by ${received} after epoch ${run.status.epoch} of ${normalized.epochs}: its checkpoint is kept and the lock released; run the same command to resume\n`,
      );
      return SIGNAL_EXIT_CODES[received];
    }
    const final = run.rows.at(-1) ?? null;
    if (values.json) {
      writeJson(io, {
        runDir: run.dir,
        id: run.id,
        status: run.status.state,
        reason: run.status.reason ?? null,
        backend,
        epoch: run.status.epoch,
        summary: run.status.summary ?? null,
        final,
      });
    } else {
      io.stdout(run.dir + "\n");
      if (final) {
        io.stderr(
          `[nc] ${run.status.state} after epoch ${run.status.epoch}: test accuracy ${
            (100 * final.testAccuracy).toFixed(2)
          }%, NC1 ${final.nc1.toExponential(3)}\n`,
        );
      }
    }
    if (run.status.state === "failed") {
      io.stderr(`error: run failed: ${run.status.reason}\n`);
      return 1;
    }
    return 0;
  },
};
