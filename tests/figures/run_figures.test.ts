/**
 * What a reader of the run figures relies on: log axes where values span decades, reference lines
 * in neutral grey and named in the key, every seed drawn, intervals longer than the markers, and
 * the data each figure carries (checked against values computed here from the input rows).
 */
import { describe, expect, test } from "vitest";
import { DOMParser } from "linkedom";
import { LOSS } from "../../lib/core/loss_registry.ts";
import { figureData } from "../../lib/figures/figure_data.ts";
import { metricCurvesPlot } from "../../lib/figures/metric_curves.ts";
import { accuracyBarsPlot, accuracyVsEpochsPlot } from "../../lib/figures/accuracy_plots.ts";
import { hyperparameterPlot } from "../../lib/figures/hyperparameter_plot.ts";
import { epochTicks, labelledTicks, logAxis, logEpochAxis, REFERENCE_GREY } from "../../lib/figures/run_plots.ts";
import { hyperparameterTrajectoriesPlot, layerCollapsePlot } from "../../lib/figures/trajectory_plots.ts";
import { legendStrip, plotSvg, type SvgFigure } from "../../lib/figures/svg.ts";
import { figureLayout } from "../../lib/figures/style.ts";
import {
  accuracyRows,
  budgetRows,
  curveRows,
  hyperparameterRows,
  layerRows,
  seedAccuracies,
  trajectoryRows,
} from "./run_figure_rows.ts";

interface Node {
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): Node[];
  textContent: string;
  parentNode: Node | null;
  nodeName: string;
}

const parse = (figure: SvgFigure): Node =>
  (new DOMParser().parseFromString(figure.outerHTML, "image/svg+xml") as unknown as { documentElement: Node })
    .documentElement;
