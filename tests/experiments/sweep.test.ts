import { afterAll, expect, test } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/backend.ts";
import { figureGrid, FigurePresetError } from "../../lib/experiments/figure_presets.ts";
import { expandGrid, sweep, type SweepProgress } from "../../lib/experiments/sweep.ts";
import { runTraining } from "../../lib/training/run.ts";
import { runId } from "../../lib/training/run_id.ts";
import { rowsWithoutWallTime } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-sweep-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GRID = {
  base: {
    dataset: "synthetic",
    synthetic: { numClasses: 3, dim: 6, trainPerClass: 30, testPerClass: 10, separation: 3 },
    depth: 1,
    batchSize: 30,
  },
  losses: [{ name: "ce" }, { name: "mse", M: 15 }] as const,
  widths: [4, 8],
  epochs: [2],
  seeds: [0, 1],
};

test("expandGrid gives every combination in loss, width, epochs, seed order", () => {
  const configs = expandGrid({ ...GRID, losses: [...GRID.losses] });
  expect(configs).toHaveLength(8);
  expect(configs.map((c) => `${c.loss.name}/${c.width}/${c.seed}`).slice(0, 3)).toEqual(["ce/4/0", "ce/4/1", "ce/8/0"]);
});

test(
  "a sweep runs what is missing; a second sweep trains nothing; parallel processes give the same records",
  async () => {
    await initBackend({ backend: "wasm", quiet: true });
    const grid = { ...GRID, losses: [...GRID.losses] };
    const seen: number[] = [];
    const progress: SweepProgress[] = [];
    const first = await sweep(grid, {
      runsDir: join(dir, "a"),
      pack: "off",
      log: () => {},
      onRun: (_, done) => seen.push(done),
      onProgress: (p) => progress.push(p),
    });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(first.every((r) => r.status.state === "done")).toBe(true);
    // A start, two epochs and an end per run; epochs counted up to the grid's total.
    expect(progress).toHaveLength(8 * 4);
    expect(progress[0]).toMatchObject({ total: 8, stored: 0, toTrain: 8, trained: 0, epochsDone: 0, epochsTotal: 16 });
    expect(progress[0].running).toEqual([{ id: first[0].id, epoch: 0, epochs: 2 }]);
    expect(progress.at(-1)).toMatchObject({ trained: 8, epochsDone: 16, running: [] });
    const quiet: SweepProgress[] = [];
    const again = await sweep(grid, { runsDir: join(dir, "a"), log: () => {}, onProgress: (p) => quiet.push(p) });
    expect(again.map((r) => r.rows)).toEqual(first.map((r) => r.rows));
    expect(quiet).toEqual([]); // cached runs report nothing
    // Nor does a stored failed run, which is returned as it is, not trained.
    const failed = join(first[0].dir, "status.json");
    writeFileSync(
      failed,
      JSON.stringify({ ...JSON.parse(readFileSync(failed, "utf8")), state: "failed", reason: "diverged" }),
    );
    await sweep(grid, { runsDir: join(dir, "a"), log: () => {}, onProgress: (p) => quiet.push(p) });
    expect(quiet).toEqual([]);
    const parallelProgress: SweepProgress[] = [];
    const parallel = await sweep(grid, {
      runsDir: join(dir, "b"),
      jobs: 2,
      pack: "off",
      onProgress: (p) => parallelProgress.push(p),
    });
    // Worker processes report their epochs too.
    expect(parallelProgress.filter((p) => p.running.some((r) => r.epoch === 1)).length).toBeGreaterThan(0);
    expect(parallelProgress.at(-1)).toMatchObject({ trained: 8, epochsDone: 16, running: [] });
    expect(parallel.map((r) => r.id)).toEqual(first.map((r) => r.id));
    expect(parallel.map((r) => rowsWithoutWallTime(r.rows))).toEqual(first.map((r) => rowsWithoutWallTime(r.rows)));
  },
  120_000,
);

test("packed sweeps, in this process or in two workers, store the records of runs trained alone", async () => {
  await initBackend({ backend: "wasm", quiet: true });
  const grid = { ...GRID, losses: [...GRID.losses] };
  const alone = await sweep(grid, { runsDir: join(dir, "alone"), pack: "off", log: () => {} });
  for (const [name, options] of [["packed", {}], ["packed-jobs", { jobs: 2 }]] as const) {
    const progress: SweepProgress[] = [];
    const packed = await sweep(grid, {
      runsDir: join(dir, name),
      log: () => {},
      onProgress: (p) => progress.push(p),
      ...options,
    });
    expect(packed.map((r) => r.id)).toEqual(alone.map((r) => r.id));
    expect(packed.map((r) => rowsWithoutWallTime(r.rows)), name).toEqual(alone.map((r) => rowsWithoutWallTime(r.rows)));
    expect(packed.map((r) => r.status.summary?.bestValTestAccuracy)).toEqual(
      alone.map((r) => r.status.summary?.bestValTestAccuracy),
    );
    // Two shapes (widths 4 and 8) of four runs each: two packs, each reporting its runs together.
    expect(Math.max(...progress.map((p) => p.running.length))).toBe(name === "packed" ? 4 : 8);
    expect(progress.at(-1)).toMatchObject({ trained: 8, epochsDone: 16, epochsTotal: 16, running: [] });
  }
}, 120_000);

test("a resumed run's progress starts at its checkpoint's epoch", async () => {
  await initBackend({ backend: "wasm", quiet: true });
  const grid = { ...GRID, losses: [GRID.losses[0]], widths: [4], seeds: [0], epochs: [3] };
  await runTraining(expandGrid(grid)[0], { runsDir: join(dir, "resume"), log: () => {}, stopAfterEpoch: 2 });
  const progress: SweepProgress[] = [];
  await sweep(grid, { runsDir: join(dir, "resume"), log: () => {}, onProgress: (p) => progress.push(p) });
  expect(progress[0]).toMatchObject({ toTrain: 1, epochsDone: 0, epochsTotal: 1 });
  expect(progress[0].running[0]).toMatchObject({ epoch: 2, epochs: 3 });
  expect(progress.at(-1)).toMatchObject({ trained: 1, epochsDone: 1, epochsTotal: 1 });
}, 60_000);

test("figure grids exist for every figure and preset; unknown names are errors", () => {
  for (const figure of ["nc_dynamics", "heatmaps", "accuracy_table", "hyperparameters"]) {
    for (const preset of ["smoke", "cpu", "paper"]) {
      expect(expandGrid(figureGrid(figure, preset)).length).toBeGreaterThan(0);
    }
  }
  const heat = figureGrid("heatmaps", "paper");
  expect(expandGrid(heat)).toHaveLength(4 * 4 * 4 * 3);
  expect(figureGrid("accuracy_table", "cpu")).toMatchObject({ widths: [256], epochs: [1400], seeds: [1, 2, 3] });
  // The accuracy table's runs are the heat-maps' widest, longest cell and the NC-dynamics runs: trained once.
  expect(expandGrid(figureGrid("accuracy_table", "cpu")).map(runId)).toEqual(
    expandGrid(figureGrid("nc_dynamics", "cpu")).map(runId),
  );
  expect(() => figureGrid("fig9", "cpu")).toThrow(FigurePresetError);
  expect(() => figureGrid("heatmaps", "huge")).toThrow(/unknown preset "huge"; choose one of smoke, cpu, paper/);
});
