/**
 * Runs the hostile-input catalogue (`hostile_cases.ts`) and classifies each outcome: a one-line
 * error (exit non-zero, exactly one `error:` line naming the cause, nothing on stdout, nothing
 * written), handled (a correct result where no error is due: a lock taken over, a run resumed, a
 * sweep that went on), a stack trace, a hang (no end within the case's time), a wrong answer (exit 0
 * where an error is due, another cause named, a wrong value) or files written where nothing may be
 * (a partial `.tmp` file counts everywhere). Child processes run two at a time; cases that run in
 * this process run one at a time. No vitest here: `deno task hostile` runs it too.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { main } from "../../lib/cli.ts";

const ROOT = join(import.meta.dirname!, "..", "..");
/** The real command line, and the same with a fault hook (`fault_cli.ts`, driven by `NC_FAULT`). */
const CLI = join(ROOT, "lib", "cli.ts");
const FAULT_CLI = join(import.meta.dirname!, "fault_cli.ts");

/** The numbered points of issue 23 (0: bad input tested before it). */
export const POINTS: Readonly<Record<number, string>> = {
  0: "bad input (tested before)",
  1: "lock takeover races",
  2: "silent hangs",
  3: "wrong answers accepted",
  4: "checkpoint integrity",
  5: "resume with other settings",
  6: "sweeps that survive a bad run",
  7: "stack traces",
  8: "decompression caps",
  9: "rejected input writes nothing",
};

/** What a command did. */
export interface RawResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** A child process being driven by a case (signals, waiting for a line). */
export interface Driven {
  readonly pid: number;
  /** Resolves when stderr matches `pattern` (rejects after the case's time). */
  waitFor(pattern: RegExp): Promise<void>;
  signal(name: NodeJS.Signals): void;
  /** stderr so far. */
  stderr(): string;
}

/** What a case gets to run the command line. */
export interface Tools {
  /** The CLI as a child process (with `fault` as NC_FAULT: through `fault_cli.ts`), `drive` while it runs. */
  cli(
    argv: string[],
    options?: { env?: Record<string, string>; fault?: string; drive?: (child: Driven) => Promise<void> },
  ): Promise<RawResult>;
  /** The CLI in this process (for cases whose set-up trains in this process). */
  inProcess(argv: string[]): Promise<RawResult>;
  /** Starts a child process (not the CLI) that the runner kills when the case ends; for contenders. */
  spawn(args: string[]): ChildProcess;
}

/** One hostile input and what is due. */
export interface HostileCase {
  /** Issue 23's point it probes (0: bad input tested before). */
  point: number;
  name: string;
  /** Runs (part of) its work in this process: such cases run one at a time. */
  inProcess?: boolean;
  /** Seconds before it counts as a hang (default 30). */
  timeoutS?: number;
  /** Runs may be written (a failed run's status, a taken-over run); a partial file never may. */
  mayWrite?: boolean;
  /**
   * Due: one error line matching `error`; or, where no error is due, `handled` returns null for a
   * right result and what is wrong otherwise.
   */
  due: { error: RegExp } | { handled: (result: RawResult, dir: string) => string | null };
  /** Builds the case's files under `dir` and runs the command line once (or drives it). */
  run(dir: string, tools: Tools): Promise<RawResult>;
}

/** How a case came out. */
export type Outcome = "one-line error" | "handled" | "stack trace" | "hang" | "wrong answer" | "wrote files";

/** A case's outcome, with what was wrong when it was. */
export interface CaseResult {
  point: number;
  name: string;
  outcome: Outcome;
  detail: string;
  seconds: number;
  via: "process" | "in-process";
  /** What the command printed (for one-line errors, the line a user sees). */
  raw: RawResult;
}

/** A stack trace or a panic in the output. */
const STACK = /^\s+at\s|panicked at|Uncaught |RUST_BACKTRACE/m;
/** Files a write left half-done. */
const PARTIAL = /\.(tmp|partial)$/;

