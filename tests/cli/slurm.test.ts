import { afterAll, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { initBackend } from "../../lib/backend/backend.ts";
import { slurmArrayScript } from "../../lib/experiments/slurm.ts";
import { figureGrid } from "../../lib/experiments/figure_presets.ts";
import { expandGrid, sweep } from "../../lib/experiments/sweep.ts";
import { readRun } from "../../lib/store/run_dir.ts";
import { rowsWithoutWallTime, runCli } from "../helpers.ts";
import { startLocalSlurm } from "./slurm_cluster.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-slurm-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the array script has one task per run, the Slurm options asked for, and the task's command", () => {
  const script = slurmArrayScript({
    jobName: "nc-heatmaps-paper",
    count: 192,
    gridArgs: ["--figure", "heatmaps", "--preset", "paper"],
    runsDir: "/shared/runs",
    logDir: "/shared/runs/slurm",
    dataDir: "/shared/data/cifar 10",
    backend: "tensorflow",
    partition: "gpu",
    gres: "gpu:1",
    time: "2-00:00:00",
    cpusPerTask: 4,
    command: ["/shared/nc"],
  });
  const lines = script.split("\n");
  expect(lines.filter((l) => l.startsWith("#SBATCH"))).toEqual([
    "#SBATCH --job-name=nc-heatmaps-paper",
    "#SBATCH --array=0-191",
    "#SBATCH --output=/shared/runs/slurm/%A_%a.out",
    "#SBATCH --partition=gpu",
    "#SBATCH --gres=gpu:1",
    "#SBATCH --time=2-00:00:00",
    "#SBATCH --cpus-per-task=4",
  ]);
  expect(lines.at(-2)).toBe(
    `exec /shared/nc sweep --figure heatmaps --preset paper --runs-dir /shared/runs --data-dir '/shared/data/cifar 10' --backend tensorflow --array-index "$SLURM_ARRAY_TASK_ID"`,
  );
});

test("nc sweep --slurm writes the script and trains nothing; --array-index outside the grid is an error", async () => {
  const runs = join(dir, "written");
  const { status, stdout, stderr } = await runCli([
    "sweep",
    "--figure",
    "heatmaps",
    "--preset",
    "paper",
    "--slurm",
    "--runs-dir",
    runs,
    "--gres",
    "gpu:1",
  ]);
  expect(status).toBe(0);
  expect(stdout.trim()).toBe(join(runs, "slurm", "heatmaps-paper.sbatch"));
  expect(stderr).toMatch(/a job array of 192 runs; submit it with: sbatch /);
  expect(readFileSync(stdout.trim(), "utf8")).toMatch(/#SBATCH --array=0-191\n[\s\S]*#SBATCH --gres=gpu:1/);
  expect(readdirSync(runs)).toEqual(["slurm"]);
  const bad = await runCli(["sweep", "--figure", "nc_dynamics", "--preset", "smoke", "--array-index", "8"]);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/--array-index must be an integer from 0 to 7 \(the grid has 8 runs\), got 8/);
});

test("a job array on a local Slurm trains every run of a smoke grid exactly once, as a local sweep does", {
  timeout: 300_000,
}, async () => {
  const cluster = await startLocalSlurm(join(dir, "cluster"));
  if ("unavailable" in cluster) {
    console.warn(`[slurm test] skipped: ${cluster.unavailable}`);
    expect(process.env.CI, `the Slurm daemons must start in CI: ${cluster.unavailable}`).toBeUndefined();
    return;
  }
  try {
    const runs = join(dir, "cluster-runs");
    const written = await runCli([
      "sweep",
      "--figure",
      "nc_dynamics",
      "--preset",
      "smoke",
      "--slurm",
      "--runs-dir",
      runs,
    ]);
    expect(written.status).toBe(0);
    const env = { ...process.env, ...cluster.env, NC_BACKEND: "native", NC_THREADS: "1" };
    const submitted = spawnSync("sbatch", [written.stdout.trim()], { env, encoding: "utf8" });
    expect(submitted.status, submitted.stderr).toBe(0);
    expect(submitted.stdout).toMatch(/Submitted batch job \d+/);
    expect(await cluster.waitIdle(240_000)).toBe(true);
    const configs = expandGrid(figureGrid("nc_dynamics", "smoke"));
    const stored = readdirSync(runs).filter((d) => d !== "slurm").sort();
    const logs = readdirSync(join(runs, "slurm")).filter((f) => f.endsWith(".out"));
    expect(logs).toHaveLength(configs.length);
    // The same backend and thread count as the array's tasks.
    await initBackend({ backend: "native", threads: 1, quiet: true });
    const local = await sweep(configs, { runsDir: join(dir, "local-runs"), log: () => {} });
    expect(stored).toEqual(local.map((r) => r.id).sort());
    for (const record of local) {
      const fromArray = readRun<unknown, { wallSeconds: number }>(join(runs, record.id));
      expect(fromArray.status.state).toBe("done");
      expect(rowsWithoutWallTime(fromArray.rows)).toEqual(rowsWithoutWallTime(record.rows));
    }
  } finally {
    await cluster.stop();
  }
});
