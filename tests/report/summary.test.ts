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
import { columnRule } from "../../lib/report/number_format.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-summary-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The markdown tables of a document: header names and rows of cells. */
function tables(markdown: string): { columns: string[]; rows: string[][] }[] {
  const cells = (line: string) => line.split("|").slice(1, -1).map((c) => c.trim());
  return markdown.split("\n\n").map((block) => block.trim().split("\n").filter((l) => l.startsWith("|")))
    .filter((lines) => lines.length >= 2 && /^\| ---/.test(lines[1]))
    .map((lines) => ({ columns: cells(lines[0]), rows: lines.slice(2).map(cells) }));
}

/** Significant digits of a number as written (trailing zeros of an integer do not count). */
function significant(token: string): number {
  const mantissa = token.replace(/^[−-]/, "").replace(/e.*$/, "");
  const digits = mantissa.includes(".") ? mantissa.replace(".", "").replace(/^0+/, "") : mantissa.replace(/0+$/, "");
  return Math.max(1, digits.length);
}

/**
 * Every column of every table follows the display rule its name states: accuracies (and points)
 * with two decimals; metrics and other values with at most two significant digits and one notation
 * for the column; p-values with at most two significant digits or "< 0.001". Columns of integers
 * (counts, epochs) and UFM values compared with theory are not checked here.
 */
function expectDisplayRule(markdown: string): void {
  const token = /[−-]?\d+(?:\.\d+)?(?:e[−-]?\d+)?/g;
  let checked = 0;
  for (const { columns, rows } of tables(markdown)) {
    columns.forEach((name, j) => {
      const values = rows.flatMap((r) => (r[j] === "< 0.001" ? [] : r[j].match(token) ?? []));
      if (values.length === 0 || values.every((v) => /^[−-]?\d+$/.test(v))) return;
      const rule = columnRule(name);
      if (rule === "precise" || rule === "exact" || /^width_/.test(name)) return;
      checked++;
      for (const v of values) {
        if (rule === "accuracy") expect(v, `${name}: ${v}`).toMatch(/^[−-]?\d+\.\d\d$/);
        else expect(significant(v), `${name}: ${v}`).toBeLessThanOrEqual(2);
      }
      if (rule === "metric") {
        const nonZero = values.filter((v) => Number(v.replace("−", "-")) !== 0);
        expect(new Set(nonZero.map((v) => v.includes("e"))).size, `${name}: one notation`).toBeLessThanOrEqual(1);
      }
    });
  }
  expect(checked).toBeGreaterThan(3);
}

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
    const section = markdown.split("### ").find((s) => s.startsWith("CE − MSE"))!;
    const lines = section.trim().split("\n").filter((l) => l.startsWith("|"));
    expect(lines[0]).toBe("| epochs | width_4 | width_8 |");
    // The longest budget on top, as in the figure.
    expect(lines.slice(2).map((l) => l.split("|")[1].trim())).toEqual(["2", "1"]);
    const gap = String.raw`[+−]\d+\.\d\d ± \d+\.\d\d\*?`;
    for (const line of lines.slice(2)) {
      for (const cell of line.split("|").slice(2, -1)) expect(cell.trim()).toMatch(new RegExp(`^${gap} / ${gap}$`));
    }
    // Where both accuracies appear, the text says why the best-validation one can be higher.
    const gaps = markdown.split("## ").find((s) => s.startsWith("Heat-maps (notebook 04): CE − X"))!;
    expect(gaps).toContain("The two test accuracies are of different networks");
    expect(gaps).toContain("biased upward");
    // How far each loss collapsed, per cell: training accuracy / NC1 / its drop.
    const collapse = markdown.split("### ").find((s) => s.startsWith("CE\n"))!;
    const collapseRows = collapse.trim().split("\n").filter((l) => l.startsWith("| 2 "));
    expect(collapseRows[0]).toMatch(/^\| 2 \| \d+\.\d\d \/ \S+ \/ \S+× \| \d+\.\d\d \/ \S+ \/ \S+× \|$/);
    // The claim's test: one row for MSE with ρ, the permutation p and the slope with its interval, per axis.
    const claim = markdown.split("## ").find((s) => s.startsWith("Heat-maps (notebook 04): does |gap| shrink"))!;
    // 2 widths × 2 budgets: 2! arrangements within each of 2 strata, all 4 enumerated.
    expect(claim).toContain("(all 4 arrangements)");
    const claimRows = claim.trim().split("\n").filter((l) => l.startsWith("| MSE"));
    expect(claimRows).toHaveLength(2);
    const p = String.raw`(0\.\d+|1|< 0\.001)`;
    const axis = String.raw`-?[\d.e-]+ \| ${p} \| (-?\d+\.\d\d|—) \[(-?\d+\.\d\d|—), (-?\d+\.\d\d|—)\]`;
    expect(claimRows[0]).toMatch(
      new RegExp(String.raw`^\| MSE \| best_val \| 2 \| ${axis} \| ${axis} \| (yes|no) \|$`),
    );
    expect(claimRows[1]).toMatch(
      new RegExp(String.raw`^\| MSE \| last_epoch \| 2 \| ${axis} \| ${axis} \| (yes|no) \|$`),
    );
    expectDisplayRule(markdown);
    // The accuracy table, from the largest-width, longest-budget runs: mean ± sd, TOST and Holm p against CE.
    const corner = runs.filter((r) => r.config.width === 8 && r.config.epochs === 2);
    const table = summaryMarkdown(reproductionReport("smoke", { accuracy_table: corner }));
    expect(table).toContain("[accuracy_table.tex](accuracy_table.tex)");
    expect(table).toMatch(
      /^\| CE \| 2 \| \d+\.\d\d ± \d+\.\d\d \| — \| — \| — \| \d+\.\d\d ± \d+\.\d\d \| — \| — \| — \|$/m,
    );
    expect(table).toMatch(
      /^\| MSE \| 2 \| \d+\.\d\d ± \d+\.\d\d \| (yes|no) \| \d+\.\d\d \| (0\.\d+|1|< 0\.001) \| \d+\.\d\d ± \d+\.\d\d \| (yes|no) \|/m,
    );
    expect(table).toContain("biased upward");
    expect(table).toMatch(
      /one-way ANOVA F = [\d.e-]+, p = (0\.\d+|1|< 0\.001): (no spread detected beyond|larger than) seed noise/,
    );
    // The paired comparisons: MSE against CE at the best-validation and the last epoch, and the one pair.
    expect(table).toContain("Equivalence to CE within ±0.5 points");
    expect(table).toMatch(/^\| MSE \| best_val \| 2 \| \S+ \| \[\S+, \S+\] \| [^|]+ \| (yes|no) \| \S+ \|$/m);
    expect(table).toMatch(/^\| MSE \| last_epoch \| 2 \|/m);
    expect(table).toMatch(/^\| CE − MSE \| best_val \| 2 \|/m);
    expectDisplayRule(table);
  },
  60_000,
);

