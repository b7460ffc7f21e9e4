import { expect, test } from "vitest";
import { landscapeSummaryFrame } from "../../lib/report/ufm_frames.ts";
import { REACHED_GAP, reachedOptimum } from "../../lib/experiments/ufm_studies.ts";
import { landscapePlot } from "../../lib/figures/ufm_plots.ts";
import type { LandscapeRun } from "../../lib/experiments/ufm_studies.ts";

const run = (over: Partial<LandscapeRun>): LandscapeRun => ({
  loss: "ce",
  d: 3,
  start: "random",
  seed: 0,
  objective: 1,
  predicted: 1,
  gap: 0,
  nc1: 0,
  nc2: 0,
  nc3: 0,
  iterations: 10,
  stopReason: "precision",
  ...over,
});

test("landscapeSummaryFrame counts runs that reached the optimum per loss, d and start", () => {
  const frame = landscapeSummaryFrame([
    run({ seed: 0 }),
    run({ seed: 1, gap: 10 * REACHED_GAP }),
    run({ seed: 2, nc2: 0.5 }),
    run({ loss: "fl", start: "near", iterations: 30 }),
    run({ loss: "fl", start: "near", iterations: 50, gap: -1e-15 }),
  ]);
  expect(frame.toRecords()).toEqual([
    {
      loss: "CE",
      d: 3,
      start: "random",
      runs: 3,
      reached_optimum: 1,
      min_gap: 0,
      max_gap: 10 * REACHED_GAP,
      max_nc123: 0.5,
      median_iterations: 10,
    },
    {
      loss: "FL",
      d: 3,
      start: "near",
      runs: 2,
      reached_optimum: 2,
      min_gap: -1e-15,
      max_gap: 0,
      max_nc123: 0,
      median_iterations: 40,
    },
  ]);
});

test("the landscape table and figure count the same runs as reaching the optimum (one reachedOptimum)", () => {
  const runs = [
    run({ seed: 0 }),
    run({ seed: 1, gap: -1e-6 }), // below the prediction beyond tolerance: not the predicted optimum
    run({ seed: 2, nc3: 0.01 }),
    run({ seed: 3, gap: 5e-9 }),
  ];
  expect(runs.map(reachedOptimum)).toEqual([true, false, false, true]);
  expect(landscapeSummaryFrame(runs).toRecords()[0].reached_optimum).toBe(2);
  expect(landscapePlot(runs).outerHTML).toContain(">2/4<");
});