const groups = (root: Node, label: string) => root.querySelectorAll(`g[aria-label="${label}"]`);
const texts = (root: Node, label: string) => groups(root, label).flatMap((g) => g.querySelectorAll("text"));
const titles = (root: Node) => root.querySelectorAll("title").map((t) => t.textContent);
/** The x of a `translate(x,y)` transform. */
const translateX = (node: Node) => Number(/translate\(([-\d.e]+)/.exec(node.getAttribute("transform") ?? "")![1]);
/** The innermost `<svg>` elements of a composed figure: its key strips and panels, in order. */
const parts = (root: Node) => root.querySelectorAll("svg").filter((s) => s.querySelectorAll("svg").length === 0);
/** The panels of a composed figure: its parts that draw an axis. */
const panels = (root: Node) => parts(root).filter((s) => groups(s, "y-axis tick").length > 0);
/** The key strip above the panels. */
const keyOf = (root: Node) => parts(root)[0];
const geometricMean = (v: number[]) => Math.exp(v.reduce((a, x) => a + Math.log(x), 0) / v.length);

const ncDynamics = (rows = curveRows as readonly (typeof curveRows)[number][]) =>
  metricCurvesPlot(rows, { nc4Reference: 15 / Math.sqrt(10), milestones: [600, 1000] });

describe("nc_dynamics", () => {
  test("the epoch axis is logarithmic: its decades lie equally far apart", () => {
    const root = parse(ncDynamics());
    const first = panels(root)[0];
    const ticks = texts(first, "x-axis tick label");
    expect(ticks.map((t) => t.textContent)).toEqual(["1", "10", "100", "1000"]);
    const x = ticks.map(translateX);
    const gaps = x.slice(1).map((v, i) => v - x[i]);
    for (const gap of gaps) expect(gap).toBeCloseTo(gaps[0], 6);
    expect(texts(first, "x-axis label")[0].textContent).toBe("epoch (log scale)");
  });

  test("an evaluation at epoch 0 is left out of the log axis, and the axis says so", () => {
    const initial = curveRows.filter((r) => r.epoch === 1).map((r) => ({ ...r, epoch: 0 }));
    const figure = ncDynamics([...initial, ...curveRows]);
    expect(texts(panels(parse(figure))[0], "x-axis label")[0].textContent).toBe(
      "epoch (log scale; epoch 0 not drawn)",
    );
    expect(figureData(figure)!.some((r) => r.epoch === 0)).toBe(false);
    // On a linear axis epoch 0 is drawn.
    const linear = metricCurvesPlot([...initial, ...curveRows], { logEpoch: false });
    expect(figureData(linear)!.some((r) => r.epoch === 0)).toBe(true);
  });

  test("M/√K is a grey dashed line drawn over the curves, named in the key, not in MSE's colour", () => {
    const root = parse(ncDynamics());
    const nc4 = panels(root)[3];
    expect(texts(nc4, "y-axis label")[0].textContent).toBe("NC4");
    const rules = groups(nc4, "rule");
    const reference = rules.find((g) => g.getAttribute("stroke-dasharray") === "4 3")!;
    expect(reference.getAttribute("stroke")).toBe(REFERENCE_GREY);
    expect(REFERENCE_GREY).not.toBe(LOSS.mse.color);
    // Drawn after (over) every line and marker of the panel.
    const marks = nc4.querySelectorAll("g").filter((g) =>
      ["line", "dot", "rule"].includes(g.getAttribute("aria-label")!)
    );
    expect(marks.at(-1)).toBe(reference);
    const key = keyOf(root);
    expect(key.querySelectorAll("text").map((t) => t.textContent)).toContain("M/√K (MSE's NC4)");
    expect(groups(key, "rule").some((g) => g.getAttribute("stroke-dasharray") === "4 3")).toBe(true);
  });

  test("the learning-rate decays are dotted grey lines, named in the key", () => {
    const root = parse(ncDynamics());
    const decays = groups(panels(root)[0], "rule").find((g) => g.getAttribute("stroke-dasharray") === "1.5 2")!;
    expect(decays.getAttribute("stroke")).toBe(REFERENCE_GREY);
    expect(decays.querySelectorAll("line")).toHaveLength(2);
    const key = keyOf(root);
    expect(key.querySelectorAll("text").map((t) => t.textContent)).toContain("lr ×0.1");
    expect(groups(key, "rule").some((g) => g.getAttribute("stroke-dasharray") === "1.5 2")).toBe(true);
  });

  test("no validation panel; NC1–NC3 are read as lower = more collapse, without arrows", () => {
    const figure = ncDynamics();
    const root = parse(figure);
    const labels = panels(root).map((p) => texts(p, "y-axis label")[0].textContent);
    expect(labels).toEqual(["NC1", "NC2", "NC3", "NC4", "train accuracy (%)", "test accuracy (%)"]);
    expect(figure.outerHTML).toContain(">NC1, NC2, NC3: lower = more collapse<");
    expect(figure.outerHTML).not.toMatch(/[↑↓]/);
  });

  test("5 markers a curve, the last at its end, the others staggered between losses; each seed a thin line", () => {
    const root = parse(ncDynamics());
    const first = panels(root)[0];
    const markers = titles(groups(first, "dot")[0]);
    expect(markers).toHaveLength(4 * 5);
    const epochsOf = (label: string) =>
      markers.filter((t) => t.startsWith(`${label} ·`)).map((t) => /epoch (\d+)/.exec(t)![1]);
    // Every curve ends with a marker at its last evaluation.
    for (const label of ["CE", "LS", "FL", "MSE"]) expect(epochsOf(label)).toContain("1400");
    // The others staggered: unstaggered, two losses would share all five epochs.
    expect(new Set([...epochsOf("CE"), ...epochsOf("MSE")]).size).toBeGreaterThanOrEqual(7);
    expect(new Set([...epochsOf("LS"), ...epochsOf("FL")]).size).toBeGreaterThanOrEqual(7);
    const seedLines = titles(groups(first, "line")[0]);
    expect(seedLines).toHaveLength(4 * 3);
    expect(seedLines).toContain("FL · seed 3");
  });

  test("its data: the geometric mean and range of the seeds on log axes, the mean on linear ones, every seed", () => {
    const data = figureData(ncDynamics())!;
    const seeds = curveRows.filter((r) => r.loss === "ls" && r.epoch === 400);
    const nc1 = data.find((r) =>
      r.metric === "nc1" && r.loss === "LS" && r.epoch === 400 && r.seed === "geometric mean"
    )!;
    expect(nc1.value).toBeCloseTo(geometricMean(seeds.map((s) => s.nc1)), 12);
    expect(nc1.seed_low).toBe(Math.min(...seeds.map((s) => s.nc1)));
    expect(nc1.seed_high).toBe(Math.max(...seeds.map((s) => s.nc1)));
    const test = data.find((r) =>
      r.metric === "test_accuracy" && r.loss === "LS" && r.epoch === 400 && r.seed === "mean"
    )!;
    expect(test.value).toBeCloseTo(seeds.reduce((a, s) => a + s.testAccuracy, 0) / 3, 12);
    // One row per input row and panel for the seeds' lines.
    expect(data.filter((r) => r.seed !== "mean" && r.seed !== "geometric mean")).toHaveLength(curveRows.length * 6);
    expect(data.find((r) => r.metric === "nc2" && r.loss === "FL" && r.epoch === 10 && r.seed === "2")!.value)
      .toBe(curveRows.find((r) => r.loss === "fl" && r.epoch === 10 && r.seed === 2)!.nc2);
  });
});

describe("accuracy_table", () => {
  const figure = accuracyBarsPlot(accuracyRows, { seeds: seedAccuracies });
  const root = parse(figure);

  test("every seed is a hollow dot with its value at one decimal; no tick marks over the loss labels", () => {
    const seedDots = groups(root, "dot").find((g) => titles(g).some((t) => t.includes("seed")))!;
    expect(seedDots.getAttribute("fill")).toBeNull();
    expect(seedDots.querySelectorAll("circle")).toHaveLength(seedAccuracies.length);
    const first = seedAccuracies[0];
    expect(titles(seedDots)).toContain(`CE · ${first.dataset} · seed ${first.seed}: ${first.value.toFixed(1)} %`);
    expect(groups(root, "x-axis tick")).toHaveLength(0);
  });

  test("the ± sd bars are longer than the markers", () => {
    const bars = groups(root, "rule")[0].querySelectorAll("line");
    expect(bars).toHaveLength(accuracyRows.length);
    for (const bar of bars) {
      const length = Math.abs(Number(bar.getAttribute("y2")) - Number(bar.getAttribute("y1")));
      expect(length).toBeGreaterThan(2 * 2);
    }
  });

  test("its data: the mean ± sd and every seed", () => {
    const data = figureData(figure)!;
    const ce = accuracyRows[0];
    expect(data[0]).toEqual({
      panel: ce.dataset,
      loss: "CE",
      seed: "mean",
      test_accuracy: ce.mean,
      sd: ce.sd,
      low: ce.mean - ce.sd,
      high: ce.mean + ce.sd,
    });
    expect(data.filter((r) => r.seed !== "mean").map((r) => r.test_accuracy)).toEqual(
      seedAccuracies.map((s) => s.value),
    );
  });
});

describe("loss_hyperparameters", () => {
  const metrics = [
    { column: "test_accuracy", label: "test accuracy (%)", accuracy: true },
    { column: "nc1", label: "final NC1", log: true },
    { column: "nc2", label: "final NC2", log: true },
  ];
  const layoutOf = (style: string) => {
    const boxes = panels(parse(hyperparameterPlot(hyperparameterRows, { metrics, style })));
    return {
      columns: new Set(boxes.map((b) => b.getAttribute("x"))).size,
      rows: new Set(boxes.map((b) => b.getAttribute("y"))).size,
    };
  };

  test("the metrics side by side, a row per loss, where three panels fit; else a column per loss", () => {
    expect(layoutOf("page")).toEqual({ columns: 3, rows: 2 });
    expect(layoutOf("neurips")).toEqual({ columns: 3, rows: 2 });
    expect(layoutOf("column")).toEqual({ columns: 2, rows: 3 });
  });

  test("every seed is a dot, and the data holds the means (geometric for NC1) and every seed", () => {
    const figure = hyperparameterPlot(hyperparameterRows, { metrics });
    const seedTitles = titles(parse(figure)).filter((t) => / · seed \d/.test(t));
    expect(seedTitles).toHaveLength(hyperparameterRows.length * metrics.length);
    const data = figureData(figure)!;
    const seeds = hyperparameterRows.filter((r) => r.loss === "fl" && r.loss_param === 3);
    const nc1 = data.find((r) =>
      r.loss === "FL" && r.loss_param === 3 && r.metric === "nc1" && r.seed === "geometric mean"
    )!;
    expect(nc1.value).toBeCloseTo(geometricMean(seeds.map((s) => s.nc1)), 12);
    const accuracy = data.find((r) =>
      r.loss === "FL" && r.loss_param === 3 && r.metric === "test_accuracy" && r.seed === "mean"
    )!;
    expect(accuracy.value).toBeCloseTo(seeds.reduce((a, s) => a + s.test_accuracy, 0) / 3, 12);
  });
});

describe("accuracy_vs_epochs", () => {
  const figure = accuracyVsEpochsPlot(budgetRows);

  test("the budget axis is logarithmic, and every run is a dot", () => {
    const root = parse(figure);
    const first = panels(root)[0];
    const ticks = texts(first, "x-axis tick label");
    expect(ticks.map((t) => t.textContent)).toEqual(["25", "100", "400", "1400"]);
    const x = ticks.map(translateX);
    // Equal ratios, equal distances: 25 → 100 and 100 → 400 are both ×4.
    expect(x[1] - x[0]).toBeCloseTo(x[2] - x[1], 6);
    expect((x[3] - x[2]) / (x[2] - x[1])).toBeCloseTo(Math.log(3.5) / Math.log(4), 6);
    expect(titles(root).filter((t) => / · seed \d: \d+\.\d %$/.test(t))).toHaveLength(budgetRows.length);
  });

  test("its data: the mean over seeds of each loss, width and budget, and every run", () => {
    const data = figureData(figure)!;
    const seeds = budgetRows.filter((r) => r.loss === "mse" && r.width === 64 && r.epochs === 400);
    const mean = data.find((r) => r.loss === "MSE" && r.width === 64 && r.epochs === 400 && r.seed === "mean")!;
    expect(mean.test_accuracy).toBeCloseTo(seeds.reduce((a, s) => a + s.test_accuracy, 0) / seeds.length, 12);
    expect(data.filter((r) => r.seed !== "mean")).toHaveLength(budgetRows.length);
  });
});

describe("trajectories", () => {
  test("layer collapse: log epoch axis, a thin line per seed, the decays named in the key; its data", () => {
    const figure = layerCollapsePlot(layerRows, { milestones: [600, 1000] });
    const root = parse(figure);
    expect(texts(panels(root)[0], "x-axis label")[0].textContent).toBe("epoch (log scale)");
    expect(figure.outerHTML).toContain(">lr ×0.1<");
    expect(figure.outerHTML).toContain(">each seed<");
    expect(titles(root)).toContain("MSE · layer 2 · seed 3");
    const data = figureData(figure)!;
    const seeds = layerRows.filter((r) => r.loss === "ce" && r.depth === 3 && r.epoch === 100);
    const mean = data.find((r) =>
      r.loss === "CE" && r.depth === 3 && r.epoch === 100 && r.metric === "nc1" && r.seed === "geometric mean"
    )!;
    expect(mean.value).toBeCloseTo(geometricMean(seeds.map((s) => s.nc1)), 12);
    expect(data.filter((r) => r.seed !== "geometric mean")).toHaveLength(2 * layerRows.length);
  });

  test("hyper-parameter trajectories: LS and FL side by side at page width, one above the other in a column", () => {
    const xs = (style: string) =>
      new Set(panels(parse(hyperparameterTrajectoriesPlot(trajectoryRows, { style }))).map((p) => p.getAttribute("x")))
        .size;
    expect(xs("page")).toBe(2);
    expect(xs("column")).toBe(1);
  });
});

describe("axes and keys", () => {
  test("epochTicks: the decades, and the ends where far from one", () => {
    expect(epochTicks([1, 3, 40])).toEqual([1, 10, 40]);
    expect(epochTicks([4, 1400])).toEqual([10, 100, 1000]);
    expect(epochTicks([3, 1400])).toEqual([3, 10, 100, 1000]);
    expect(epochTicks([0, 1, 726])).toEqual([1, 10, 100, 726]);
  });

  test("log axes label every tick they keep, whatever its leading digit; labels thinned where they would touch", () => {
    const narrow = logEpochAxis([1, 1400], { length: 60, font: 9 });
    expect(narrow.ticks.map(narrow.tickFormat)).toEqual(["1", "10", "", "1000"]);
    // Plot's own log scales blank ticks such as 726; these keep them, drawn where a log scale puts them.
    const axis = logEpochAxis([1, 5, 726], { length: 200, font: 8 });
    const svg = plotSvg({ width: 240, height: 80, marginLeft: 20, marginRight: 20, x: axis, marks: [] });
    const ticks = texts(parse(svg), "x-axis tick label");
    expect(ticks.map((t) => t.textContent)).toEqual(["1", "10", "100", "726"]);
    const x = ticks.map(translateX);
    expect((x[3] - x[0]) / (x[1] - x[0])).toBeCloseTo(Math.log10(726), 9);
    const budget = logAxis([25, 100, 400, 1400], { domain: [25, 1400], label: "epochs" });
    expect(budget.ticks.map(budget.tickFormat)).toEqual(["25", "100", "400", "1400"]);
  });

  test("labelledTicks keeps the last value and those that clear their neighbours", () => {
    expect(labelledTicks([0, 0.05, 0.1, 0.2, 0.4], { domain: [0, 0.4], length: 200, font: 8 })).toEqual([
      0,
      0.05,
      0.1,
      0.2,
      0.4,
    ]);
    expect(labelledTicks([0, 0.05, 0.1, 0.2, 0.4], { domain: [0, 0.4], length: 80, font: 8 })).toEqual([
      0,
      0.1,
      0.2,
      0.4,
    ]);
  });

  test("legendStrip draws keys as the marks are drawn and wraps what does not fit one line", () => {
    const items = [
      { label: "CE", color: LOSS.ce.color, symbol: "triangle", line: true },
      { label: "each seed", color: "#555", symbol: "circle", hollow: true, r: 1.5 },
      { label: "lr ×0.1", color: REFERENCE_GREY, line: true, dash: "1.5 2" },
      { label: "lower = more collapse", color: "#333", note: true },
    ];
    const wide = parse(legendStrip(items, { width: 486 }));
    const height = (root: Node) => Number(root.getAttribute("viewBox")!.split(" ")[3]);
    expect(height(wide)).toBe(figureLayout().legendHeight);
    expect(groups(wide, "rule").find((g) => g.getAttribute("stroke-dasharray") === "1.5 2")).toBeDefined();
    const hollow = groups(wide, "dot").find((g) => g.getAttribute("fill") === "none")!;
    expect(hollow.querySelectorAll("circle")).toHaveLength(1);
    const narrow = parse(legendStrip(items, { width: 150 }));
    expect(height(narrow)).toBeGreaterThan(height(wide));
    expect(narrow.querySelectorAll("text").map((t) => t.textContent)).toEqual(items.map((i) => i.label));
  });
});
