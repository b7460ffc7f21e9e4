import { afterAll, expect, test } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/backend.ts";
import { readRun, readRuns, runTraining } from "../../lib/training/run.ts";
import { rowsWithoutWallTime } from "../helpers.ts";
import { startCli } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-signals-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = { NC_BACKEND: "wasm" };
/** Long enough (120 epochs of about 0.1 s) to be stopped midway. */
const CONFIG = {
  dataset: "synthetic",
  synthetic: { numClasses: 4, dim: 16, trainPerClass: 300, testPerClass: 40, separation: 3 },
  model: "mlp",
  width: 64,
  depth: 2,
  batchNorm: true,
  epochs: 120,
  batchSize: 30,
  loss: { name: "ls", alpha: 0.1 },
  seed: 5,
};

/** Resolves once `path` exists. */
async function waitForFile(path: string): Promise<void> {
  while (!existsSync(path)) await new Promise((resolve) => setTimeout(resolve, 50));
}

/**
 * The exit status as a shell sees it: Deno's child processes report a status of 128 + n as "killed
 * by signal n", so the line the process printed on stopping tells the two apart.
 */
function exitStatus(result: { code: number | null; signal: string | null }): number {
  return result.code ?? 128 + constants.signals[result.signal as keyof typeof constants.signals];
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
}

const locks = (runs: string) =>
  existsSync(runs) ? readdirSync(runs).filter((id) => existsSync(join(runs, id, "lock"))) : [];

test.each([["SIGTERM", 143], ["SIGINT", 130]] as const)(
  "nc train stopped by %s exits %i with its checkpoint kept and its lock released; resumed, it ends as the uninterrupted run",
  async (signal, code) => {
    const root = join(dir, signal);
    const config = join(root, "config.json");
    const runs = join(root, "runs");
    mkdirSync(root, { recursive: true });
    await initBackend({ backend: "wasm", quiet: true });
    const reference = await runTraining(CONFIG, { runsDir: join(dir, "reference"), log: () => {} });
    writeFileSync(config, JSON.stringify(CONFIG));
    const args = ["train", "--config", config, "--runs-dir", runs, "--quiet"];
    const child = startCli(args, env);
    await Promise.race([child.waitFor(/\[nc\] training/), child.done]);
    await waitForFile(join(runs, readdirSync(runs)[0], "checkpoint.bin"));
    child.signal(signal);
    const stopped = await child.done;
    expect(exitStatus(stopped), stopped.stderr).toBe(code);
    expect(stopped.stderr).toMatch(
      new RegExp(`\\[nc\\] stopped by ${signal} after epoch \\d+ of 120: its checkpoint is kept`),
    );
    const runDir = join(runs, readdirSync(runs)[0]);
    expect(existsSync(join(runDir, "lock"))).toBe(false);
    expect(readRun(runDir).status.state).toBe("running");
    const finished = await startCli(args, env).done;
    expect(finished.code).toBe(0);
    expect(finished.stderr).toMatch(/\[nc\] resuming \S+ after epoch \d+/);
    expect(rowsWithoutWallTime(readRun(runDir).rows)).toEqual(rowsWithoutWallTime(reference.rows));
  },
  120_000,
);

const GRID = {
  base: { ...CONFIG, epochs: undefined, seed: undefined, loss: undefined, width: undefined },
  losses: [{ name: "ce" }, { name: "mse", M: 15 }],
  widths: [64],
  // Never finished here: the sweeps are stopped early.
  epochs: [1000],
  seeds: [0],
};

test(
  "a sweep with two workers stopped by SIGTERM forwards it: it exits 143 once its workers stopped and released their locks",
  async () => {
    const grid = join(dir, "grid.json");
    writeFileSync(grid, JSON.stringify(GRID));
    const runs = join(dir, "sweep-term");
    const child = startCli(["sweep", "--grid", grid, "--runs-dir", runs, "--jobs", "2", "--pack", "off"], env);
    // The workers' lines stay in the sweep; their locks show them training.
    await until(() => locks(runs).length === 2);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    child.signal("SIGTERM");
    const stopped = await child.done;
    expect(exitStatus(stopped), stopped.stderr).toBe(143);
    expect(stopped.stderr).toMatch(/\[nc\] sweep \S+ stopped by SIGTERM: 0 of 2 runs over; run the same sweep again/);
    expect(locks(runs)).toEqual([]);
    expect(readRuns(runs).map((r) => r.status.state)).toEqual(["running", "running"]);
  },
  120_000,
);
