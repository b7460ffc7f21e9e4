import { describe, expect, test } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { textBoxes, textLayoutIssues } from "./text_boxes.ts";
import { FIGURE_STYLES } from "../../lib/figures/style.ts";
import type { SvgFigure } from "../../lib/figures/svg.ts";
import { metricCurvesPlot } from "../../lib/figures/metric_curves.ts";
import { accuracyBarsPlot, accuracyVsEpochsPlot } from "../../lib/figures/accuracy_plots.ts";
import { hyperparameterPlot } from "../../lib/figures/hyperparameter_plot.ts";
import { hyperparameterTrajectoriesPlot, layerCollapsePlot } from "../../lib/figures/trajectory_plots.ts";
import {
  accuracyRows,
  budgetRows,
  curveRows,
  hyperparameterRows,
  layerRows,
  seedAccuracies,
  trajectoryRows,
} from "./run_figure_rows.ts";
import { createRng } from "../../lib/core/random.ts";
import {
  accuracyHeatmapPlot,
  collapseHeatmapPlot,
  gapHeatmapPlot,
  varianceHeatmapPlot,
} from "../../lib/figures/heatmap_figures.ts";
import { heatmapGridPlot } from "../../lib/figures/heatmap_plots.ts";
import { lambdaSweepPlot, landscapePlot, ncHistoryPlot } from "../../lib/figures/ufm_plots.ts";
import { type HeatmapReport, heatmapReport } from "../../lib/report/heatmap_report.ts";

// Every exported figure (figures/) and every figure snapshot of the plot tests (the figure functions
// on synthetic data): no two texts overlap by more than 0.5 pt, and no text leaves the canvas or the
// panel that clips it. The measurer itself is tested in text_boxes.test.ts.
const here = dirname(fileURLToPath(import.meta.url));
const sources = [join(here, "../../figures"), join(here, "__snapshots__/figures")];
const files = sources.flatMap((dir) =>
  readdirSync(dir).filter((f) => f.endsWith(".svg")).sort().map((f) => join(dir, f))
);

describe("figure text layout", () => {
  test("there are figures to check", () => {
    expect(files.length).toBeGreaterThan(20);
  });

  test.each(files.map((f) => [f.split("/").slice(-2).join("/"), f]))(
    "%s: text neither overlaps nor leaves the canvas",
    (
      _name,
      path,
    ) => {
      const svg = readFileSync(path, "utf8");
      expect(textBoxes(svg).length).toBeGreaterThan(0);
      expect(textLayoutIssues(svg).map((issue) => issue.message)).toEqual([]);
    },
  );
});

/** The figures of the deep-network runs, as the notebooks draw them, on rows shaped like the stored runs'. */
const RUN_FIGURES: Record<string, (style: string) => SvgFigure> = {
  nc_dynamics: (style) =>
    metricCurvesPlot(curveRows, { style, nc4Reference: 15 / Math.sqrt(10), milestones: [600, 1000] }),
  accuracy_vs_epochs: (style) => accuracyVsEpochsPlot(budgetRows, { style }),
  loss_hyperparameters: (style) =>
    hyperparameterPlot(hyperparameterRows, {
      style,
      metrics: [
        { column: "test_accuracy", label: "test accuracy (%)", accuracy: true },
        { column: "nc1", label: "final NC1", log: true },
        { column: "nc2", label: "final NC2", log: true },
      ],
    }),
  accuracy_table: (style) => accuracyBarsPlot(accuracyRows, { style, seeds: seedAccuracies }),
  hyperparameter_nc1_trajectories: (style) => hyperparameterTrajectoriesPlot(trajectoryRows, { style }),
  layer_collapse: (style) => layerCollapsePlot(layerRows, { style, milestones: [600, 1000] }),
};

describe("run figures at every style", () => {
  test.each(Object.keys(RUN_FIGURES).flatMap((name) => Object.keys(FIGURE_STYLES).map((style) => [name, style])))(
    "%s at %s: text at least 7 pt, neither overlapping nor leaving the canvas",
    (name, style) => {
      const svg = RUN_FIGURES[name](style).outerHTML;
      const boxes = textBoxes(svg);
      expect(boxes.length).toBeGreaterThan(0);
      expect(Math.min(...boxes.map((b) => b.fontSize))).toBeGreaterThanOrEqual(7);
      expect(textLayoutIssues(svg).map((issue) => issue.message)).toEqual([]);
    },
  );
});

