/**
 * Shared pieces of the command-line interface: errors, typed flag parsing, output.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { resolveThreadCount } from "../backend/native_libraries.ts";
import { LOSSES } from "../core/loss_registry.ts";
import { didYouMean } from "./suggest.ts";

/** A usage or input error: the CLI prints its message (no stack) and exits with status 2. */
export class CliError extends Error {
  override name = "CliError";
}

/** Where a command writes: stdout for results, stderr for logs. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** A subcommand. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** A negative number as a separate argument: `-0.1`, `-3`, `-.5`, `-1e-3`. */
const NEGATIVE_NUMBER = /^-(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * The arguments with each negative number that follows a flag taking a value joined to that flag
 * (`--lr -0.1` → `--lr=-0.1`), which `parseArgs` would otherwise refuse as ambiguous. No flag is
 * spelt like a number, so nothing else changes; arguments after `--` are left alone.
 */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const takesValue = (arg: string): boolean => {
    const long = /^--([^=]+)$/.exec(arg);
    if (long) return options[long[1]]?.type === "string";
    const short = /^-([^-])$/.exec(arg);
    return short !== null && Object.values(options).some((o) => o.short === short[1] && o.type === "string");
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--") return [...out, ...argv.slice(i)];
    if (takesValue(argv[i]) && NEGATIVE_NUMBER.test(argv[i + 1] ?? "")) {
      out.push(`${argv[i]}=${argv[i + 1]}`);
      i++;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}

/**
 * Parses flags strictly: unknown flags, missing values and positional arguments are errors, and an
 * unknown flag near a known one is answered with "did you mean". A negative number may follow a
 * flag as its own argument (`--lr -0.1`) or after `=` (`--lr=-0.1`).
 *
 * @example
 * ```ts
 * const { values } = parseFlags(["--seed", "3", "--lr", "-0.1"], { seed: { type: "string" }, lr: { type: "string" } }, "ufm");
 * values.lr; // "-0.1"
 * ```
 */
export function parseFlags<T extends Options>(argv: string[], options: T, command: string) {
  const all = { ...options, help: { type: "boolean", short: "h" } } as const;
  try {
    return parseArgs({
      args: joinNegativeValues(argv, all),
      options: all,
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    const message = (error as Error).message.split("\n")[0];
    const unknown = /^Unknown option '(--[^'=]+)/.exec(message);
    const hint = unknown ? didYouMean(unknown[1], Object.keys(all).map((name) => `--${name}`)) : "";
    throw new CliError(`${command}: ${message}${hint} (see --help)`);
  }
}

/** A numeric flag value; `undefined` when absent and no default is given. */
export function numberFlag(values: Record<string, unknown>, flag: string, fallback: number): number;
export function numberFlag(values: Record<string, unknown>, flag: string): number | undefined;
export function numberFlag(values: Record<string, unknown>, flag: string, fallback?: number): number | undefined {
  const raw = values[flag];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(value)) {
    throw new CliError(`--${flag} must be a number, got "${raw}"`);
  }
  return value;
}

/**
 * An integer flag value in [min, max]; `undefined` when absent and no default is given. The range
 * is stated in the error, so a typo (`--threads 0`, `--K 1e9`) is refused before anything runs.
 *
 * @example
 * ```ts
 * integerFlag({ K: "10" }, "K", { min: 2, max: 10_000 }); // 10
 * ```
 */
export function integerFlag(
  values: Record<string, unknown>,
  flag: string,
  range: { min: number; max: number; fallback?: number },
): number | undefined {
  const value = numberFlag(values, flag) ?? range.fallback;
  if (value !== undefined && !(Number.isInteger(value) && value >= range.min && value <= range.max)) {
    throw new CliError(`--${flag} must be an integer in [${range.min}, ${range.max}], got ${values[flag]}`);
  }
  return value;
}

/**
 * The `--threads` flag (an integer in [1, 1024]); without it `NC_THREADS` and `SLURM_CPUS_PER_TASK`
 * are checked here, so that a bad value is an error rather than a quiet fall back to another backend.
 */
export function threadsOption(values: Record<string, unknown>): number | undefined {
  const threads = integerFlag(values, "threads", { min: 1, max: 1024 });
  if (threads === undefined) resolveThreadCount();
  return threads;
}

/** Writes one JSON object and a newline. */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout(JSON.stringify(value) + "\n");
}

/** Flags of the loss and its parameter (from the loss registry), shared by the commands that take a loss. */
export const LOSS_FLAGS: Record<string, { type: "string" }> = Object.fromEntries([
  ["loss", { type: "string" }],
  ...LOSSES.filter((l) => l.parameter).map((l) => [l.parameter!.key, { type: "string" }]),
]);

/** Whether any loss flag was given. */
export function hasLossFlags(values: Record<string, unknown>): boolean {
  return Object.keys(LOSS_FLAGS).some((flag) => Boolean(values[flag]));
}

/** A loss spec from `--loss` and its parameter flag; a parameter of another loss is an error. */
export function lossFromFlags(values: Record<string, unknown>): Record<string, unknown> {
  const name = (values.loss as string | undefined) ?? "ce";
  const spec: Record<string, unknown> = { name };
  for (const { name: owner, parameter } of LOSSES) {
    if (parameter === null) continue;
    const value = numberFlag(values, parameter.key);
    if (value === undefined) continue;
    if (owner !== name) throw new CliError(`--${parameter.key} applies to --loss ${owner}, not --loss ${name}`);
    spec[parameter.key] = value;
  }
  return spec;
}

/** The `--help` lines of the loss flags, from the loss registry. */
export function lossHelp(column = 24): string {
  return [
    optionHelp("--loss NAME", `${LOSSES.map((l) => l.name).join(" | ")} (default ce)`, column),
    ...LOSSES.filter((l) => l.parameter).map(({ parameter: p }) =>
      optionHelp(`--${p!.key} ${p!.key.toUpperCase()}`, `${p!.doc} (default ${p!.default})`, column)
    ),
  ].join("\n");
}

/**
 * One option of a `--help` text: the flag and its value name, then from `column` (default 24) the
 * text, wrapped at 100 characters; a flag too long for the column has the text on the lines below.
 *
 * @example
 * ```ts
 * optionHelp("--seed S", "the seed"); // "  --seed S              the seed"
 * optionHelp("--layer-metrics yes|no", "every layer"); // "  --layer-metrics yes|no\n                        every layer"
 * ```
 */
export function optionHelp(flag: string, text: string, column = 24): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && column + line.length + 1 + word.length > 100) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  const head = `  ${flag}`;
  const indented = lines.map((l) => " ".repeat(column) + l);
  if (head.length >= column) return [head, ...indented].join("\n");
  return [head.padEnd(column) + lines[0], ...indented.slice(1)].join("\n");
}
