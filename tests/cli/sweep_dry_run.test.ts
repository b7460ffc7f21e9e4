import { afterAll, beforeAll, expect, test } from "vitest";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { initBackend } from "../../lib/backend/backend.ts";
import { expandGrid } from "../../lib/experiments/sweep.ts";
import { readRun, runTraining } from "../../lib/training/run.ts";
import { runId } from "../../lib/training/run_id.ts";
import { runCli } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-dry-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GRID = {
  base: {
    dataset: "synthetic",
    synthetic: { numClasses: 3, dim: 6, trainPerClass: 30, testPerClass: 10, separation: 3 },
    depth: 1,
    batchSize: 30,
  },
  losses: [{ name: "ce" }, { name: "fl", gamma: 3 }],
  widths: [4],
  epochs: [4],
  seeds: [0, 1, 2],
};
const gridFile = join(dir, "grid.json");
writeFileSync(gridFile, JSON.stringify(GRID));
const configs = expandGrid(GRID as never);
const ids = configs.map(runId);
const quiet = { log: () => {} };

/** Every file and directory under `root` with the SHA-256 of each file's bytes: equal when nothing changed. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string, name: string) => {
    if (statSync(path).isDirectory()) {
      out[name + "/"] = "dir";
      for (const entry of readdirSync(path).sort()) walk(join(path, entry), `${name}/${entry}`);
    } else {
      out[name] = createHash("sha256").update(readFileSync(path)).digest("hex");
    }
  };
  walk(root, ".");
  return out;
}

/**
 * A store holding: run 0 done, run 1 stopped after epoch 2, run 2 diverged (its status rewritten as a
 * divergence), run 3 failed on an error after epoch 1, run 4 with a truncated status.json and a stale
 * lock of a gone process beside a done run 5; run 5 … none (new). Returns the store.
 */
async function store(name: string): Promise<string> {
  const runs = join(dir, name);
  await runTraining(configs[0], { ...quiet, runsDir: runs });
  await runTraining(configs[1], { ...quiet, runsDir: runs, stopAfterEpoch: 2 });
  await runTraining(configs[2], { ...quiet, runsDir: runs, stopAfterEpoch: 3 });
  const diverged = join(runs, ids[2], "status.json");
  const status = JSON.parse(readFileSync(diverged, "utf8"));
  writeFileSync(
    diverged,
    JSON.stringify({ ...status, state: "failed", failure: "divergence", reason: "loss became NaN" }),
  );
  await runTraining(configs[3], { ...quiet, runsDir: runs, stopAfterEpoch: 1 });
  const errored = join(runs, ids[3], "status.json");
  writeFileSync(
    errored,
    JSON.stringify({ ...JSON.parse(readFileSync(errored, "utf8")), state: "failed", failure: "error", reason: "disk" }),
  );
  await runTraining(configs[4], { ...quiet, runsDir: runs });
  const damaged = join(runs, ids[4], "status.json");
  writeFileSync(damaged, readFileSync(damaged, "utf8").slice(0, 30));
  writeFileSync(join(runs, ids[0], "lock"), JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), startedAt: "" }));
  return runs;
}

beforeAll(async () => {
  await initBackend({ backend: "wasm", quiet: true });
});

/** The runs a sweep's log says it trained, with the epoch each started after. */
const trainedBy = (stderr: string) =>
  [...stderr.matchAll(/\[nc\] (?:training (\S+)|resuming (\S+) after epoch (\d+))/g)].map((m) =>
    m[1] ? { id: m[1], epoch: 0 } : { id: m[2], epoch: Number(m[3]) }
  ).sort((a, b) => a.id.localeCompare(b.id));

