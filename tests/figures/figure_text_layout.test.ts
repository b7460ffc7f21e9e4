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
