/**
 * The project's command line: `deno task nc <command> [options]` in the checkout, or the `./nc`
 * launcher from any folder, `--help` on every command. Paths given on the command line are relative to
 * the caller's directory, wherever the process runs (`cli/paths.ts`).
 *
 * Results go to stdout (one JSON object with `--json`), logs to stderr. Errors print one line
 * naming the cause and exit non-zero (2 for usage and input errors, 1 for anything unexpected).
 *
 * A command's module is imported when the command runs ({@link COMMANDS}): `nc train` and `nc sweep`
 * never load the table and plotting packages (nodejs-polars, Observable Plot, resvg, PDFKit), which the
 * training-only bundle leaves out.
 *
 * @module
 */
import process from "node:process";
import type { CliIo, Command } from "./cli/args.ts";
import { didYouMean } from "./cli/suggest.ts";
import { readEnvironmentVariable } from "./environment.ts";
import { storageCause } from "./store/storage_error.ts";

import packageJson from "../package.json" with { type: "json" };

/**
 * A command as the dispatcher knows it before loading it. Its module is imported only when the command
 * runs or prints its help ({@link loadCommand}), so that `nc train` never loads the plotting and table
 * packages, and the training-only bundle (`deno task compile --training-only`) can leave them out: it
 * holds the modules of the `training` commands and what they import.
 *
 * @example
 * ```ts
 * COMMANDS.find((c) => c.name === "train")!.module; // "./cli/train_command.ts"
 * ```
 */
export interface CommandEntry {
  readonly name: string;
  /** The line of the usage text (the loaded command's `summary`; a test compares them). */
  readonly summary: string;
  /** Part of the training-only bundle. */
  readonly training: boolean;
  /** The module that defines the command, relative to this file. */
  readonly module: string;
  /** The name of the module's export that is the command. */
  readonly exported: string;
}

/**
 * Every command, in the usage text's order.
 *
 * @example
 * ```ts
 * COMMANDS.filter((c) => c.training).map((c) => c.name); // ["train", "sweep", "runs", "unlock"]
 * ```
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "metrics",
    summary: "NC metrics of features, labels and a classifier from JSON or NumPy files",
    training: false,
    module: "./cli/metrics_command.ts",
    exported: "metricsCommand",
  },
  {
    name: "ufm",
    summary: "solve the unconstrained feature model and compare with the theory",
    training: false,
    module: "./cli/ufm_command.ts",
    exported: "ufmCommand",
  },
  {
    name: "train",
    summary: "train, resume or return one deep-network run",
    training: true,
    module: "./cli/train_command.ts",
    exported: "trainCommand",
  },
  {
    name: "sweep",
    summary: "run the grid of runs behind a figure",
    training: true,
    module: "./cli/sweep_command.ts",
    exported: "sweepCommand",
  },
  {
    name: "plot",
    summary: "draw the metric curves of stored runs to SVG, PNG or PDF",
    training: false,
    module: "./cli/runs_commands.ts",
    exported: "plotCommand",
  },
  {
    name: "export",
    summary: "write the metric rows of stored runs as a tidy CSV or Parquet table",
    training: false,
    module: "./cli/runs_commands.ts",
    exported: "exportCommand",
  },
  {
    name: "data",
    summary: "download and unpack CIFAR-10 or CIFAR-100",
    training: false,
    module: "./cli/data_command.ts",
    exported: "dataCommand",
  },
  {
    name: "runs",
    summary: "list the stored runs (ls), show one (show), remove a run's lock (unlock)",
    training: true,
    module: "./cli/runs_list_command.ts",
    exported: "runsCommand",
  },
  {
    name: "unlock",
    summary: "remove the lock of a run whose owner is gone (as nc runs unlock)",
    training: true,
    module: "./cli/unlock_command.ts",
    exported: "unlockCommand",
  },
];

/**
 * Imports the module of a command and returns the command.
 *
 * @example
 * ```ts
 * const ufm = await loadCommand(COMMANDS.find((c) => c.name === "ufm")!);
 * ufm.name; // "ufm"
 * ```
 */
export async function loadCommand(entry: CommandEntry): Promise<Command> {
  const module: Record<string, Command> = await import(new URL(entry.module, import.meta.url).href);
  return module[entry.exported];
}

/** Error types whose message is the whole story for the user (usage and input problems). */
const USER_ERRORS = new Set([
  "CliError",
  "LossSpecError",
  "NcInputError",
  "UfmConfigError",
  "BackendError",
  "ConfigError",
  "DataError",
  "ModelConfigError",
  "FigurePresetError",
  "CheckpointError",
  "PresetError",
  "EnvironmentError",
  "StorageError",
  "NativeLibraryError",
  "RunSettingsError",
  "DamagedRunError",
]);

/** Whether the command line runs from the training-only bundle, which holds only its `training` commands. */
function trainingOnly(): boolean {
  return readEnvironmentVariable("NC_BUNDLE") === "training-only";
}

function usage(commands: readonly CommandEntry[], left: readonly CommandEntry[]): string {
  const lines = commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`);
  const missing = left.length === 0
    ? ""
    : `\n\nNot in this training-only bundle: ${
      left.map((c) => c.name).join(", ")
    } (use the full bundle or a checkout).`;
  return `Usage: deno task nc <command> [options]\n\nCommands:\n${
    lines.join("\n")
  }${missing}\n\nRun a command with --help for its options; --version prints the toolkit's version.`;
}

const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/**
 * Runs the CLI with the given arguments and returns the exit status.
 *
 * @example
 * ```ts
 * const status = await main(["ufm", "--loss", "ce", "--json"]);
 * ```
 */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  let only: boolean;
  try {
    only = trainingOnly();
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n`);
    return 2;
  }
  const commands = COMMANDS.filter((c) => !only || c.training);
  const left = COMMANDS.filter((c) => !commands.includes(c));
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(usage(commands, left) + "\n");
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V") {
    io.stdout(`nc ${packageJson.version}\n`);
    return 0;
  }
  if (left.some((c) => c.name === name)) {
    io.stderr(`error: nc ${name} is not in the training-only bundle; use the full bundle or a checkout\n`);
    return 2;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    const hint = didYouMean(name, commands.map((c) => c.name));
    io.stderr(`error: unknown command "${name}"${hint}\n\n${usage(commands, left)}\n`);
    return 2;
  }
  try {
    const command = await loadCommand(entry);
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout(command.help + "\n");
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    const e = error as Error;
    if (USER_ERRORS.has(e.name)) {
      io.stderr(`error: ${e.message.split("\n")[0]}\n`);
      return 2;
    }
    // A storage error the layers below did not name (a lock file, a library's write): still one line.
    const cause = storageCause(e);
    if (cause !== null) {
      io.stderr(`error: ${e.message.split("\n")[0]}: ${cause}\n`);
      return 1;
    }
    io.stderr(`error: ${e.stack ?? e.message}\n`);
    return 1;
  }
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