test.each([[false, 1], [true, 2]])(
  "--dry-run (retry failed: %s, %i jobs) writes nothing, and lists exactly the runs the sweep then trains, from the epochs it resumes after",
  async (retry, jobs) => {
    const runs = await store(`store-${retry}`);
    const flags = ["sweep", "--grid", gridFile, "--runs-dir", runs, "--backend", "wasm", "--jobs", String(jobs)];
    if (retry) flags.push("--retry-failed");
    const before = snapshot(runs);
    const dry = await runCli([...flags, "--dry-run", "--json"]);
    expect(dry.status, dry.stderr).toBe(0);
    expect(snapshot(runs)).toEqual(before);
    const plan = JSON.parse(dry.stdout);
    const expected = [
      { id: ids[1], action: "resume", epoch: 2 },
      { id: ids[3], action: "retry", epoch: 1 },
      { id: ids[5], action: "new", epoch: 0 },
      ...(retry ? [{ id: ids[2], action: "retry", epoch: 3 }] : []),
    ].sort((a, b) => a.id.localeCompare(b.id));
    expect(
      plan.runs.map(({ id, action, epoch }: Record<string, unknown>) => ({ id, action, epoch })).sort((
        a: { id: string },
        b: { id: string },
      ) => a.id.localeCompare(b.id)),
    ).toEqual(expected);
    expect(plan.done).toBe(1);
    expect(plan.damaged).toEqual([{ id: ids[4], reason: expect.stringMatching(/status\.json is damaged/) }]);
    expect(plan.failed.map((f: { id: string }) => f.id)).toEqual(retry ? [] : [ids[2]]);
    // The estimate: epochs left × the median per-epoch seconds of the stored runs of this shape
    // (each run's last row: its wall time over its epoch), computed here from the files.
    const perEpoch = [0, 1, 2, 3].map((i) => readRun(join(runs, ids[i])).rows.at(-1)!)
      .map((row) => row.wallSeconds / row.epoch).sort((a, b) => a - b);
    const median = (perEpoch[1] + perEpoch[2]) / 2;
    for (const run of plan.runs) expect(run.seconds).toBeCloseTo((4 - run.epoch) * median, 9);
    // The real sweep trains those runs, from those epochs.
    const real = await runCli(flags);
    expect(trainedBy(real.stderr)).toEqual(expected.map(({ id, epoch }) => ({ id, epoch })));
    expect(real.status).toBe(1); // the damaged run (and the diverged one unless retried) are failures
    if (!retry) {
      expect(real.stderr).toMatch(
        /\[nc\] 1 of them failed in an earlier sweep and was not trained again \(a divergence is a result\): --retry-failed trains it again/,
      );
    }
  },
  120_000,
);

test("--dry-run lines: the id, the keys the grid varies, new or resuming, and the time or 'no stored timing'", async () => {
  const runs = join(dir, "lines");
  await runTraining(configs[0], { ...quiet, runsDir: runs, stopAfterEpoch: 1 });
  // Run 1 is in training by a live process (this one, as far as its lock says).
  await runTraining(configs[1], { ...quiet, runsDir: runs, stopAfterEpoch: 2 });
  writeFileSync(
    join(runs, ids[1], "lock"),
    JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }),
  );
  const dry = await runCli(["sweep", "--grid", gridFile, "--runs-dir", runs, "--dry-run", "--jobs", "2"]);
  expect(dry.status).toBe(0);
  const lines = dry.stdout.trim().split("\n");
  expect(lines).toHaveLength(6);
  expect(lines[0]).toMatch(new RegExp(`^${ids[0]} +loss CE, seed 0 +resumes after epoch 1 +~\\d+s$`));
  expect(lines[1]).toMatch(
    new RegExp(
      `^${
        ids[1]
      } +loss CE, seed 1 +resumes after epoch 2; in training by process ${process.pid} on \\S+: the sweep waits for it +~\\d+s$`,
    ),
  );
  expect(lines[3]).toMatch(new RegExp(`^${ids[3]} +loss FL γ=3, seed 0 +new +~\\d+s$`));
  expect(dry.stderr).toMatch(
    /6 runs in the grid, 6 to train \(4 new, 2 resuming, 0 retried; 1 in training elsewhere now\), 0 done; every run has width 4, epochs 4/,
  );
  expect(dry.stderr).toMatch(
    /estimated training time: ~\d+s for 6 runs .* in 2 stored runs of the same shape, on wasm\); about \d+s with 2 jobs/,
  );
  expect(dry.stderr).toMatch(/nothing was written \(--dry-run\)/);
  // Another shape: no stored timing; --array-index picks one run.
  const other = join(dir, "other-grid.json");
  writeFileSync(other, JSON.stringify({ ...GRID, widths: [6] }));
  const one = await runCli(["sweep", "--grid", other, "--runs-dir", runs, "--dry-run", "--array-index", "4"]);
  expect(one.stdout).toMatch(/^synthetic-mlp-w6-fl-e4-s1-\S+ +new +no stored timing\n$/);
  expect(one.stderr).toMatch(/estimated training time: unknown; 1 run has no stored timing/);
  const slurm = await runCli(["sweep", "--grid", gridFile, "--runs-dir", runs, "--dry-run", "--slurm"]);
  expect(slurm.status).toBe(2);
  expect(slurm.stderr).toMatch(/^error: sweep: --dry-run lists the runs to train and --slurm writes a job array/);
});
