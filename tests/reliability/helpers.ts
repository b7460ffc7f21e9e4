/** Child processes of the CLI (with the fault hook of `fault_cli.ts`), for the fault-injection tests. */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { readCheckpointHeader } from "../../lib/store/checkpoint_file.ts";
import { TEMPORARY_SUFFIX } from "../../lib/store/atomic.ts";

/** The CLI's entry point with a fault hook driven by `NC_FAULT`. */
export const CLI = join(import.meta.dirname!, "fault_cli.ts");

/** A running CLI process with its output so far. */
export interface Child {
  readonly done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
  kill(): void;
  /** Sends a signal (SIGTERM, SIGINT, …). */
  signal(name: NodeJS.Signals): void;
  readonly pid: number;
  /** Resolves when stderr contains `pattern`. */
  waitFor(pattern: RegExp): Promise<void>;
}

/** Starts the CLI (`fault_cli.ts …args`) with extra environment. */
export function startCli(args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, ["run", "-A", CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "", stderr = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => {
    stderr += d;
    for (const w of waiters.splice(0)) w.pattern.test(stderr) ? w.resolve() : waiters.push(w);
  });
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
  );
  return {
    done,
    kill: () => child.kill("SIGKILL"),
    signal: (name) => child.kill(name),
    pid: child.pid!,
    waitFor: (
      pattern,
    ) => (pattern.test(stderr) ? Promise.resolve() : new Promise((resolve) => waiters.push({ pattern, resolve }))),
  };
}

/**
 * Checks that every file of a run directory is whole: JSON files parse, every metrics line parses,
 * the checkpoint's length matches its header. Returns the temporary files a crash left behind
 * (whole targets are never replaced by them).
 */
export function checkRunFiles(dir: string): { leftovers: string[]; checkpointEpoch: number | null } {
  for (const name of ["config.json", "status.json"]) {
    if (existsSync(join(dir, name))) JSON.parse(readFileSync(join(dir, name), "utf8"));
  }
  if (existsSync(join(dir, "metrics.jsonl"))) {
    for (const line of readFileSync(join(dir, "metrics.jsonl"), "utf8").split("\n").filter((l) => l)) JSON.parse(line);
  }
  const checkpointEpoch = existsSync(join(dir, "checkpoint.bin"))
    ? readCheckpointHeader<{ state: { epoch: number } }>(join(dir, "checkpoint.bin")).state.epoch
    : null;
  return { leftovers: readdirSync(dir).filter((f) => f.endsWith(TEMPORARY_SUFFIX)), checkpointEpoch };
}
