import { afterAll, beforeAll, expect, test } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/backend.ts";
import { FIGURE_NAMES, figureGrid } from "../../lib/experiments/figure_presets.ts";
import { sweep } from "../../lib/experiments/sweep.ts";
import type { RunRecord } from "../../lib/training/run.ts";
import { reproductionSummary, summaryJson } from "../../lib/report/summary_json.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-summary-json-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const runs: Record<string, RunRecord[]> = {};

beforeAll(async () => {
  await initBackend({ backend: "wasm", quiet: true });
  for (const figure of FIGURE_NAMES) {
    runs[figure] = await sweep(figureGrid(figure, "smoke"), { runsDir: dir, log: () => {} });
  }
}, 300_000);

const LOSSES = ["ce", "ls", "fl", "mse"];
const isNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v);

test("summary.json at the smoke preset has the documented shape, with numbers where numbers belong", () => {
  const summary = reproductionSummary("smoke", runs, { backend: "wasm", wallSeconds: 12.4, replicates: 200 });
  const parsed = JSON.parse(summaryJson(summary));
  expect(parsed).toMatchObject({ preset: "smoke", backend: "wasm", wall_seconds: 12 });
  expect(isNumber(parsed.training_seconds) && parsed.training_seconds > 0).toBe(true);

  expect(Object.keys(parsed.nc_dynamics)).toEqual(LOSSES);
  for (const loss of LOSSES) {
    const d = parsed.nc_dynamics[loss];
    for (
      const key of [
        "nc1_first",
        "nc1_last",
        "nc2_last",
        "nc3_last",
        "nc4_last",
        "train_accuracy_last",
        "test_accuracy_best_val",
      ]
    ) expect(isNumber(d[key]), `${loss}.${key}`).toBe(true);
    expect(d.train_accuracy_last).toBeGreaterThan(1); // percent, not a fraction
    // The smoke NC-dynamics runs record their hidden layers: the features are the last.
    expect(d.layers.map((l: { layer: string }) => l.layer)).toEqual(["layer 1", "layer 2"]);
    expect(Object.keys(d.layers[0])).toEqual(["layer", "nc1_first", "nc1_last", "nc2_means_last"]);
    expect(d.layers[1].nc1_last).toBeCloseTo(d.nc1_last, 4);
  }

  const grid = figureGrid("heatmaps", "smoke");
  expect(parsed.heatmaps.seeds).toBe(grid.seeds.length);
  expect(parsed.heatmaps.widths).toEqual(grid.widths);
  expect(parsed.heatmaps.cells).toHaveLength(3 * grid.widths.length * grid.epochs.length);
  for (const cell of parsed.heatmaps.cells) {
    expect(["ls", "fl", "mse"]).toContain(cell.loss);
    for (const key of ["width", "epochs", "gap_mean", "gap_sd"]) expect(isNumber(cell[key]), key).toBe(true);
  }
  expect(Object.keys(parsed.heatmaps.claim)).toEqual(["ls", "fl", "mse"]);
  for (const claim of Object.values(parsed.heatmaps.claim) as Record<string, unknown>[]) {
    expect(typeof claim.holds).toBe("boolean");
    expect((claim.width_interval as number[]).length).toBe(2);
  }

  expect(Object.keys(parsed.accuracy_table)).toEqual(LOSSES);
  for (const loss of LOSSES) {
    expect(parsed.accuracy_table[loss].seeds).toBe(grid.seeds.length);
    expect(isNumber(parsed.accuracy_table[loss].mean)).toBe(true);
  }
  expect(typeof parsed.accuracy_spread.within_seed_noise).toBe("boolean");
  expect(parsed.hyperparameters.length).toBeGreaterThan(0);
});

test("a gap cell is the mean over seeds of the paired difference of best-validation test accuracies", () => {
  const summary = reproductionSummary("smoke", runs, { backend: "wasm", wallSeconds: 0, replicates: 50 });
  const cell = summary.heatmaps.cells.find((c) => c.loss === "mse")!;
  const accuracy = (loss: string, seed: number) => {
    const r = runs.heatmaps.find((r) =>
      r.config.loss.name === loss && r.config.width === cell.width && r.config.epochs === cell.epochs &&
      r.config.seed === seed
    )!;
    return 100 * r.status.summary!.bestValTestAccuracy;
  };
  const seeds = figureGrid("heatmaps", "smoke").seeds;
  const differences = seeds.map((s) => accuracy("ce", s) - accuracy("mse", s));
  expect(cell.gap_mean).toBeCloseTo(differences.reduce((a, b) => a + b) / differences.length, 4);
});
