import { afterAll, describe, expect, test } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportFigure } from "../../lib/figures/export.ts";
import { figureSize } from "../../lib/figures/svg.ts";
import process from "node:process";
import { restoreEnvAfterEach } from "../helpers.ts";

restoreEnvAfterEach("SOURCE_DATE_EPOCH");
import { lambdaSweepPlot, landscapePlot, ncHistoryPlot } from "../../lib/figures/ufm_plots.ts";
import { LOSSES } from "../../lib/core/loss_registry.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-figures-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const history = (["ce", "ls", "fl", "mse"] as const).flatMap((loss, i) =>
  [1, 2, 5, 10, 20].map((iteration) => ({
    loss,
    iteration,
    nc1: 10 ** -(iteration / 2 + i),
    nc2: 1 / iteration,
    nc3: 1 / iteration ** 2,
  }))
);

const FIGURES = {
  history: () => ncHistoryPlot(history),
  lambda: () =>
    lambdaSweepPlot([{ loss: "fl", lambda: 1e-4, wNormSq: 20 }, { loss: "fl", lambda: 1e-2, wNormSq: 5 }], [{
      loss: "fl",
      lambda: 1e-3,
      wNormSq: 10,
    }]),
  landscape: () =>
    landscapePlot([{ loss: "ls", d: 9, start: "random", gap: 1e-15, nc1: 1e-9, nc2: 1e-9, nc3: 1e-9 }, {
      loss: "ls",
      d: 5,
      start: "random",
      gap: 0.04,
      nc1: 0.7,
      nc2: 0.7,
      nc3: 0.7,
    }]),
};

describe.each(Object.entries(FIGURES))("%s figure", (name, make) => {
  test("is one standalone SVG element with the project's loss colours", () => {
    const svg = make().outerHTML;
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).not.toContain("<figure");
    const colours = LOSSES.map((s) => s.color);
    expect(colours.some((c) => svg.includes(c))).toBe(true);
  });

  test("exports an SVG file, a PNG at 300 DPI of the physical width and a one-page PDF of the figure's size in points", async () => {
    const figure = make();
    const written = await exportFigure(figure, `test_${name}`, { dir });
    expect(written.map((p) => p.split("/").pop())).toEqual([
      `test_${name}.svg`,
      `test_${name}.png`,
      `test_${name}.pdf`,
      `test_${name}.csv`,
    ]);
    const pdf = readFileSync(join(dir, `test_${name}.pdf`), "latin1");
    expect(pdf.startsWith("%PDF-1.")).toBe(true);
    const { width, height } = figureSize(figure);
    expect(figure.getAttribute("width")).toBe(`${Math.round((width / 72) * 1e4) / 1e4}in`);
    expect(pdf).toMatch(new RegExp(`/MediaBox \\[0 0 ${width} ${height}\\]`));
    expect(pdf.match(/\/Type \/Page\b/g)).toHaveLength(1);
    expect(pdf).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans/);
    const png = readFileSync(join(dir, `test_${name}.png`));
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(Math.round((width / 72) * 300));
    expect(readFileSync(join(dir, `test_${name}.svg`), "utf8")).toMatch(/^<\?xml[^>]*>\n<svg /);
  });
});

test("the legends name every loss that is drawn", () => {
  const svg = ncHistoryPlot(history).outerHTML;
  for (const label of ["CE", "LS", "FL", "MSE"]) expect(svg).toContain(`>${label}<`);
});

test("exports leave no temporary files and reject unsafe names", async () => {
  expect(readdirSync(dir).some((f) => f.endsWith(".tmp"))).toBe(false);
  await expect(exportFigure(FIGURES.lambda(), "../escape", { dir })).rejects.toThrow(/must use only letters/);
});

test("a PNG can be sized in inches at a DPI", async () => {
  await exportFigure(FIGURES.lambda(), "sized", { dir, formats: ["png"], png: { widthInches: 3, dpi: 100 } });
  expect(readFileSync(join(dir, "sized.png")).readUInt32BE(16)).toBe(300);
});

test("exporting a figure twice gives byte-identical files", async () => {
  delete process.env.SOURCE_DATE_EPOCH;
  const [a, b] = [join(dir, "twice-a"), join(dir, "twice-b")];
  await exportFigure(FIGURES.lambda(), "same", { dir: a });
  await exportFigure(FIGURES.lambda(), "same", { dir: b });
  for (const ext of ["svg", "png", "pdf"]) {
    expect(readFileSync(join(a, `same.${ext}`))).toEqual(readFileSync(join(b, `same.${ext}`)));
  }
});
