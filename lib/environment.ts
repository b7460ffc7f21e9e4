/**
 * Every environment variable the project reads, in one table, and the one place in `lib/` that reads
 * them. The edges (the command line, preset resolution, backend initialisation, the notebooks' `show`
 * and figure export defaults) call {@link readEnvironmentVariable} or {@link readEnvironment}; the
 * library below them takes options. The table is documented in `docs/environment.md`, which the tests
 * check against {@link ENVIRONMENT_VARIABLES}.
 *
 * An empty value counts as unset. A value that does not parse is an {@link EnvironmentError} naming the
 * variable and the values it takes. Names whose allowed values another module owns (presets, backends,
 * figure styles) are read as text here and checked by that module, which names the variable too.
 *
 * This module imports nothing from the rest of `lib/`.
 *
 * @module
 */
import process from "node:process";

/** A variable of the environment: what it does, the values it takes, its default, who reads it. */
export interface EnvironmentVariable<T> {
  /** What it does, in one line. */
  readonly description: string;
  /** The values it takes, in words. */
  readonly values: string;
  /** Its value when unset, when that is a fixed value (else the reader decides, as {@link defaultText} says). */
  readonly default?: T;
  /** The default in words, for the documentation. */
  readonly defaultText: string;
  /** Who reads it. */
  readonly readBy: string;
  /** The value of a non-empty text; throws a message (without the name) when the text is not allowed. */
  readonly parse: (text: string) => T;
}

/** A value of the environment is not one the variable takes. */
export class EnvironmentError extends Error {
  override name = "EnvironmentError";
}

const text = (value: string): string => value;

function integerAtLeast(min: number, what: string, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`must be ${what}`);
    return n;
  };
}

const nonNegativeInteger = integerAtLeast(0, "an integer ≥ 0");
/** Threads and CPUs: as `--threads`, at most 1024. */
const threadCount = integerAtLeast(1, "an integer in [1, 1024]", 1024);
/** A lock's lease: at most a week (a longer one never lets an abandoned lock go in practice). */
const leaseSeconds = integerAtLeast(1, "an integer in [1, 604800] (seconds; 604800 is a week)", 604_800);

const BOOLEAN_TEXT = { true: ["1", "true", "yes"], false: ["0", "false", "no"] } as const;

function boolean(value: string): boolean {
  const v = value.trim().toLowerCase();
  if ((BOOLEAN_TEXT.true as readonly string[]).includes(v)) return true;
  if ((BOOLEAN_TEXT.false as readonly string[]).includes(v)) return false;
  throw new Error(`must be one of ${[...BOOLEAN_TEXT.true, ...BOOLEAN_TEXT.false].join(", ")}`);
}

/**
 * The variables, in the order of the documentation's table.
 *
 * @example
 * ```ts
 * ENVIRONMENT_VARIABLES.NC_PRESET.default; // "cpu"
 * ```
 */