test("SUMMARY.md gives the UFM studies' numbers: optimised against predicted per loss, landscape outcomes", () => {
  const studies = ufmStudies(UFM_PRESETS.smoke);
  const markdown = summaryMarkdown(reproductionReport("smoke", {}, { ufm: studies }));
  const section = (title: string) => markdown.split("## ").find((s) => s.startsWith(title))!;
  const rows = (text: string) => tables(text)[0].rows;
  const minimizers = rows(section("UFM global minimizers"));
  expect(minimizers.map((r) => `${r[0]} ${r[1]}`)).toEqual(
    ["CE", "LS", "FL", "MSE"].flatMap((l) => [`${l} objective f(W, H, b)`, `${l} mean ‖w_k‖²`]),
  );
  for (const [i, r] of studies.minimizers.entries()) {
    const [objective, norm] = [minimizers[2 * i], minimizers[2 * i + 1]];
    // Optimised and predicted to the 6 digits printed; the relative error with two significant digits.
    expect(Number(objective[2])).toBeCloseTo(r.objective, 5);
    expect(Number(objective[3])).toBeCloseTo(r.theory.objective, 5);
    expect(Number(norm[2])).toBeCloseTo(r.wNormSq, 3);
    expect(Number(norm[3])).toBeCloseTo(r.theory.wNormSq, 3);
    expect(Math.abs(Number(norm[4]))).toBeLessThan(1e-6);
    expect(norm[4]).toMatch(/^-?\d\.\de-\d+$|^0$/);
  }
  const landscape = rows(section("UFM landscape"));
  const reachedRuns = landscape.reduce((a, r) => a + Number(r[4]), 0);
  const allRuns = landscape.reduce((a, r) => a + Number(r[3]), 0);
  expect(allRuns).toBe(studies.landscape.length);
  // Counted independently: a run reached the optimum when its gap and NC1–NC3 are at the optimum's.
  const counted = studies.landscape.filter((r) => Math.abs(r.gap) <= 1e-8 && Math.max(r.nc1, r.nc2, r.nc3) <= 1e-3);
  expect(reachedRuns).toBe(counted.length);
  for (const r of landscape) expect(r[5]).toBe(`${Math.round((100 * Number(r[4])) / Number(r[3]))}`);
  for (
    const name of [
      "ufm_nc_history",
      "ufm_wnorm_vs_lambda",
      "ufm_landscape_gaps",
    ]
  ) {
    expect(markdown).toContain(`${name}.svg`);
  }
  expect(markdown).not.toContain("optimised_vs_predicted");
  expectDisplayRule(markdown);
}, 60_000);

test("the committed SUMMARY.md names every figure in figures/", () => {
  const dir = join(dirname(fileURLToPath(import.meta.url)), "../../figures");
  const summary = readFileSync(join(dir, "SUMMARY.md"), "utf8");
  const svgs = readdirSync(dir).filter((f) => f.endsWith(".svg"));
  expect(svgs.length).toBeGreaterThan(10);
  expect(svgs.filter((f) => !summary.includes(`(${f})`))).toEqual([]);
});