// The heat-map and UFM figures, drawn at every style from data shaped like the stored runs' (with a
// cell far outside the others, so that the clipped scale's marks are drawn too, and a panel of
// another range, so that the per-panel ramps are): no overlap, nothing off the canvas, no text
// under 7 pt.
describe("heat-map and UFM figures at every style", () => {
  const rng = createRng("heatmap-ufm-layout");
  const widths = [16, 64, 256], budgets = [25, 100, 400, 1400];
  const grid = <T>(f: (width: number, epochs: number) => T) => widths.flatMap((w) => budgets.map((e) => f(w, e)));
  const equivalence = () => ({ p: 0.03, equivalent: rng.uniform() < 0.3, smallest_margin: 0.4 });
  const report: HeatmapReport = {
    ...heatmapReport([]),
    seeds: 3,
    widths,
    epochs: budgets,
    cells: ["ls", "fl", "mse"].flatMap((loss) =>
      grid((width, epochs) => ({
        loss,
        width,
        epochs,
        seeds: 3,
        gap_mean: rng.uniform() - 0.5,
        gap_sd: rng.uniform(),
        final_gap_mean: loss === "mse" && width === 16 && epochs === 1400 ? -7.25 : rng.uniform() - 0.5,
        final_gap_sd: rng.uniform(),
        equivalence: { best_val: equivalence(), final_epoch: equivalence() },
      }))
    ),
    collapse: ["ce", "ls", "fl", "mse"].flatMap((loss) =>
      grid((width, epochs) => {
        const nc1 = 10 ** (-3 * rng.uniform());
        return {
          loss,
          width,
          epochs,
          seeds: 3,
          train_accuracy: 100 - 6 * rng.uniform() ** 4,
          train_accuracy_min: 93,
          nc1,
          nc1_min: nc1 / 2,
          nc1_max: nc1 * 2,
          nc1_drop: 1 / nc1,
        };
      })
    ),
    accuracy: ["ls", "fl", "mse"].flatMap((loss) =>
      grid((width, epochs) => ({ loss, width, epochs, gap: 0.3, mean: 80 + 3 * rng.uniform(), ce_mean: 81.5 }))
    ),
    variance: grid((width, epochs) => ({ width, epochs, variance: 0.07 * 10 ** (3 * rng.uniform()), runs: 12 })),
  };
  const history = (["ce", "ls", "fl", "mse"] as const).flatMap((loss, i) =>
    [1, 3, 10, 30, 100, 216].map((iteration) => ({
      loss,
      iteration,
      nc1: 10 ** -(iteration / 10 + i),
      nc2: 1 / iteration,
      nc3: 1 / iteration ** 2,
    }))
  );
  const landscape = (["ce", "ls", "fl", "mse"] as const).flatMap((loss) =>
    [5, 9, 20].flatMap((d) =>
      (loss === "fl" ? (["random", "near", "far"] as const) : (["random"] as const))
        .filter((start) => start !== "near" || d >= 9)
        .flatMap((start) =>
          [0, 1].map(() => ({ loss, d, start, gap: d < 9 ? 0.01 : 1e-15, nc1: 1e-8, nc2: 1e-8, nc3: 1e-8 }))
        )
    )
  );
  const lambdas = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2];
  const theory = (["ce", "ls", "fl", "mse"] as const).flatMap((loss, i) =>
    lambdas.map((lambda) => ({ loss, lambda, wNormSq: (20 + 20 * i) * (1e-3 / lambda) ** 0.3 }))
  );
  const perPanel = [0, 40].map((offset, i) => ({
    title: `panel ${i}`,
    cells: grid((width, epochs) => ({ width, epochs, value: offset + 1 + rng.uniform() })),
  }));
  const figures: Record<string, (style: string) => SvgFigure> = {
    heatmap_gaps: (style) => gapHeatmapPlot(report, { style }),
    heatmap_collapse: (style) => collapseHeatmapPlot(report, { style }),
    heatmap_accuracy: (style) => accuracyHeatmapPlot(report, { style }),
    heatmap_variance: (style) => varianceHeatmapPlot(report, { style }),
    heatmap_per_panel: (style) => heatmapGridPlot(perPanel, { label: "a metric of two ranges", style }),
    ufm_nc_history: (style) => ncHistoryPlot(history, { style }),
    ufm_wnorm_vs_lambda: (style) => lambdaSweepPlot(theory, theory.filter((_, i) => i % 2 === 0), { style }),
    ufm_landscape_gaps: (style) => landscapePlot(landscape, { style }),
  };
  const cases = Object.keys(figures).flatMap((name) => Object.keys(FIGURE_STYLES).map((style) => [name, style]));

  test.each(cases)("%s at %s: text neither overlaps nor leaves the canvas, and is at least 7 pt", (name, style) => {
    const svg = figures[name](style).outerHTML;
    expect(textBoxes(svg).length).toBeGreaterThan(0);
    expect(textLayoutIssues(svg).map((issue) => issue.message)).toEqual([]);
    const sizes = [...svg.matchAll(/font-size[=:]\s*"?([\d.]+)/g)].map((m) => Number(m[1]));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(7);
  });

  test("the synthetic data draws what it should: a clipped gap scale, a per-panel scale, a log variance scale, a run not run", () => {
    expect(figures.heatmap_gaps("page").outerHTML).toContain("▼ below the colour scale");
    expect(figures.heatmap_per_panel("page").outerHTML).toContain("colour scale per panel");
    expect(figures.heatmap_variance("page").outerHTML).toContain(">10<");
    expect(figures.ufm_landscape_gaps("page").outerHTML).toContain(">not run<");
  });
});
