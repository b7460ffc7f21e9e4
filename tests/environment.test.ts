import { describe, expect, test } from "vitest";
import process from "node:process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  ENVIRONMENT_VARIABLES,
  EnvironmentError,
  readEnvironment,
  readEnvironmentVariable,
} from "../lib/environment.ts";
import { BACKEND_NAMES } from "../lib/backend/backend.ts";
import { resolveThreadCount } from "../lib/backend/native_libraries.ts";
import { PRESET_NAMES } from "../lib/experiments/presets.ts";
import { FIGURE_STYLES, FIGURE_VENUES } from "../lib/figures/style.ts";
import { WORKER_EPOCHS_ENV, WORKER_RETRY_FAILED_ENV } from "../lib/training/worker_protocol.ts";
import { restoreEnvAfterEach } from "./helpers.ts";

const ROOT = resolve(import.meta.dirname!, "..");

restoreEnvAfterEach("NC_THREADS");

describe("readEnvironment", () => {
  test("parses a sample environment into typed values, with defaults for the unset ones", () => {
    const sample = {
      NC_PRESET: "smoke",
      NC_RUNS_DIR: "/shared/runs",
      NC_BACKEND: "native",
      NC_THREADS: "4",
      SLURM_CPUS_PER_TASK: "8",
      SLURM_ARRAY_TASK_ID: "0",
      NC_WEBGPU_SOFTWARE: "Yes",
      NC_FIGURE_STYLE: "5in,8pt",
      NC_FIGURES_DIR: "", // empty: unset
      SOURCE_DATE_EPOCH: "1700000000",
      NC_SELF: "/shared/nc",
      NC_BUNDLE: "training-only",
      NC_LOCK_LEASE: "60",
      PATH: "/usr/bin", // not the project's: ignored
    };
    expect(readEnvironment(sample)).toEqual({
      NC_PRESET: "smoke",
      NC_RUNS_DIR: "/shared/runs",
      INIT_CWD: undefined,
      NC_BACKEND: "native",
      NC_THREADS: 4,
      SLURM_CPUS_PER_TASK: 8,
      SLURM_ARRAY_TASK_ID: 0,
      NC_WEBGPU_SOFTWARE: true,
      NC_FIGURE_STYLE: "5in,8pt",
      NC_FIGURE_VENUE: "default",
      NC_FIGURES_DIR: undefined,
      NC_FONT_DIR: undefined,
      SOURCE_DATE_EPOCH: 1700000000,
      NC_SELF: "/shared/nc",
      NC_BUNDLE_DIR: undefined,
      NC_BUNDLE: "training-only",
      NC_LOCK_LEASE: 60,
      NC_WORKER_EPOCHS: false,
      NC_WORKER_RETRY_FAILED: false,
      OMP_WAIT_POLICY: undefined,
      NC_CHROMIUM: undefined,
      NC_UPDATE_SCREENSHOTS: false,
      JUPYTER_DATA_DIR: undefined,
    });
  });

  test("an empty environment gives the documented defaults", () => {
    const environment = readEnvironment({});
    expect(environment.NC_PRESET).toBe("cpu");
    expect(environment.NC_BACKEND).toBe("auto");
    expect(environment.NC_FIGURE_STYLE).toBe("page");
    expect(environment.NC_WEBGPU_SOFTWARE).toBe(false);
    expect(environment.SOURCE_DATE_EPOCH).toBe(0);
    expect(environment.NC_THREADS).toBeUndefined();
  });

  test("a bad value is one error naming the variable and the values it takes", () => {
    expect(() => readEnvironment({ NC_THREADS: "two" })).toThrow(EnvironmentError);
    expect(() => readEnvironment({ NC_THREADS: "two" })).toThrow(
      /^NC_THREADS must be an integer in \[1, 1024\], got "two"$/,
    );
    expect(() => readEnvironmentVariable("NC_THREADS", { NC_THREADS: "0" })).toThrow(
      /NC_THREADS must be an integer in/,
    );
    expect(() => readEnvironmentVariable("NC_WEBGPU_SOFTWARE", { NC_WEBGPU_SOFTWARE: "maybe" })).toThrow(
      /^NC_WEBGPU_SOFTWARE must be one of 1, true, yes, 0, false, no, got "maybe"$/,
    );
    expect(() => readEnvironment({ SOURCE_DATE_EPOCH: "-1", SLURM_CPUS_PER_TASK: "1.5" })).toThrow(
      /SLURM_CPUS_PER_TASK must be an integer in \[1, 1024\], got "1\.5"; SOURCE_DATE_EPOCH must be an integer ≥ 0, got "-1"/,
    );
  });

  test("the edges read through it: a bad NC_THREADS stops backend initialisation naming the variable", () => {
    process.env.NC_THREADS = "lots";
    expect(() => resolveThreadCount()).toThrow(/NC_THREADS must be an integer in \[1, 1024\], got "lots"/);
    process.env.NC_THREADS = "3";
    expect(resolveThreadCount()).toBe(3);
  });

  test("the values of the variables whose names another module owns list that module's names", () => {
    const values = (name: keyof typeof ENVIRONMENT_VARIABLES) => ENVIRONMENT_VARIABLES[name].values;
    const listed = (text: string) => [...text.matchAll(/`([^`"]+)`/g)].map((m) => m[1]).sort();
    expect(listed(values("NC_PRESET"))).toEqual([...PRESET_NAMES].sort());
    expect(listed(values("NC_BACKEND"))).toEqual([...BACKEND_NAMES].sort());
    expect(listed(values("NC_FIGURE_STYLE"))).toEqual(Object.keys(FIGURE_STYLES).sort());
    expect(listed(values("NC_FIGURE_VENUE"))).toEqual(Object.keys(FIGURE_VENUES).sort());
    expect(Object.keys(ENVIRONMENT_VARIABLES)).toContain(WORKER_EPOCHS_ENV);
    expect(Object.keys(ENVIRONMENT_VARIABLES)).toContain(WORKER_RETRY_FAILED_ENV);
  });
});

/** The source files under `dir` (TypeScript and JavaScript), as paths relative to the repository. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return /\.(ts|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** The text of a file without its comments (block comments, and lines that are only a comment). */
function code(path: string): string {
  return readFileSync(join(ROOT, path), "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "))
    .replace(/^\s*\/\/.*$/gm, "");
}

type Access = "read" | "pass" | "write";

/**
 * The places in lib/ that may touch the environment other than through lib/environment.ts, each with
 * what it may do (`pass`: hand `...process.env` to a child process; `write`: set a variable; `read`:
 * anything) and why.
 */
const EXCEPTIONS: readonly { path: string; allows: Access; reason: string }[] = [
  { path: "lib/environment.ts", allows: "read", reason: "the one module that reads the environment" },
  {
    path: "lib/training/worker.ts",
    allows: "read",
    reason:
      "a sweep's worker process reads NC_WORKER_EPOCHS and NC_WORKER_RETRY_FAILED, the flags its sweep sets (the worker protocol)",
  },
  {
    path: "lib/notebook/",
    allows: "pass",
    reason: "runs notebooks in child processes with the caller's environment and the preset's variables",
  },
  {
    path: "lib/experiments/sweep.ts",
    allows: "pass",
    reason:
      "starts worker processes with the sweep's environment and their NC_THREADS, NC_BACKEND, NC_WORKER_EPOCHS, NC_WORKER_RETRY_FAILED",
  },
  {
    path: "lib/backend/native_libraries.ts",
    allows: "write",
    reason: "sets OMP_WAIT_POLICY=passive before libgomp loads (it reads the variable through lib/environment.ts)",
  },
];

/** Each place a text touches the environment, and how. */
function accessesIn(text: string): { line: number; text: string; access: Access }[] {
  return text.split("\n").flatMap((line, i) => {
    const found: { line: number; text: string; access: Access }[] = [];
    const uses = /(\.\.\.\s*)?\b(?:process|Deno)\s*(?:\.\s*env(?![\w$])|\[\s*["']env["']\s*\])(.{0,60})/g;
    for (const [, spread, rest] of line.matchAll(uses)) {
      const write = /^\s*(\.\s*\w+|\[[^\]]+\])\s*=(?!=)/.test(rest) || /^\s*\.\s*(set|delete)\s*\(/.test(rest);
      found.push({ line: i + 1, text: line.trim(), access: spread ? "pass" : write ? "write" : "read" });
    }
    if (/import\s*\{[^}]*\benv\b[^}]*\}\s*from\s*["'](node:)?process["']/.test(line)) {
      found.push({ line: i + 1, text: line.trim(), access: "read" });
    }
    return found;
  });
}

describe("the environment is read in one place", () => {
  const accesses = sources("lib").flatMap((path) => accessesIn(code(path)).map((a) => ({ path, ...a })));

  test("no file under lib/ reads process.env or Deno.env except lib/environment.ts and the listed exceptions", () => {
    const offending = accesses.filter(({ path, access }) => {
      const exception = EXCEPTIONS.find((e) => path.startsWith(e.path));
      return !exception || (exception.allows !== "read" && exception.allows !== access);
    });
    expect(
      offending.map((a) => `${a.path}:${a.line}: ${a.access}: ${a.text}`),
      "read the variable with readEnvironmentVariable (lib/environment.ts) at an edge and pass it down as an option",
    ).toEqual([]);
  });

  test("every exception is still needed", () => {
    const unused = EXCEPTIONS.filter((e) => !accesses.some((a) => a.path.startsWith(e.path)));
    expect(unused.map((e) => e.path)).toEqual([]);
  });

  test("the scan sees reads, writes and pass-throughs", () => {
    const kinds = (text: string) => accessesIn(text).map((a) => a.access);
    expect(kinds('const a = process.env.NC_PRESET ?? "cpu";')).toEqual(["read"]);
    expect(kinds('if (process.env.X === "1") f();')).toEqual(["read"]);
    expect(kinds('Deno.env.get("NC_BACKEND");')).toEqual(["read"]);
    expect(kinds("const b = process.env[name];")).toEqual(["read"]);
    expect(kinds('process.env.OMP_WAIT_POLICY = "passive";')).toEqual(["write"]);
    expect(kinds('Deno.env.set("OMP_WAIT_POLICY", "passive");')).toEqual(["write"]);
    expect(kinds('import { env } from "node:process";')).toEqual(["read"]);
    expect(kinds("spawn(cmd, { env: { ...process.env, A: '1' } });")).toEqual(["pass"]);
  });
});

/** The table of `docs/environment.md`, as the module's list gives it. */
function environmentTable(): string {
  const rows = Object.entries(ENVIRONMENT_VARIABLES).map(([name, v]) =>
    `| \`${name}\` | ${v.description} | ${v.values} | ${v.defaultText} | ${v.readBy} |`
  );
  return ["| Variable | What it does | Values | Default | Read by |", "| --- | --- | --- | --- | --- |", ...rows].join(
    "\n",
  );
}

describe("docs/environment.md", () => {
  const doc = readFileSync(join(ROOT, "docs", "environment.md"), "utf8");

  test("its table is the module's list of variables, in order, word for word", () => {
    const table = doc.split("\n").filter((line) => line.startsWith("|")).join("\n");
    expect(table, "replace the table of docs/environment.md with the expected one").toBe(environmentTable());
  });

  test("every NC_ variable named in the code and the documentation is in the module's list", () => {
    /** Names that look like variables but are not. */
    const NOT_VARIABLES: Record<string, string> = { NC_DYNAMICS_PANELS: "the panels of a figure (run_plots.ts)" };
    const files = [
      ...["lib", "scripts", "bench", "docs"].flatMap((dir) =>
        readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" }).map((f) => join(dir, f))
      ),
      "README.md",
    ].filter((f) => /\.(ts|js|mjs|md)$/.test(f) && statSync(join(ROOT, f)).isFile());
    const named = new Set(
      files.flatMap((f) =>
        [...readFileSync(join(ROOT, f), "utf8").matchAll(/\bNC_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => m[0])
      ),
    );
    const unknown = [...named].filter((n) => !(n in ENVIRONMENT_VARIABLES) && !(n in NOT_VARIABLES));
    expect(unknown.sort(), "add them to ENVIRONMENT_VARIABLES (lib/environment.ts)").toEqual([]);
  });
});
