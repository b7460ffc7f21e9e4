import { afterAll, expect, test } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRuns } from "../../lib/training/run.ts";
import { rowsWithoutWallTime } from "../helpers.ts";
import { startCli } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-sweeps-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GRID = {
  base: {
    dataset: "synthetic",
    synthetic: { numClasses: 3, dim: 8, trainPerClass: 80, testPerClass: 20, separation: 3 },
    depth: 2,
    batchSize: 40,
  },
  losses: [{ name: "ce" }, { name: "fl", gamma: 3 }, { name: "mse", M: 15 }],
  widths: [16],
  epochs: [4],
  seeds: [0, 1],
};
const gridFile = join(dir, "grid.json");
writeFileSync(gridFile, JSON.stringify(GRID));

test("a killed sweep, started again, completes the remaining runs only", async () => {
  const runs = join(dir, "killed");
  // Each run alone, so that runs finish one by one.
  const first = startCli(["sweep", "--grid", gridFile, "--runs-dir", runs, "--pack", "off"]);
  await first.waitFor(/\[2\/6\]/);
  first.kill();
  await first.done;
  // What the store holds as done (the runs of a pack finish together, before their lines print).
  const finished = new Set(readRuns(runs).filter((r) => r.status.state === "done").map((r) => r.id));
  expect(finished.size).toBeGreaterThanOrEqual(2);
  const second = await startCli(["sweep", "--grid", gridFile, "--runs-dir", runs]).done;
  expect(second.code).toBe(0);
  const retrained = new Set([...second.stderr.matchAll(/\[nc\] (?:training|resuming) (\S+)/g)].map((m) => m[1]));
  for (const id of finished) expect(retrained.has(id), id).toBe(false);
  expect(retrained.size).toBe(6 - finished.size);
  expect(readRuns(runs).filter((r) => r.status.state === "done")).toHaveLength(6);
}, 240_000);

test(
  "a packed sweep killed while training resumes every run of the pack to the metrics of an uninterrupted sweep",
  async () => {
    const longer = join(dir, "longer.json");
    writeFileSync(longer, JSON.stringify({ ...GRID, epochs: [600] }));
    const runs = join(dir, "killed-pack");
    const first = startCli(["sweep", "--grid", longer, "--runs-dir", runs]);
    await first.waitFor(/(\[nc\] training \S+[\s\S]*){6}/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    first.kill();
    await first.done;
    const done = readRuns(runs).filter((r) => r.status.state === "done").length;
    expect(done).toBeLessThan(6);
    const second = await startCli(["sweep", "--grid", longer, "--runs-dir", runs]).done;
    expect(second.code).toBe(0);
    const resumed = [...second.stderr.matchAll(/\[nc\] (?:training|resuming) (\S+)/g)].length;
    expect(resumed).toBe(6 - done);
    const reference = await startCli(["sweep", "--grid", longer, "--runs-dir", join(dir, "uninterrupted")]).done;
    expect(reference.code).toBe(0);
    const byId = (d: string) => Object.fromEntries(readRuns(d).map((r) => [r.id, rowsWithoutWallTime(r.rows)]));
    expect(byId(runs)).toEqual(byId(join(dir, "uninterrupted")));
  },
  240_000,
);

test("two sweeps started together on one run store train each run once and corrupt nothing", async () => {
  const runs = join(dir, "shared");
  const [a, b] = await Promise.all([
    startCli(["sweep", "--grid", gridFile, "--runs-dir", runs]).done,
    startCli(["sweep", "--grid", gridFile, "--runs-dir", runs]).done,
  ]);
  expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
  const starts = [a.stderr, b.stderr].flatMap((s) =>
    [...s.matchAll(/\[nc\] (?:training|resuming) (\S+)/g)].map((m) => m[1])
  );
  expect(starts.sort()).toEqual([...new Set(starts)].sort());
  expect(new Set(starts).size).toBe(6);
  const reference = await startCli(["sweep", "--grid", gridFile, "--runs-dir", join(dir, "alone")]).done;
  expect(reference.code).toBe(0);
  const byId = (d: string) => Object.fromEntries(readRuns(d).map((r) => [r.id, rowsWithoutWallTime(r.rows)]));
  expect(byId(runs)).toEqual(byId(join(dir, "alone")));
}, 240_000);

test("a diverging run is marked failed, the sweep goes on, and the summary lists it", async () => {
  const diverging = {
    ...GRID,
    base: { ...GRID.base, lr: 1000, clipNorm: 0, weightDecay: 0 },
    losses: [{ name: "mse", M: 15 }, { name: "ce" }],
    seeds: [0],
  };
  const file = join(dir, "diverging.json");
  writeFileSync(file, JSON.stringify(diverging));
  const result = await startCli(["sweep", "--grid", file, "--runs-dir", join(dir, "nan"), "--json"]).done;
  expect(result.code).toBe(1);
  const summary = JSON.parse(result.stdout);
  expect(summary.runs).toHaveLength(2);
  expect(summary.failed).toBeGreaterThanOrEqual(1);
  expect(result.stderr).toMatch(/failed: \S+: loss became (NaN|Infinity|-Infinity) at epoch \d+, batch \d+/);
  for (const r of summary.runs.filter((r: { status: string }) => r.status === "failed")) {
    expect(r.reason).toMatch(/at epoch \d+/);
  }
}, 120_000);
