import { describe, expect, test } from "vitest";
import { createRng } from "../../lib/core/random.ts";
import { composeFigures } from "../../lib/figures/compose.ts";
import { heatmapGridPlot, heatmapPlot } from "../../lib/figures/run_plots.ts";
import { accuracyBarsPlot, accuracyVsEpochsPlot } from "../../lib/figures/accuracy_plots.ts";
import { hyperparameterPlot } from "../../lib/figures/hyperparameter_plot.ts";
import { metricCurvesPlot } from "../../lib/figures/metric_curves.ts";
import { seedBand, seedBands } from "../../lib/figures/seed_band.ts";
import { lambdaSweepPlot, landscapePlot, ncHistoryPlot } from "../../lib/figures/ufm_plots.ts";
import * as Plot from "@observablehq/plot";
import { figureSize, plotSvg } from "../../lib/figures/svg.ts";
import {
  hyperparameterTrajectoriesPlot,
  layerCollapsePlot,
  orderedColors,
} from "../../lib/figures/trajectory_plots.ts";
import { expectFigureSnapshot } from "./svg_snapshot.ts";

const rng = createRng("plot-snapshots");
const losses = ["ce", "ls", "fl", "mse"] as const;
const curves = losses.flatMap((loss, i) =>
  [1, 2, 5, 10, 20].map((epoch) => ({
    loss,
    epoch,
    nc1: (2 + i) / epoch,
    nc2: 0.8 / Math.sqrt(epoch),
    nc3: 0.7 / Math.sqrt(epoch),
    nc4: loss === "mse" ? 4.7 : 0.1,
    trainAccuracy: 100 - 50 / epoch,
    valAccuracy: 90 - 30 / epoch + rng.uniform(),
    testAccuracy: 89 - 30 / epoch + rng.uniform(),
  }))
);
const cells = [32, 64].flatMap((width) =>
  [10, 20].map((epochs) => ({ width, epochs, value: Math.round(100 * rng.uniform()) / 100 }))
);

/** NC1 over epochs for two values of each hyper-parameter and two seeds. */
const trajectories = [0, 1].flatMap((seed) =>
  ([["ls", 0], ["ls", 0.2], ["fl", 0], ["fl", 3]] as const).flatMap(([loss, param]) =>
    [1, 3, 10, 30].map((epoch) => ({
      loss,
      loss_param: param,
      seed,
      epoch,
      nc1: (1 + Number(param)) * (1 + 0.2 * seed) / epoch,
    }))
  )
);
/** Two hidden layers' collapse over epochs, the deeper one faster, for every loss. */
const layerRows = losses.flatMap((loss) =>
  [1, 2].flatMap((depth) =>
    [1, 10, 100].map((epoch) => ({
      loss,
      layer: `layer ${depth}`,
      depth,
      epoch,
      nc1: 1 / epoch ** (depth / 2),
      nc2Means: 0.5 / epoch ** (depth / 4),
    }))
  )
);

