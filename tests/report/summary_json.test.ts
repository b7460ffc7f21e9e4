import { afterAll, beforeAll, expect, test } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/backend.ts";
import { FIGURE_NAMES, figureGrid } from "../../lib/experiments/figure_presets.ts";
import { sweep } from "../../lib/experiments/sweep.ts";
import type { RunRecord } from "../../lib/training/run.ts";
import { reproductionReport } from "../../lib/report/report.ts";
import { summaryJson } from "../../lib/report/summary_json.ts";
import { summaryMarkdown } from "../../lib/report/summary_markdown.ts";
import { ufmStudies } from "../../lib/experiments/ufm_studies.ts";
import { UFM_PRESETS } from "../../lib/experiments/presets.ts";

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
  const summary = reproductionReport("smoke", runs, { backend: "wasm", wallSeconds: 12.4, permutations: 200 });
  const parsed = JSON.parse(summaryJson(summary));
  expect(parsed).toMatchObject({ preset: "smoke", backend: "wasm", wall_seconds: 12 });
  expect(isNumber(parsed.training_seconds) && parsed.training_seconds > 0).toBe(true);

  expect(Object.keys(parsed.nc_dynamics)).toEqual(LOSSES);
  const dynamicsGrid = figureGrid("nc_dynamics", "smoke");
  const VALUES = [
    "nc1_first",
    "nc1_last",
    "nc1_drop",
    "nc2_last",
    "nc3_last",
    "nc4_last",
    "train_accuracy_last",
    "test_accuracy_best_val",
    "test_accuracy_last",
    "best_val_epoch",
  ];
  for (const loss of LOSSES) {
    const d = parsed.nc_dynamics[loss];
    expect(d.seeds).toEqual(dynamicsGrid.seeds);
    expect(d.per_seed.map((s: { seed: number }) => s.seed)).toEqual(dynamicsGrid.seeds);
    for (const key of VALUES) {
      for (const s of d.per_seed) expect(isNumber(s[key]), `${loss}.${key}`).toBe(true);
      // The mean and sd over seeds of each value, from the per-seed values (as printed: 6 significant digits).
      const values = d.per_seed.map((s: Record<string, number>) => s[key]);
      const tolerance = 1e-5 * Math.max(...values.map(Math.abs));
      const mean = values.reduce((a: number, v: number) => a + v, 0) / values.length;
      expect(Math.abs(d.mean[key] - mean), `${loss}.mean.${key}`).toBeLessThanOrEqual(tolerance);
      const sd = Math.sqrt(values.reduce((a: number, v: number) => a + (v - mean) ** 2, 0) / (values.length - 1));
      expect(Math.abs(d.sd[key] - sd), `${loss}.sd.${key}`).toBeLessThanOrEqual(tolerance);
    }
    const first = d.per_seed[0];
    expect(first.train_accuracy_last).toBeGreaterThan(1); // percent, not a fraction
    // The smoke NC-dynamics runs record their hidden layers: the features are the last.
    expect(first.layers.map((l: { layer: string }) => l.layer)).toEqual(["layer 1", "layer 2"]);
    expect(Object.keys(first.layers[0])).toEqual(["layer", "nc1_first", "nc1_last", "nc2_means_last"]);
    expect(first.layers[1].nc1_last).toBeCloseTo(first.nc1_last, 4);
  }
  expect(parsed.collapse.runs).toHaveLength(LOSSES.length * dynamicsGrid.seeds.length);

  const grid = figureGrid("heatmaps", "smoke");
  expect(parsed.heatmaps.seeds).toBe(grid.seeds.length);
  expect(parsed.heatmaps.widths).toEqual(grid.widths);
  expect(parsed.heatmaps.cells).toHaveLength(3 * grid.widths.length * grid.epochs.length);
  expect(parsed.heatmaps.margin).toBe(0.5);
  for (const cell of parsed.heatmaps.cells) {
    expect(["ls", "fl", "mse"]).toContain(cell.loss);
    for (const key of ["width", "epochs", "gap_mean", "gap_sd", "final_gap_mean", "final_gap_sd"]) {
      expect(isNumber(cell[key]), key).toBe(true);
    }
    for (const kind of ["best_val", "final_epoch"]) {
      expect(Object.keys(cell.equivalence[kind])).toEqual(["p", "equivalent", "smallest_margin"]);
      expect(cell.equivalence[kind].equivalent).toBe(cell.equivalence[kind].smallest_margin < 0.5);
    }
  }
  // Every loss's collapse per cell, CE included.
  expect(parsed.heatmaps.collapse).toHaveLength(4 * grid.widths.length * grid.epochs.length);
  for (const cell of parsed.heatmaps.collapse) {
    for (const key of ["train_accuracy", "train_accuracy_min", "nc1", "nc1_min", "nc1_max", "nc1_drop"]) {
      expect(isNumber(cell[key]), key).toBe(true);
    }
    expect(cell.nc1).toBeGreaterThanOrEqual(cell.nc1_min * (1 - 1e-12));
    expect(cell.nc1).toBeLessThanOrEqual(cell.nc1_max * (1 + 1e-12));
    expect(cell.seeds).toBe(grid.seeds.length);
  }
  expect(Object.keys(parsed.heatmaps.claim)).toEqual(["best_val", "final_epoch"]);
  for (const byLoss of Object.values(parsed.heatmaps.claim) as Record<string, Record<string, unknown>>[]) {
    expect(Object.keys(byLoss)).toEqual(["ls", "fl", "mse"]);
    for (const claim of Object.values(byLoss) as Record<string, Record<string, unknown>>[]) {
      expect(typeof claim.holds).toBe("boolean");
      expect(claim.cells).toBe(grid.widths.length * grid.epochs.length);
      for (const axis of [claim.width, claim.epochs]) {
        expect(Object.keys(axis)).toEqual([
          "rho",
          "p_shrinks",
          "p_two_sided",
          "permutations",
          "exact",
          "slope_per_doubling",
          "slope_interval",
        ]);
        expect(axis.p_shrinks as number).toBeGreaterThan(0);
        expect(axis.p_shrinks as number).toBeLessThanOrEqual(1);
        expect(axis.exact).toBe(true); // 2 widths × 2 budgets at smoke: 4 arrangements
        expect((axis.slope_interval as number[]).length).toBe(2);
      }
    }
  }

  expect(Object.keys(parsed.accuracy_table)).toEqual(LOSSES);
  for (const loss of LOSSES) {
    expect(parsed.accuracy_table[loss].seeds).toBe(grid.seeds.length);
    for (const key of ["mean", "sd", "final_mean", "final_sd"]) {
      expect(isNumber(parsed.accuracy_table[loss][key])).toBe(true);
    }
  }
  expect(typeof parsed.accuracy_spread.within_seed_noise).toBe("boolean");
  const comparisons = parsed.accuracy_comparisons;
  expect(comparisons).toMatchObject({ margin: 0.5, equivalence_interval_level: 0.9 });
  expect(comparisons.pair_interval_level).toBeCloseTo(1 - 0.05 / 6, 5);
  for (const accuracy of [comparisons.best_val, comparisons.final_epoch]) {
    expect(Object.keys(accuracy.equivalence_to_ce)).toEqual(["ls", "fl", "mse"]);
    for (const e of Object.values(accuracy.equivalence_to_ce) as Record<string, unknown>[]) {
      expect(e.seeds).toBe(grid.seeds.length);
      expect(typeof e.equivalent).toBe("boolean");
      expect(isNumber(e.smallest_margin)).toBe(true);
    }
    expect(accuracy.pairs.map((p: { loss: string; other: string }) => `${p.loss}-${p.other}`)).toEqual([
      "ce-ls",
      "ce-fl",
      "ce-mse",
      "ls-fl",
      "ls-mse",
      "fl-mse",
    ]);
  }
  expect(parsed.hyperparameters.length).toBeGreaterThan(0);
});