export const ENVIRONMENT_VARIABLES = {
  NC_PRESET: {
    description: "the scale of the notebooks (`deno task reproduce --preset` sets it for them)",
    values: "`smoke`, `cpu` or `paper`",
    default: "cpu",
    defaultText: "`cpu`",
    readBy: "`resolvePreset` (notebooks)",
    parse: text,
  } satisfies EnvironmentVariable<string>,
  NC_RUNS_DIR: {
    description: "the run store of the notebooks, `deno task reproduce` and `nc` (where `--runs-dir` is not given)",
    values: "a directory",
    defaultText: "the repository's `runs/`; for `nc`, `runs/` in the caller's directory",
    readBy: "`runsDir` (notebooks, `deno task reproduce`), `nc train`, `nc sweep`",
    parse: text,
  } satisfies EnvironmentVariable<string>,
  INIT_CWD: {
    description: "the directory `nc` was called from, against which its relative paths resolve",
    values: "a directory (set by `deno task` when unset, and by the `./nc` launcher)",
    defaultText: "unset: the process's working directory",
    readBy: "`callerDirectory` (command line)",
    parse: text,
  } satisfies EnvironmentVariable<string>,
  NC_BACKEND: {
    description: "the TensorFlow.js backend",
    values: "`auto`, `tensorflow`, `webgpu`, `native`, `wasm` or `cpu`",
    default: "auto",
    defaultText: "`auto`",
    readBy: "`initBackend` (command line, notebooks, sweep workers)",
    parse: text,
  } satisfies EnvironmentVariable<string>,
  NC_THREADS: {
    description: "threads of the native backend's libraries (OpenBLAS, oneDNN); caps each sweep worker's share",
    values: "an integer in [1, 1024]",
    defaultText: "`SLURM_CPUS_PER_TASK`, else every core",
    readBy: "`initBackend`, `nc sweep`, `deno task reproduce`",
    parse: threadCount,
  } satisfies EnvironmentVariable<number>,
  SLURM_CPUS_PER_TASK: {
    description: "the CPUs Slurm gave the task: the native backend's threads when `NC_THREADS` is unset",
    values: "an integer in [1, 1024] (set by Slurm)",
    defaultText: "unset",
    readBy: "`initBackend`",
    parse: threadCount,
  } satisfies EnvironmentVariable<number>,
  SLURM_ARRAY_TASK_ID: {
    description: "the index of a job array's task: the run of the grid it trains",
    values: "an integer ≥ 0 (set by Slurm)",
    defaultText: "unset",
    readBy: "the job array script of `nc sweep --slurm`, as `--array-index`",
    parse: nonNegativeInteger,
  } satisfies EnvironmentVariable<number>,
  NC_WEBGPU_SOFTWARE: {
    description: "lets the `webgpu` backend run on a software adapter (llvmpipe), to test that code path",
    values: "`1`, `true`, `yes`, or `0`, `false`, `no`",
    default: false,
    defaultText: "`0`: refused",
    readBy: "`initBackend`",
    parse: boolean,
  } satisfies EnvironmentVariable<boolean>,
  NC_FIGURE_STYLE: {
    description: "the size figures are drawn at when no style is given (notebooks)",
    values:
      '`page` (6.75 in, 9-pt text), `column` (3.25 in, 8-pt text), `neurips` (5.5 in, 8 pt), `icml` (6.75 in, 8 pt), `icml-column` (3.25 in, 8 pt) or a size such as `"5in,8pt"`',
    default: "page",
    defaultText: "`page`",
    readBy: "`figureStyle`, `show`",
    parse: text,
  } satisfies EnvironmentVariable<string>,
  NC_FIGURE_VENUE: {
    description: "the venue whose sizes `show` exports figures at (page width, and column width where it has columns)",
    values: "`default` (6.75 in page, 3.25 in column), `neurips` (5.5 in), `icml` (6.75 in page, 3.25 in column)",
    default: "default",
    defaultText: "`default`",
    readBy: "`figureVenue`, `show`",
    parse: text,
  } satisfies EnvironmentVariable<string>,
  NC_FIGURES_DIR: {
    description: "where `show` also exports each displayed figure (SVG, PNG, PDF), as `deno task reproduce` does",
    values: "a directory",
    defaultText: "unset: no export",
    readBy: "`show`",
    parse: text,
  } satisfies EnvironmentVariable<string>,
  NC_FONT_DIR: {
    description: "a directory holding `DejaVuSans.ttf` and `DejaVuSans-Bold.ttf`, the font of PNG and PDF figures",
    values: "a directory",
    defaultText: "Debian's `/usr/share/fonts/truetype/dejavu` (the `dist/nc` launcher sets its own)",
    readBy: "`figureFontFiles`, `exportFigure`",
    parse: text,
  } satisfies EnvironmentVariable<string>,
  SOURCE_DATE_EPOCH: {
    description: "the creation date written into exported PDFs, so that they are byte-identical",
    values: "seconds since 1970, an integer ≥ 0",
    default: 0,
    defaultText: "`0` (1970-01-01)",
    readBy: "`exportFigure`",
    parse: nonNegativeInteger,
  } satisfies EnvironmentVariable<number>,
  NC_SELF: {
    description: "the path of the one-file build `dist/nc`, which job array scripts then run",
    values: "a file (set by the `dist/nc` launcher)",
    defaultText: "unset: Deno on `lib/cli.ts`",
    readBy: "`nc sweep --slurm`",
    parse: text,
  } satisfies EnvironmentVariable<string>,
  NC_BUNDLE_DIR: {
    description: "where `dist/nc` unpacks itself on its first call",
    values: "a directory",
    defaultText: "`$XDG_CACHE_HOME/nc-losses/<id>` (`~/.cache/nc-losses/<id>`)",
    readBy: "the `dist/nc` launcher (shell)",
    parse: text,
  } satisfies EnvironmentVariable<string>,
  NC_BUNDLE: {
    description: "which one-file build the command line runs from; `training-only` refuses the commands it leaves out",
    values: "`full` or `training-only` (set by the `dist/nc` and `dist/nc-training` launchers)",
    default: "full",
    defaultText: "`full` (every command)",
    readBy: "the command line (`lib/cli.ts`)",
    parse: (value: string): "full" | "training-only" => {
      if (value === "full" || value === "training-only") return value;
      throw new Error("must be full or training-only");
    },
  } satisfies EnvironmentVariable<"full" | "training-only">,
  NC_LOCK_LEASE: {
    description:
      "seconds without a heartbeat after which a run's lock counts as abandoned, on any host, and is taken over",
    values: "an integer in [1, 604800] (seconds; the owner's heartbeat comes every 30 s, or a third of the lease)",
    default: 300,
    defaultText: "`300` (5 minutes)",
    readBy: "`nc train`, `nc sweep` and its workers",
    parse: leaseSeconds,
  } satisfies EnvironmentVariable<number>,
  NC_WORKER_EPOCHS: {
    description: "asks a sweep's worker process for a line `@epoch N` on stderr after each epoch",
    values: "any non-empty value (set by the sweep)",
    default: false,
    defaultText: "unset",
    readBy: "the sweep's worker processes",
    parse: () => true,
  } satisfies EnvironmentVariable<boolean>,
  NC_WORKER_RETRY_FAILED: {
    description: "asks a sweep's worker process to train a failed (diverged) run again, as `nc sweep --retry-failed`",
    values: "any non-empty value (set by the sweep)",
    default: false,
    defaultText: "unset",
    readBy: "the sweep's worker processes",
    parse: () => true,
  } satisfies EnvironmentVariable<boolean>,
  OMP_WAIT_POLICY: {
    description: "how oneDNN's OpenMP threads wait between calls; set to `passive` before the library loads",
    values: "`passive` or `active` (OpenMP's)",
    defaultText: "`passive` (set by the native backend)",
    readBy: "the native backend (OpenMP)",
    parse: text,
  } satisfies EnvironmentVariable<string>,
  NC_CHROMIUM: {
    description: "the Chromium the site's browser test drives (tests/site)",
    values: "a path to a Chromium binary",
    defaultText: "Debian's `/usr/bin/chromium`, installed by the test set-up",
    readBy: "the site test (`tests/site/browser.ts`)",
    parse: text,
  } satisfies EnvironmentVariable<string>,
  NC_UPDATE_SCREENSHOTS: {
    description:
      "stores the site test's screenshot instead of comparing with the stored one, after a deliberate change of look",
    values: "`1`, `true`, `yes`, or `0`, `false`, `no`",
    default: false,
    defaultText: "`0`: compare",
    readBy: "the site test (`tests/site/screenshot.ts`)",
    parse: boolean,
  } satisfies EnvironmentVariable<boolean>,
  JUPYTER_DATA_DIR: {
    description: "where the set-up installs this checkout's Deno Jupyter kernel (Jupyter's own variable)",
    values: "a directory",
    defaultText: "`jupyter --data-dir`",
    readBy: "`scripts/setup.mjs`",
    parse: text,
  } satisfies EnvironmentVariable<string>,
} as const;