const FIGURES = {
  curves: () => metricCurvesPlot(curves),
  heatmap: () => heatmapPlot(cells, { title: "|Acc_CE − Acc_MSE| (test, %)" }),
  accuracyVsEpochs: () =>
    accuracyVsEpochsPlot(
      losses.flatMap((loss) =>
        [32, 64].flatMap((width) =>
          [10, 20, 40].flatMap((epochs) =>
            [1, 2].map((seed) => ({
              loss,
              width,
              epochs,
              seed,
              test_accuracy: 80 + epochs / 10 + width / 64 + seed / 4,
            }))
          )
        )
      ),
    ),
  hyperparameters: () =>
    hyperparameterPlot(
      [0, 1].flatMap((seed) =>
        [0, 0.1, 0.2].map((a) => ({ loss: "ls", loss_param: a, seed, test_accuracy: 85 + a + seed })).concat(
          [0, 2, 5].map((g) => ({ loss: "fl", loss_param: g, seed, test_accuracy: 86 - g / 10 - seed })),
        )
      ),
      { metrics: [{ column: "test_accuracy", label: "test accuracy (%)", accuracy: true }] },
    ),
  hyperparameterTrajectories: () => hyperparameterTrajectoriesPlot(trajectories),
  layerCollapse: () => layerCollapsePlot(layerRows),
  accuracyBars: () =>
    accuracyBarsPlot(losses.map((loss, i) => ({ dataset: "fashion-mnist", loss, mean: 82 + i / 4, sd: 0.1 * i })), {
      seeds: losses.flatMap((loss, i) =>
        [-1, 0, 1].map((d) => ({ dataset: "fashion-mnist", loss, value: 82 + i / 4 + 0.1 * i * d }))
      ),
    }),
  ufmHistory: () =>
    ncHistoryPlot(curves.map((c) => ({ loss: c.loss, iteration: c.epoch, nc1: c.nc1, nc2: c.nc2, nc3: c.nc3 }))),
  ufmLambda: () =>
    lambdaSweepPlot([{ loss: "ce", lambda: 1e-4, wNormSq: 30 }, { loss: "ce", lambda: 1e-2, wNormSq: 6 }], [{
      loss: "ce",
      lambda: 1e-3,
      wNormSq: 12,
    }]),
  ufmLandscape: () =>
    landscapePlot([
      { loss: "ls", d: 9, start: "random", gap: 1e-15, nc1: 1e-9, nc2: 1e-9, nc3: 1e-9 },
      { loss: "ls", d: 5, start: "random", gap: 0.04, nc1: 0.7, nc2: 0.7, nc3: 0.7 },
      { loss: "fl", d: 9, start: "near", gap: 3e-9, nc1: 1e-9, nc2: 1e-9, nc3: 1e-9 },
      { loss: "fl", d: 9, start: "far", gap: 2e-3, nc1: 0.7, nc2: 0.7, nc3: 0.7 },
    ]),
};

describe.each(Object.entries(FIGURES))("%s", (name, make) => {
  test("matches its formatted SVG snapshot file (numbers rounded)", async () => {
    await expectFigureSnapshot(make().outerHTML, name);
  });
});

const plainPanel = () => plotSvg({ width: 200, height: 150, marks: [Plot.lineY([1, 3, 2])] });

test("composeFigures lays panels out in rows as one standalone SVG", () => {
  const panel = plainPanel();
  const { width: w, height: h } = figureSize(panel);
  const grid = composeFigures([panel, plainPanel(), plainPanel()], { columns: 2, gap: 10 });
  expect(figureSize(grid)).toEqual({ width: 2 * w + 10, height: 2 * h + 10 });
  expect(grid.outerHTML.match(/<svg /g)).toHaveLength(4);
  expect(grid.outerHTML).toContain(`<svg x="${w + 10}" y="0" width="${w}" height="${h}"`);
});

test("heat-map cells carry their annotated values, two significant digits", () => {
  const svg = FIGURES.heatmap().outerHTML;
  for (const c of cells) {
    expect(svg).toContain(`>${Number(c.value.toPrecision(2)) === 0 ? "0" : c.value.toPrecision(2)}<`);
  }
});

test("trajectory figures: one colour per value or layer, ordered, with a thin line per seed", () => {
  expect(orderedColors(3)).toEqual(["#440154", "#2a788e", "#7ad151"]);
  const svg = FIGURES.hyperparameterTrajectories().outerHTML;
  for (const label of ["α = 0", "α = 0.2", "γ = 0", "γ = 3", "each seed"]) expect(svg).toContain(`>${label}<`);
  // Two panels, each with a group of seed lines (two values × two seeds) and a group of means.
  expect(svg).not.toContain('aria-label="area"');
  expect(svg.match(/<title>LS · α = 0\.2 · seed \d<\/title>/g)).toHaveLength(2);
  expect(svg.match(/aria-label="line"/g)).toHaveLength(2 * 2);
  const layers = FIGURES.layerCollapse().outerHTML;
  expect(layers).toContain(">layer 1<");
  expect(layers).toContain("NC2 (class means)<");
  // One seed: the means alone, one group of lines a panel.
  expect(layers.match(/aria-label="line"/g)!.length).toBe(2 * 4);
  expect(layers).not.toContain(">each seed<");
});

test("composeFigures centres a shorter last row when asked", () => {
  const panel = plainPanel();
  const { width: w } = figureSize(panel);
  const grid = composeFigures([panel, plainPanel(), plainPanel()], {
    columns: 2,
    gap: 10,
    center: true,
  });
  expect(figureSize(grid).width).toBe(2 * w + 10);
  expect(grid.outerHTML).toContain(`<svg x="${(w + 10) / 2}" y=`);
});

