import { afterAll, expect, test } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { initBackend } from "../../lib/backend/backend.ts";
import { sweep } from "../../lib/experiments/sweep.ts";
import { reproductionReport } from "../../lib/report/report.ts";
import { summaryMarkdown } from "../../lib/report/summary_markdown.ts";
import { ufmStudies } from "../../lib/experiments/ufm_studies.ts";
import { UFM_PRESETS } from "../../lib/experiments/presets.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-summary-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test(
  "SUMMARY.md shows each loss's signed gap to CE as a width × epochs matrix with the seed spread, for both accuracies",
  async () => {
    await initBackend({ backend: "native", quiet: true });
    const runs = await sweep({
      base: {
        dataset: "synthetic",
        synthetic: { numClasses: 3, dim: 6, trainPerClass: 30, testPerClass: 10, separation: 2 },
        depth: 1,
        batchSize: 30,
      },
      losses: [{ name: "ce" }, { name: "mse", M: 15 }],
      widths: [4, 8],
      epochs: [1, 2],
      seeds: [0, 1],
    }, { runsDir: join(dir, "runs"), log: () => {} });
    const markdown = summaryMarkdown(reproductionReport("smoke", { heatmaps: runs }));
    const section = markdown.split("## ").find((s) => s.startsWith("Heat-map (notebook 04): CE − MSE"))!;
    const lines = section.trim().split("\n").filter((l) => l.startsWith("|"));
    expect(lines[0]).toBe("| epochs | width 4 | width 8 |");
    // The longest budget on top, as in the figure.
    expect(lines.slice(2).map((l) => l.split("|")[1].trim())).toEqual(["2", "1"]);
    const gap = String.raw`[+−]\d+\.\d\d ± \d+\.\d\d\*?`;
    for (const line of lines.slice(2)) {
      for (const cell of line.split("|").slice(2, -1)) expect(cell.trim()).toMatch(new RegExp(`^${gap} / ${gap}$`));
    }
    // How far each loss collapsed, per cell: training accuracy / NC1 / its drop.
    const collapse = markdown.split("## ").find((s) => s.startsWith("Heat-map (notebook 04): how far CE collapsed"))!;
    const collapseRows = collapse.trim().split("\n").filter((l) => l.startsWith("| 2 "));
    expect(collapseRows[0]).toMatch(/^\| 2 \| \d+\.\d\d \/ \S+ \/ \S+× \| \d+\.\d\d \/ \S+ \/ \S+× \|$/);
    // The claim's test: one row for MSE with ρ, the permutation p and the slope with its interval, per axis.
    const claim = markdown.split("## ").find((s) => s.startsWith("Heat-maps (notebook 04): does |gap| shrink"))!;
    // 2 widths × 2 budgets: 2! arrangements within each of 2 strata, all 4 enumerated.
    expect(claim).toContain("(all 4 arrangements)");
    const claimRows = claim.trim().split("\n").filter((l) => l.startsWith("| MSE"));
    expect(claimRows).toHaveLength(2);
    const axis = String.raw`-?\d(\.\d\d)? \| (\d\.\d{4}|1) \| (-?\d+\.\d\d|—) \[(-?\d+\.\d\d|—), (-?\d+\.\d\d|—)\]`;
    expect(claimRows[0]).toMatch(
      new RegExp(String.raw`^\| MSE \| best-val \| 2 \| ${axis} \| ${axis} \| (yes|no) \|$`),
    );
    expect(claimRows[1]).toMatch(
      new RegExp(String.raw`^\| MSE \| last epoch \| 2 \| ${axis} \| ${axis} \| (yes|no) \|$`),
    );
    // The accuracy table's ANOVA line, from the largest-width, longest-budget runs.
    const corner = runs.filter((r) => r.config.width === 8 && r.config.epochs === 2);
    const table = summaryMarkdown(reproductionReport("smoke", { accuracy_table: corner }));
    expect(table).toMatch(
      /one-way ANOVA F = \d+\.\d\d, p = \d\.\d{3}: (no spread detected beyond|larger than) seed noise/,
    );
    // The paired comparisons: MSE against CE at the best-validation and the last epoch, and the one pair.
    expect(table).toContain("Equivalence to CE within ±0.5 points");
    expect(table).toMatch(/^\| MSE \| best-val \| 2 \| \S+ \| \[\S+, \S+\] \| \S+ \| (yes|no) \| \S+ \|$/m);
    expect(table).toMatch(/^\| MSE \| last epoch \| 2 \|/m);
    expect(table).toMatch(/^\| CE − MSE \| best-val \| 2 \|/m);
  },
  60_000,
);

test("SUMMARY.md gives the UFM studies' numbers: optimised against predicted per loss, landscape outcomes", () => {
  const studies = ufmStudies(UFM_PRESETS.smoke);
  const markdown = summaryMarkdown(reproductionReport("smoke", {}, { ufm: studies }));
  const section = (title: string) => markdown.split("## ").find((s) => s.startsWith(title))!;
  const rows = (text: string) =>
    text.trim().split("\n").filter((l) => l.startsWith("|")).slice(2).map((l) =>
      l.split("|").slice(1, -1).map((c) => c.trim())
    );
  const minimizers = rows(section("UFM global minimizers"));
  expect(minimizers.map((r) => r[0])).toEqual(["CE", "LS", "FL", "MSE"]);
  for (const [i, r] of studies.minimizers.entries()) {
    // ‖w_k‖² optimised and predicted, to the 6 digits printed; the relative error from them.
    expect(Number(minimizers[i][4])).toBeCloseTo(r.wNormSq, 3);
    expect(Number(minimizers[i][5])).toBeCloseTo(r.theory.wNormSq, 3);
    expect(Math.abs(Number(minimizers[i][6]))).toBeLessThan(1e-6);
  }
  const landscape = rows(section("UFM landscape"));
  const reachedRuns = landscape.reduce((a, r) => a + Number(r[4]), 0);
  const allRuns = landscape.reduce((a, r) => a + Number(r[3]), 0);
  expect(allRuns).toBe(studies.landscape.length);
  // Counted independently: a run reached the optimum when its gap and NC1–NC3 are at the optimum's.
  const counted = studies.landscape.filter((r) => Math.abs(r.gap) <= 1e-8 && Math.max(r.nc1, r.nc2, r.nc3) <= 1e-3);
  expect(reachedRuns).toBe(counted.length);
  for (const r of landscape) expect(r[5]).toBe(`${Math.round((100 * Number(r[4])) / Number(r[3]))} %`);
  for (
    const name of [
      "ufm_nc_history",
      "ufm_wnorm_vs_lambda",
      "ufm_landscape_gaps",
      "ufm_objective_optimised_vs_predicted",
    ]
  ) {
    expect(markdown).toContain(`${name}.svg`);
  }
}, 60_000);

test("the committed SUMMARY.md names every figure in figures/", () => {
  const dir = join(dirname(fileURLToPath(import.meta.url)), "../../figures");
  const summary = readFileSync(join(dir, "SUMMARY.md"), "utf8");
  const svgs = readdirSync(dir).filter((f) => f.endsWith(".svg"));
  expect(svgs.length).toBeGreaterThan(10);
  expect(svgs.filter((f) => !summary.includes(`(${f})`))).toEqual([]);
});
