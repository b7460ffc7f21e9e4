/**
 * The project's command line: `deno task nc <command> [options]` in the checkout, or the `./nc`
 * launcher from any folder, `--help` on every command. Paths given on the command line are relative to
 * the caller's directory, wherever the process runs (`cli/paths.ts`).
 *
 * Results go to stdout (one JSON object with `--json`), logs to stderr. Errors print one line
 * naming the cause and exit non-zero (2 for usage and input errors, 1 for anything unexpected).
 *
 * @module
 */
import process from "node:process";
import { type CliIo, type Command } from "./cli/args.ts";
import { dataCommand } from "./cli/data_command.ts";
import { metricsCommand } from "./cli/metrics_command.ts";
import { exportCommand, plotCommand } from "./cli/runs_commands.ts";
import { sweepCommand } from "./cli/sweep_command.ts";
import { trainCommand } from "./cli/train_command.ts";
import { ufmCommand } from "./cli/ufm_command.ts";
import { runsCommand } from "./cli/runs_list_command.ts";
import { unlockCommand } from "./cli/unlock_command.ts";
import { didYouMean } from "./cli/suggest.ts";
import { storageCause } from "./store/storage_error.ts";

import packageJson from "../package.json" with { type: "json" };

const COMMANDS: readonly Command[] = [
  metricsCommand,
  ufmCommand,
  trainCommand,
  sweepCommand,
  plotCommand,
  exportCommand,
  dataCommand,
  runsCommand,
  unlockCommand,
];

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

function usage(): string {
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`);
  return `Usage: deno task nc <command> [options]\n\nCommands:\n${
    lines.join("\n")
  }\n\nRun a command with --help for its options; --version prints the toolkit's version.`;
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
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(usage() + "\n");
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V") {
    io.stdout(`nc ${packageJson.version}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const hint = didYouMean(name, COMMANDS.map((c) => c.name));
    io.stderr(`error: unknown command "${name}"${hint}\n\n${usage()}\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(command.help + "\n");
    return 0;
  }
  try {
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