test("NC-dynamics curves over seeds: the centre (geometric on log axes) and the range of the seeds, and a thin line each seed", () => {
  const twoSeeds = curves.flatMap((c) => [
    { ...c, seed: 1 },
    { ...c, seed: 2, nc1: 4 * c.nc1, trainAccuracy: c.trainAccuracy - 2 },
  ]);
  const panels = [{ column: "nc1", label: "NC1", log: true }, { column: "trainAccuracy", label: "train" }];
  const bands = seedBands(twoSeeds, panels);
  expect(bands).toHaveLength(curves.length);
  const first = bands.find((b) => b.loss === "ce" && b.epoch === 1)!;
  expect(first.nc1).toBeCloseTo(2 * 2, 12); // √(2 · 8)
  expect([first.nc1_low, first.nc1_high]).toEqual([2, 8]);
  expect(first.trainAccuracy).toBeCloseTo(49, 12);
  expect(first.seeds).toBe(2);
  // Each panel: a group of thin seed lines (one per loss and seed) under the group of centre lines.
  const svg = metricCurvesPlot(twoSeeds, { panels }).outerHTML;
  expect(svg.match(/aria-label="line"/g)).toHaveLength(2 * 2);
  expect(svg.match(/<title>CE · seed 2<\/title>/g)).toHaveLength(2);
  expect(svg).toContain(">each seed<");
  // One seed: the centre lines alone.
  const one = metricCurvesPlot(curves, { panels }).outerHTML;
  expect(one.match(/aria-label="line"/g)).toHaveLength(2);
  expect(one).not.toContain(">each seed<");
});

test("seedBand: mean or geometric mean, range, and what is left out", () => {
  expect(seedBand([1, 4], { log: true })).toEqual({ centre: 2, low: 1, high: 4, seeds: 2 });
  expect(seedBand([1, 4, NaN])).toEqual({ centre: 2.5, low: 1, high: 4, seeds: 2 });
  expect(seedBand([0, -1], { log: true })).toBeNull();
});

test("a log colour scale: one colour per decade, labels as formatted, the ramp's ticks at decades", () => {
  const decades = [0.002, 0.02, 0.2, 2].map((value, i) => ({
    width: 16 * 4 ** (i % 2),
    epochs: i < 2 ? 25 : 100,
    value,
  }));
  const fillsOf = (log: boolean) => {
    const svg = heatmapGridPlot([{ title: "NC1", cells: decades }], { label: "NC1", log, format: (v) => `[${v}]` })
      .outerHTML;
    const cellGroup = svg.slice(
      svg.indexOf('aria-label="cell"'),
      svg.indexOf("</g>", svg.indexOf('aria-label="cell"')),
    );
    return { svg, fills: [...cellGroup.matchAll(/fill="([^"]+)"/g)].map((m) => m[1]) };
  };
  const { svg, fills } = fillsOf(true);
  expect(svg).toContain(">[0.002]<");
  // The ramp's ticks at decades, written as the project's log axes write them.
  for (const tick of [">10⁻²<", ">10⁻¹<", ">1<"]) expect(svg).toContain(tick);
  expect(new Set(fills).size).toBe(4);
  // On a linear scale the two smallest are both at the bottom of the ramp (#440154 and #450457).
  expect(fillsOf(false).fills.slice(0, 2)).toEqual(["#440154", "#450457"]);
  expect(fills.slice(0, 2)).toEqual(["#440154", "#31688e"]);
});

test("dense evaluations: the curve keeps every point and carries 5 markers; no arrow beside the axis labels", () => {
  const dense = Array.from({ length: 100 }, (_, i) => ({ loss: "ce", epoch: i + 1, nc1: 1 / (i + 1) }));
  const svg = metricCurvesPlot(dense, { panels: [{ column: "nc1", label: "NC1", log: true }] }).outerHTML;
  // The panel's markers (the first group of dots is the legend's).
  const at = svg.lastIndexOf('aria-label="dot"');
  expect(svg.slice(at, svg.indexOf("</g>", at)).match(/<path /g)).toHaveLength(5);
  const line = svg.slice(svg.indexOf('aria-label="line"'));
  expect(line.slice(0, line.indexOf("</g>")).match(/[ML]/g)!.length).toBeGreaterThanOrEqual(100);
  expect(svg.match(/aria-label="line"/g)).toHaveLength(1);
  expect(svg).not.toMatch(/[↑→]/);
});