/** Every path under `dir` with a hash of each file: two snapshots differ when anything was written. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (path: string, name: string) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      out.set(name + "/", "dir");
      for (const entry of readdirSync(path).sort()) walk(join(path, entry), name ? `${name}/${entry}` : entry);
    } else out.set(name, stat.isFile() ? createHash("sha1").update(readFileSync(path)).digest("hex") : "special");
  };
  walk(dir, "");
  return out;
}

function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed = [...after].filter(([k, v]) => before.get(k) !== v).map(([k]) => k);
  return [...changed, ...[...before.keys()].filter((k) => !after.has(k)).map((k) => `-${k}`)];
}

/** One at a time: the cases that run in this process (one backend, one fault hook). */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.then(() => {}, () => {});
    return result;
  }
}

/** The outcome of a case from what it did. */
export function classify(c: HostileCase, raw: RawResult, wrote: string[], dir: string): [Outcome, string] {
  if (raw.timedOut) return ["hang", "no end within the case's time"];
  if (STACK.test(raw.stderr) || STACK.test(raw.stdout)) {
    return ["stack trace", raw.stderr.split("\n").slice(0, 3).join(" | ")];
  }
  const partial = wrote.filter((p) => PARTIAL.test(p));
  if ("error" in c.due) {
    const errors = raw.stderr.split("\n").filter((l) => l.startsWith("error"));
    if (raw.code === 0) return ["wrong answer", "exit 0 where an error is due"];
    if (raw.code === null) return ["wrong answer", `ended by ${raw.signal}`];
    if (errors.length !== 1) return ["wrong answer", `${errors.length} error lines: ${errors.join(" | ")}`];
    if (!c.due.error.test(errors[0])) return ["wrong answer", `another cause: ${errors[0]}`];
    if (raw.stdout.trim() !== "") return ["wrong answer", `stdout: ${raw.stdout.trim().slice(0, 120)}`];
  } else {
    const problem = c.due.handled(raw, dir);
    if (problem !== null) return ["wrong answer", problem];
  }
  if (partial.length > 0) return ["wrote files", `partial files: ${partial.join(", ")}`];
  if (!c.mayWrite && wrote.length > 0) return ["wrote files", wrote.slice(0, 4).join(", ")];
  return ["error" in c.due ? "one-line error" : "handled", ""];
}