/** The name of a variable the project reads. */
export type EnvironmentVariableName = keyof typeof ENVIRONMENT_VARIABLES;

type Spec<K extends EnvironmentVariableName> = (typeof ENVIRONMENT_VARIABLES)[K];

/** The environment, parsed: each variable's value, its default when it has one, else undefined when unset. */
export type Environment = {
  readonly [K in EnvironmentVariableName]: Spec<K> extends { default: unknown } ? ReturnType<Spec<K>["parse"]>
    : ReturnType<Spec<K>["parse"]> | undefined;
};

/** Variables as a process sees them (`process.env`, or a sample). */
export type EnvironmentSource = Readonly<Record<string, string | undefined>>;

/**
 * One variable, parsed: its value, else its default (undefined when it has none). An empty value
 * counts as unset.
 *
 * @example
 * ```ts
 * readEnvironmentVariable("NC_THREADS", { NC_THREADS: "2" }); // 2
 * readEnvironmentVariable("NC_PRESET", {}); // "cpu"
 * ```
 */
export function readEnvironmentVariable<K extends EnvironmentVariableName>(
  name: K,
  env: EnvironmentSource = process.env,
): Environment[K] {
  const spec: EnvironmentVariable<unknown> = ENVIRONMENT_VARIABLES[name];
  const raw = env[name];
  if (raw === undefined || raw === "") return spec.default as Environment[K];
  try {
    return spec.parse(raw) as Environment[K];
  } catch (error) {
    throw new EnvironmentError(`${name} ${(error as Error).message}, got ${JSON.stringify(raw)}`);
  }
}

/**
 * Every variable, parsed (see {@link readEnvironmentVariable}); values that do not parse are one
 * {@link EnvironmentError} naming each variable and the values it takes.
 *
 * @example
 * ```ts
 * const environment = readEnvironment({ NC_PRESET: "smoke", NC_THREADS: "2" });
 * environment.NC_PRESET; // "smoke"
 * environment.NC_THREADS; // 2
 * environment.NC_RUNS_DIR; // undefined
 * ```
 */
export function readEnvironment(env: EnvironmentSource = process.env): Environment {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const name of Object.keys(ENVIRONMENT_VARIABLES) as EnvironmentVariableName[]) {
    try {
      values[name] = readEnvironmentVariable(name, env);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length) throw new EnvironmentError(problems.join("; "));
  return values as Environment;
}
