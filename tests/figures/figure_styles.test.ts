import { describe, expect, test } from "vitest";
import process from "node:process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as Plot from "@observablehq/plot";
import { FIGURE_STYLES, FIGURE_VENUES, figureLayout, figureStyle, figureVenue } from "../../lib/figures/style.ts";
import { figureDataCsv, withFigureData } from "../../lib/figures/figure_data.ts";
import { exportFigure, show } from "../../lib/figures/export.ts";
import { plotSvg } from "../../lib/figures/svg.ts";
import { accuracyDomain } from "../../lib/figures/run_plots.ts";
import { labelColor } from "../../lib/figures/heatmap_plots.ts";
import { decadeAxis, figureSize } from "../../lib/figures/svg.ts";
import { lambdaSweepPlot } from "../../lib/figures/ufm_plots.ts";
import { restoreEnvAfterEach } from "../helpers.ts";

for (const name of ["NC_FIGURE_STYLE", "NC_FIGURE_VENUE", "NC_FIGURES_DIR"]) restoreEnvAfterEach(name);
const FIGURES = resolve(import.meta.dirname!, "..", "..", "figures");

describe("figure styles", () => {
  test("column is 3.25 in with 8-pt text, page 6.75 in with 9-pt text, custom sizes parse", () => {
    expect(figureLayout("column")).toMatchObject({ width: 234, font: 8 });
    expect(figureLayout("page")).toMatchObject({ width: 486, font: 9 });
    expect(figureStyle("4.5in,7.5pt")).toMatchObject({ widthIn: 4.5, fontPt: 7.5 });
    expect(() => figureStyle("huge")).toThrow(/choose column, page, neurips, icml, icml-column/);
    expect(() => figureStyle("4in,5pt")).toThrow(/between 7 and 24 pt/);
  });

  test("venue styles: NeurIPS 5.5 in, ICML 6.75 in page and 3.25 in column, all with 8-pt text", () => {
    expect(figureLayout("neurips")).toMatchObject({ width: 396, font: 8 });
    expect(figureLayout("icml")).toMatchObject({ width: 486, font: 8 });
    expect(figureLayout("icml-column")).toMatchObject({ width: 234, font: 8 });
    expect(figureVenue("neurips").column).toBeUndefined();
    expect(figureVenue("icml").column).toBe(FIGURE_STYLES["icml-column"]);
    expect(figureVenue()).toBe(FIGURE_VENUES.default);
    expect(() => figureVenue("cvpr")).toThrow(/unknown figure venue "cvpr"; choose default, neurips, icml/);
  });

  test("show exports at the venue's sizes: NeurIPS has no column version; the data goes to a CSV", async () => {
    const dir = mkdtempSync(join(tmpdir(), "venue-"));
    process.env.NC_FIGURES_DIR = dir;
    process.env.NC_FIGURE_VENUE = "neurips";
    const draw = (style: unknown) =>
      plotSvg({ width: figureLayout(style as string).width, height: 100, marks: [Plot.lineY([1, 3, 2])] }, {
        style: style as string,
      });
    await show(draw, "venue_demo", { column: true, data: [{ x: 0, y: 1 }, { x: 1, y: 3 }] });
    expect(readdirSync(dir).sort()).toEqual(["venue_demo.csv", "venue_demo.pdf", "venue_demo.png", "venue_demo.svg"]);
    expect(readFileSync(join(dir, "venue_demo.svg"), "utf8")).toMatch(/width="5.5in"/);
    expect(readFileSync(join(dir, "venue_demo.csv"), "utf8")).toBe("x,y\n0,1\n1,3\n");
    process.env.NC_FIGURE_VENUE = "icml";
    await show(draw, "venue_demo", { column: true });
    expect(readFileSync(join(dir, "venue_demo_column.svg"), "utf8")).toMatch(/width="3.25in"/);
  });

  test("a figure carrying its data exports it as CSV beside the SVG; one without writes none", async () => {
    const dir = mkdtempSync(join(tmpdir(), "data-"));
    const svg = plotSvg({ width: 200, height: 100, marks: [Plot.lineY([1, 3, 2])] });
    expect(await exportFigure(svg, "plain", { dir, formats: ["svg", "csv"] })).toEqual([join(dir, "plain.svg")]);
    withFigureData(svg, [{ loss: "CE", acc: 81.5 }, { loss: 'say "hi", then', acc: Number.NaN }]);
    await exportFigure(svg, "with_data", { dir, formats: ["csv"] });
    expect(readFileSync(join(dir, "with_data.csv"), "utf8")).toBe('loss,acc\nCE,81.5\n"say ""hi"", then",\n');
    expect(figureDataCsv([{ a: 1 }, { b: true }])).toBe("a,b\n1,\n,true\n");
  });

  test("NC_FIGURE_STYLE chooses the default style", () => {
    process.env.NC_FIGURE_STYLE = "column";
    expect(figureStyle()).toBe(FIGURE_STYLES.column);
  });

  test("a figure's SVG width is its style's width in inches and its viewBox is in points", () => {
    const theory = [{ loss: "ce", lambda: 1e-4, wNormSq: 30 }, { loss: "ce", lambda: 1e-2, wNormSq: 6 }] as const;
    const svg = lambdaSweepPlot(theory, [], { style: "column" });
    expect(svg.getAttribute("width")).toBe("3.25in");
    expect(figureSize(svg).width).toBe(234);
  });
});