/** Runs `c` in `dir` and classifies it; `inProcess` serialises the cases that run in this process. */
async function runCase(c: HostileCase, dir: string, inProcess: Mutex): Promise<CaseResult> {
  mkdirSync(dir, { recursive: true });
  const timeoutMs = 1000 * (c.timeoutS ?? 30);
  const started = performance.now();
  const children = new Set<ChildProcess>();
  let before: Map<string, string> | null = null;
  const mark = () => (before ??= snapshot(dir));
  const env = { ...process.env, NC_RUNS_DIR: join(dir, "default-runs"), INIT_CWD: dir } as Record<string, string>;
  delete env.NC_FAULT;
  const tools: Tools = {
    cli(argv, options = {}) {
      mark();
      const script = options.fault ? FAULT_CLI : CLI;
      const child = spawn(process.execPath, ["run", "-A", script, ...argv], {
        env: { ...env, ...(options.fault ? { NC_FAULT: options.fault } : {}), ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.add(child);
      let stdout = "", stderr = "", timedOut = false;
      const waiters: { pattern: RegExp; resolve: () => void }[] = [];
      child.stdout!.on("data", (d) => (stdout += d));
      child.stderr!.on("data", (d) => {
        stderr += d;
        for (const w of waiters.splice(0)) w.pattern.test(stderr) ? w.resolve() : waiters.push(w);
      });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, timeoutMs);
      const done = new Promise<RawResult>((resolve) =>
        child.on("close", (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, stdout, stderr, timedOut });
        })
      );
      const driven: Driven = {
        pid: child.pid!,
        waitFor: (pattern) =>
          pattern.test(stderr) ? Promise.resolve() : Promise.race([
            new Promise<void>((resolve) => waiters.push({ pattern, resolve })),
            done.then(() => {
              if (!pattern.test(stderr)) throw new Error(`ended before ${pattern}`);
            }),
          ]),
        signal: (name) => child.kill(name),
        stderr: () => stderr,
      };
      return options.drive ? options.drive(driven).then(() => done, () => done) : done;
    },
    async inProcess(argv) {
      mark();
      let stdout = "", stderr = "", timedOut = false;
      const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t) };
      let timer: ReturnType<typeof setTimeout> | undefined;
      const hang = new Promise<number>((resolve) => {
        timer = setTimeout(() => {
          timedOut = true;
          resolve(-1);
        }, timeoutMs);
      });
      let code: number;
      try {
        code = await Promise.race([main(argv, io), hang]);
      } catch (error) {
        // main() lets nothing escape; if something does, it is a stack trace.
        code = 1;
        stderr += `${(error as Error).stack}\n`;
      } finally {
        clearTimeout(timer);
      }
      return { code, signal: null, stdout, stderr, timedOut };
    },
    spawn(args) {
      mark();
      const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
      children.add(child);
      return child;
    },
  };
  let raw: RawResult;
  try {
    raw = await (c.inProcess ? inProcess.run(() => c.run(dir, tools)) : c.run(dir, tools));
  } catch (error) {
    raw = { code: 1, signal: null, stdout: "", stderr: `case failed: ${(error as Error).stack}`, timedOut: false };
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  const wrote = changes(before ?? new Map(), snapshot(dir));
  const [outcome, detail] = classify(c, raw, wrote, dir);
  return {
    point: c.point,
    name: c.name,
    outcome,
    detail,
    seconds: (performance.now() - started) / 1000,
    via: c.inProcess ? "in-process" : "process",
    raw,
  };
}

/**
 * Runs every case under `root` (a folder each), child processes two at a time, and returns their
 * results in the catalogue's order; `onResult` hears of each as it ends.
 */
export async function runCatalogue(
  cases: readonly HostileCase[],
  root: string,
  onResult?: (result: CaseResult) => void,
): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array(cases.length);
  const inProcess = new Mutex();
  let next = 0;
  // The longest first, so that two slots end together.
  const order = cases.map((_, i) => i).sort((a, b) => (cases[b].timeoutS ?? 30) - (cases[a].timeoutS ?? 30));
  const slot = async () => {
    while (next < order.length) {
      const i = order[next++];
      results[i] = await runCase(cases[i], join(root, String(i).padStart(3, "0")), inProcess);
      onResult?.(results[i]);
    }
  };
  await Promise.all([slot(), slot()]);
  return results;
}

const COLUMNS: readonly Outcome[] = ["one-line error", "handled", "stack trace", "hang", "wrong answer", "wrote files"];

/**
 * The counts table (Markdown): a row per point of issue 23 and the total; columns inputs, one-line
 * errors, handled, stack traces, hangs, wrong answers, wrote files.
 */
export function countsTable(results: readonly CaseResult[]): string {
  const row = (label: string, rs: readonly CaseResult[]) =>
    `| ${label} | ${rs.length} | ${COLUMNS.map((o) => rs.filter((r) => r.outcome === o).length).join(" | ")} |`;
  const points = [...new Set(results.map((r) => r.point))].sort((a, b) => a - b);
  return [
    "| point | inputs | one-line errors | handled | stack traces | hangs | wrong answers | wrote files |",
    "|---|--:|--:|--:|--:|--:|--:|--:|",
    ...points.map((p) => row(`${p === 0 ? "–" : p} ${POINTS[p]}`, results.filter((r) => r.point === p))),
    row("**all**", results),
  ].join("\n");
}