test("a gap cell is the mean over seeds of the paired difference of best-validation test accuracies", () => {
  const summary = reproductionReport("smoke", runs, { backend: "wasm", wallSeconds: 0, permutations: 50 });
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

/** The numbers of a SUMMARY.md line's table cells (or of its ANOVA sentence), with the precision printed. */
function printedNumbers(markdown: string): { text: string; value: number; tolerance: number }[] {
  const lines = markdown.split("\n");
  const checked = lines.filter((l, i) =>
    (l.startsWith("| ") && !lines[i + 1]?.startsWith("| ---") && !l.startsWith("| ---")) || l.startsWith("Spread of")
  );
  const out: { text: string; value: number; tolerance: number }[] = [];
  for (const line of checked) {
    const cells = line.startsWith("|") ? line.split("|").slice(1, -1).map((c) => c.trim()) : [line];
    for (const cell of cells) {
      // "layer 2" and the like are names, not numbers.
      if (/^[a-z]+ \d+$/.test(cell)) continue;
      for (const m of cell.matchAll(/(?<![\w.§])[−-]?\d+(\.(\d+))?(e([+-]?\d+))?/g)) {
        const text = m[0].replace("−", "-");
        const decimals = m[2]?.length ?? 0, exponent = m[4] === undefined ? 0 : Number(m[4]);
        out.push({ text, value: Number(text), tolerance: 0.5 * 10 ** (exponent - decimals) * (1 + 1e-9) });
      }
    }
  }
  return out;
}

/** Every number leaf of a JSON value. */
function jsonNumbers(value: unknown): number[] {
  if (typeof value === "number") return [value];
  if (value && typeof value === "object") return Object.values(value).flatMap(jsonNumbers);
  return [];
}

/** The printed numbers that no number of the JSON gives when rounded as printed. */
function numbersMissingFromJson(markdown: string, json: string): string[] {
  const leaves = jsonNumbers(JSON.parse(json));
  return printedNumbers(markdown).filter(({ value, tolerance }) =>
    !leaves.some((v) => Math.abs(v - value) <= tolerance)
  ).map((n) => n.text);
}

test("every number SUMMARY.md shows is a field of summary.json, both rendered from one report", () => {
  const report = reproductionReport("smoke", runs, {
    ufm: ufmStudies(UFM_PRESETS.smoke),
    backend: "wasm",
    wallSeconds: 3,
    permutations: 50,
  });
  const markdown = summaryMarkdown(report), json = summaryJson(report);
  for (
    const section of [
      "UFM global minimizers",
      "UFM landscape",
      "NC dynamics",
      "Collapse layer by layer",
      "Heat-map",
      "Accuracy table",
      "Loss hyper-parameters",
      "Spread of",
      "Equivalence to CE",
      "every pair of losses",
    ]
  ) expect(markdown, section).toContain(section);
  expect(printedNumbers(markdown).length).toBeGreaterThan(300);
  expect(numbersMissingFromJson(markdown, json)).toEqual([]);
  // The check can fail: a number changed in the markdown is no longer found in the JSON.
  const cell = /\| (\d+\.\d{3}) \|/.exec(markdown)!;
  const tampered = markdown.replace(cell[0], `| ${(Number(cell[1]) + 0.5).toFixed(3)} |`);
  expect(numbersMissingFromJson(tampered, json)).toEqual([(Number(cell[1]) + 0.5).toFixed(3)]);
});
