/** Fixtures and helpers shared by the test files. */
import { afterEach } from "vitest";
import process from "node:process";
import type { LossSpec } from "../lib/core/losses.ts";
import { main } from "../lib/cli.ts";

/** Every loss, with a focal γ below 1 too (its gradient has a (1 − p)^(γ−1) factor). */
export const LOSS_CASES: LossSpec[] = [
  { name: "ce" },
  { name: "fl", gamma: 3 },
  { name: "fl", gamma: 0.5 },
  { name: "ls", alpha: 0.1 },
  { name: "mse", M: 15 },
];

/** Restores an environment variable after every test of the calling file. */
export function restoreEnvAfterEach(name: string): void {
  const saved = process.env[name];
  afterEach(() => {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  });
}

/** Runs the CLI in this process and captures its exit status, stdout and stderr. */
export async function runCli(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "", stderr = "";
  const status = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { status, stdout, stderr };
}

/** A metrics row (or a run summary) without its wall-clock time, the one field that differs between identical runs. */
export function withoutWallTime<T extends { wallSeconds: number }>(row: T): Omit<T, "wallSeconds"> {
  const { wallSeconds: _, ...rest } = row;
  return rest;
}

/** Metrics rows without their wall-clock time ({@link withoutWallTime} of each). */
export function rowsWithoutWallTime<T extends { wallSeconds: number }>(rows: readonly T[]): Omit<T, "wallSeconds">[] {
  return rows.map(withoutWallTime);
}
