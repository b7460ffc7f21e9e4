import { describe, expect, test } from "vitest";
import { createRng } from "../../lib/core/random.ts";
import { beyondDomain, heatmapScale, spansDecade } from "../../lib/figures/heatmap_scale.ts";
import { heatmapGridPlot, heatmapPlot } from "../../lib/figures/heatmap_plots.ts";
import { figureData } from "../../lib/figures/figure_data.ts";

const rng = createRng("heatmap-scale");
/** One panel: 3 widths × 4 budgets with values from `value`. */
const cells = (value: () => number) =>
  [16, 64, 256].flatMap((width) => [25, 100, 400, 1400].map((epochs) => ({ width, epochs, value: value() })));
const uniform = (lo: number, hi: number) => () => lo + (hi - lo) * rng.uniform();

/** The fill of every cell of a figure, in drawing order (the cell marks come first in each panel). */
function cellFills(svg: string): string[] {
  const fills: string[] = [];
  for (let at = svg.indexOf('aria-label="cell"'); at >= 0; at = svg.indexOf('aria-label="cell"', at + 1)) {
    const group = svg.slice(at, svg.indexOf("</g>", at));
    fills.push(...[...group.matchAll(/<rect[^>]*fill="([^"]+)"/g)].map((m) => m[1]));
  }
  return fills.filter((f) => f !== "none");
}

describe("heat-map colour scales", () => {
  test("panels over the same range share one scale", () => {
    const panels = [0, 1, 2, 3].map(() => cells(uniform(80, 83)).map((c) => c.value));
    const scale = heatmapScale(panels);
    expect(scale).toMatchObject({ kind: "shared", log: false, clipped: false });
    const all = panels.flat();
    expect(scale.domains[0]).toEqual([Math.min(...all), Math.max(...all)]);
  });

  test("one cell 10× the others is clipped: the other panels keep the whole ramp", () => {
    const panels = [0, 1, 2, 3].map(() => cells(uniform(1, 2)).map((c) => c.value));
    panels[3][5] = 10 * Math.max(...panels.flat());
    const scale = heatmapScale(panels, { log: false });
    expect(scale.kind).toBe("shared");
    expect(scale.clipped).toBe(true);
    // The domain ends at the largest of the other cells, not at the extreme one.
    expect(scale.domains[0][1]).toBe(Math.max(...panels.flat().filter((v) => v < 5)));
    expect(beyondDomain(panels[3][5], scale.domains[3])).toBe(1);
    // By default the 10× cell makes the values span a decade: a log scale, still clipped.
    expect(heatmapScale(panels)).toMatchObject({ kind: "shared", log: true, clipped: true });
    // Drawn: the ordinary cells spread over the ramp (many distinct colours), the extreme one is marked.
    const figure = heatmapGridPlot(
      panels.map((values, i) => ({
        title: `P${i}`,
        cells: cells(() => 0).map((c, j) => ({ ...c, value: values[j] })),
      })),
      { label: "metric", log: false },
    );
    const fills = cellFills(figure.outerHTML);
    expect(fills).toHaveLength(48);
    expect(new Set(fills.slice(0, 12)).size).toBeGreaterThanOrEqual(10);
    expect(figure.outerHTML).toContain("▲ above the colour scale");
    expect(figureData(figure)!.filter((r) => r.beyond_colour_scale)).toHaveLength(1);
    // Without clipping, the first panel would sit in the bottom tenth of the ramp.
    const unclipped = heatmapGridPlot(
      panels.map((values, i) => ({
        title: `P${i}`,
        cells: cells(() => 0).map((c, j) => ({ ...c, value: values[j] })),
      })),
      { label: "metric", log: false, domain: [1, panels[3][5]] },
    );
    expect(new Set(cellFills(unclipped.outerHTML).slice(0, 12)).size).toBeLessThan(new Set(fills.slice(0, 12)).size);
  });

  test("a signed cell 10× the others clips the diverging scale symmetrically", () => {
    const panels = [0, 1, 2].map(() => cells(uniform(-0.5, 0.5)).map((c) => c.value));
    panels[2][0] = 6;
    const scale = heatmapScale(panels, { diverging: true });
    expect(scale).toMatchObject({ kind: "shared", diverging: true, clipped: true, log: false });
    const [lo, hi] = scale.domains[0];
    expect(lo).toBe(-hi);
    expect(hi).toBeLessThanOrEqual(0.5);
  });

  test("panels over different ranges get a scale each, with a ramp under each panel", () => {
    const panels = [cells(uniform(1, 2)), cells(uniform(41, 42))];
    const scale = heatmapScale(panels.map((p) => p.map((c) => c.value)), { log: false });
    expect(scale.kind).toBe("per-panel");
    expect(scale.domains[0][1]).toBeLessThan(2);
    expect(scale.domains[1][0]).toBeGreaterThan(41);
    const svg = heatmapGridPlot(panels.map((c, i) => ({ title: `P${i}`, cells: c })), { label: "metric" }).outerHTML;
    expect(svg).toContain("colour scale per panel");
    // Each panel's lowest cell takes the bottom of the ramp (viridis #440154).
    expect(cellFills(svg).filter((f) => f === "#440154")).toHaveLength(2);
  });

  test("log colours where positive values span a decade or more (max/min ≥ 10), linear below", () => {
    expect(spansDecade([0.07, 3, 71.6])).toBe(true);
    expect(spansDecade([0.03, 0.29])).toBe(false);
    expect(spansDecade([-1, 20])).toBe(false);
    expect(heatmapScale([[0.07, 1.2, 71.6]]).log).toBe(true);
    expect(heatmapScale([[0.03, 0.1, 0.29]]).log).toBe(false);
    expect(heatmapScale([[0.07, 71.6]], { log: false }).log).toBe(false);
    expect(heatmapScale([[-1, 20]], { diverging: true }).log).toBe(false);
    // The variance heat-map of an earlier run (0.07 to 71.6 %²): a log ramp with decade ticks.
    const variance = cells(uniform(0.07, 0.2));
    variance[0] = { ...variance[0], value: 71.6 };
    variance[1] = { ...variance[1], value: 20 };
    const svg = heatmapPlot(variance, { title: "variance", label: "%²" }).outerHTML;
    for (const tick of [">1<", ">10<"]) expect(svg).toContain(tick);
  });

  test("cell values follow the display rule: accuracies one decimal, other values two significant digits", () => {
    const svg = heatmapPlot(
      [{ width: 16, epochs: 25, value: 71.6 }, { width: 64, epochs: 25, value: 0.21 }, {
        width: 256,
        epochs: 25,
        value: 5,
      }],
      { title: "variance", label: "%²" },
    ).outerHTML;
    expect(svg).toContain(">72<");
    expect(svg).toContain(">0.21<");
    expect(svg).not.toMatch(/>71\.600<|>0\.210</);
    const accuracy = heatmapPlot([{ width: 16, epochs: 25, value: 81.8666 }, { width: 64, epochs: 25, value: 82.4 }], {
      title: "CE",
      label: "%",
      values: "accuracy",
    }).outerHTML;
    expect(accuracy).toContain(">81.9<");
    expect(accuracy).toContain(">82.4<");
  });

  test("every cell has a tooltip and the figure carries its cells as data", () => {
    const c = [{ width: 16, epochs: 25, value: 0.5, spread: 0.1, marked: true }, {
      width: 64,
      epochs: 25,
      value: -0.2,
      spread: 0.3,
    }];
    const figure = heatmapGridPlot([{ title: "CE − LS", keys: { loss: "LS" }, cells: c }], {
      label: "points",
      values: "accuracy",
      diverging: true,
      markNote: "equivalent",
      markName: "equivalent",
      valueName: "ce_minus_x",
    });
    expect(figure.outerHTML).toContain("<title>CE − LS · width 16 · 25 epochs: +0.5 ±0.1 (dashed)</title>");
    expect(figureData(figure)).toEqual([
      { panel: "CE − LS", loss: "LS", width: 16, epochs: 25, ce_minus_x: 0.5, ce_minus_x_sd: 0.1, equivalent: true },
      { panel: "CE − LS", loss: "LS", width: 64, epochs: 25, ce_minus_x: -0.2, ce_minus_x_sd: 0.3, equivalent: false },
    ]);
  });
});