describe("honest scales", () => {
  test("accuracy axes span at least 5 points about the data, within [0, 100]", () => {
    const [lo, hi] = accuracyDomain([82.4, 82.7]);
    expect(lo).toBeCloseTo(80.05, 9);
    expect(hi).toBeCloseTo(85.05, 9);
    expect(accuracyDomain([99.5, 99.9])).toEqual([95, 100]);
    expect(accuracyDomain([10, 95])).toEqual([10, 95]);
  });

  test("log axes have a tick at every decade of the data", () => {
    const axis = decadeAxis([3e-4, 2], { length: 200, font: 9 });
    expect(axis.ticks).toEqual([1e-4, 1e-3, 1e-2, 1e-1, 1, 10]);
    expect(axis.ticks.map(axis.tickFormat)).toEqual(["10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "1", "10"]);
  });

  test("cell labels are black on light cells and white on dark ones", () => {
    expect(labelColor("#fde725")).toBe("black");
    expect(labelColor("rgb(68, 1, 84)")).toBe("white");
    expect(labelColor("#ffffff")).toBe("black");
  });
});

describe("exported figures", () => {
  const files = readdirSync(FIGURES);
  test.each(files.filter((f) => f.endsWith(".pdf")))("%s is at most 7 in wide", (file) => {
    const box = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(readFileSync(join(FIGURES, file), "latin1"));
    expect(box).not.toBeNull();
    expect(Number(box![1])).toBeLessThanOrEqual(7 * 72);
  });

  test.each(files.filter((f) => f.endsWith(".svg")))("%s has no text under 7 pt at its physical size", (file) => {
    const svg = readFileSync(join(FIGURES, file), "utf8");
    // 1 user unit = 1 pt: the root's width in inches times 72 equals its viewBox width.
    const root = /<svg [^>]*>/.exec(svg)![0];
    const inches = Number(/width="([\d.]+)in"/.exec(root)![1]);
    const box = Number(/viewBox="0 0 ([\d.]+)/.exec(root)![1]);
    expect(Math.abs(inches * 72 - box)).toBeLessThan(0.01);
    const sizes = [...svg.matchAll(/font-size[=:]\s*"?([\d.]+)/g)].map((m) => Number(m[1]));
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(7);
  });

  test("reproduce exports column versions of the single-panel figures", () => {
    for (const name of ["accuracy_table", "heatmap_variance", "ufm_wnorm_vs_lambda"]) {
      expect(files).toContain(`${name}_column.pdf`);
    }
  });
});
