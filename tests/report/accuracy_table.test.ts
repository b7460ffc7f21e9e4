import { expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AccuracyReport } from "../../lib/report/accuracy_report.ts";
import {
  accuracyTableFrame,
  accuracyTableLatex,
  accuracyTableMarkdown,
  accuracyTableRows,
} from "../../lib/report/accuracy_table.ts";

const setting = { dataset: "fashion_mnist", model: "mlp", width: 256, epochs: 1400, seeds: 3 };
const equivalence = (mean: number, margin: number, equivalent: boolean) => ({
  seeds: 3,
  mean_difference: mean,
  interval: [mean - margin / 2, mean + margin / 2] as [number, number],
  p: equivalent ? 0.03 : 0.4,
  equivalent,
  smallest_margin: margin,
});
const pair = (loss: string, other: string, p_holm: number) => ({
  loss,
  other,
  seeds: 3,
  mean_difference: 0.1,
  interval: [-1, 1] as [number, number],
  p: p_holm / 2,
  p_holm,
});
/** A report of four losses, three seeds: LS not shown equivalent, FL and MSE equivalent at the last epoch. */
const report: AccuracyReport = {
  accuracy_table: {
    ce: { ...setting, mean: 81.86233, sd: 0.4601, final_mean: 81.5567, final_sd: 0.2801 },
    ls: { ...setting, mean: 82.54, sd: 0.19, final_mean: 82.0633, final_sd: 0.3201 },
    fl: { ...setting, mean: 82.0201, sd: 0.31, final_mean: 81.58, final_sd: 0.26 },
    mse: { ...setting, mean: 82.15, sd: 0.26, final_mean: 81.7, final_sd: 0.26 },
  },
  accuracy_spread: { F: 2.5, p: 0.133, range: 0.68, seed_sd: 0.32, within_seed_noise: true },
  accuracy_comparisons: {
    margin: 0.5,
    equivalence_interval_level: 0.9,
    pair_interval_level: 1 - 0.05 / 6,
    best_val: {
      equivalence_to_ce: {
        ls: equivalence(-0.68, 1.78, false),
        fl: equivalence(-0.16, 0.9, false),
        mse: equivalence(-0.3, 1.28, false),
      },
      pairs: [
        pair("ce", "ls", 0.837),
        pair("ce", "fl", 1),
        pair("ce", "mse", 1),
        pair("ls", "fl", 0.8),
        pair("ls", "mse", 0.8),
        pair("fl", "mse", 1),
      ],
    },
    final_epoch: {
      equivalence_to_ce: {
        ls: equivalence(-0.51, 1.12, false),
        fl: equivalence(-0.02, 0.38, true),
        mse: equivalence(-0.14, 0.35, true),
      },
      pairs: [
        pair("ce", "ls", 0.62),
        pair("ce", "fl", 0.0004),
        pair("ce", "mse", 0.62),
        pair("ls", "fl", 0.2),
        pair("ls", "mse", 0.6),
        pair("fl", "mse", 0.6),
      ],
    },
  },
};

test("the accuracy table's rows: each loss against CE, the Holm p of the pair with CE", () => {
  const rows = accuracyTableRows(report);
  expect(rows.map((r) => r.loss)).toEqual(["ce", "ls", "fl", "mse"]);
  expect(rows[0].best_val).toEqual({
    mean: 81.86233,
    sd: 0.4601,
    equivalent: null,
    smallest_margin: null,
    p_holm: null,
  });
  expect(rows[2].last_epoch).toEqual({
    mean: 81.58,
    sd: 0.26,
    equivalent: true,
    smallest_margin: 0.38,
    p_holm: 0.0004,
  });
  const frame = accuracyTableFrame(report);
  expect(frame.columns).toEqual([
    "loss",
    "seeds",
    "best_val_mean",
    "best_val_sd",
    "best_val_equivalent",
    "best_val_smallest_margin",
    "best_val_p_holm",
    "last_epoch_mean",
    "last_epoch_sd",
    "last_epoch_equivalent",
    "last_epoch_smallest_margin",
    "last_epoch_p_holm",
  ]);
  expect(frame.getColumn("loss").toArray()).toEqual(["CE", "LS", "FL", "MSE"]);
});

test("the markdown table: mean ± sd with two decimals, yes/no, margins in points, p by its rule", () => {
  const lines = accuracyTableMarkdown(report).split("\n");
  expect(lines).toHaveLength(6);
  expect(lines[2]).toBe("| CE | 3 | 81.86 ± 0.46 | — | — | — | 81.56 ± 0.28 | — | — | — |");
  expect(lines[4]).toBe("| FL | 3 | 82.02 ± 0.31 | no | 0.90 | 1 | 81.58 ± 0.26 | yes | 0.38 | < 0.001 |");
});

/** The cells of a LaTeX table row (split at unescaped &, the row's \\ removed). */
const cellsOf = (row: string) => row.replace(/\\\\\s*$/, "").split(/(?<!\\)&/).map((c) => c.trim());

test("the LaTeX table is a booktabs tabular whose every row has the declared columns", () => {
  const tex = accuracyTableLatex(report);
  const lines = tex.split("\n");
  const at = (command: string) => lines.findIndex((l) => l.trim() === command);
  const [top, mid, bottom] = ["\\toprule", "\\midrule", "\\bottomrule"].map(at);
  expect(top).toBeGreaterThan(0);
  expect(mid).toBeGreaterThan(top);
  expect(bottom).toBeGreaterThan(mid);
  expect(lines.filter((l) => /\\(top|mid|bottom)rule/.test(l))).toHaveLength(3);
  expect(tex).not.toMatch(/\\hline/);
  // Environments open and close in order; braces balance outside escapes.
  const environments = [...tex.matchAll(/\\(begin|end)\{(\w+)\}/g)].map((m) => `${m[1]} ${m[2]}`);
  expect(environments).toEqual(["begin table", "begin tabular", "end tabular", "end table"]);
  const braces = tex.replace(/\\[{}]/g, "").split("").reduce((depth, c) => {
    const next = depth + (c === "{" ? 1 : c === "}" ? -1 : 0);
    expect(next).toBeGreaterThanOrEqual(0);
    return next;
  }, 0);
  expect(braces).toBe(0);
  // Every row has as many cells as the column specification; \multicolumn spans count.
  const spec = /\\begin\{tabular\}\{([lrc]+)\}/.exec(tex)![1];
  const body = lines.slice(top + 1, bottom).filter((l) => l.trim().endsWith("\\\\"));
  for (const row of body) {
    const width = cellsOf(row).reduce((a, c) => a + Number(/\\multicolumn\{(\d+)\}/.exec(c)?.[1] ?? 1), 0);
    expect(width, row).toBe(spec.length);
  }
  const rows = lines.slice(mid + 1, bottom).map(cellsOf);
  expect(rows.map((r) => r[0])).toEqual(["CE", "LS", "FL", "MSE"]);
  expect(rows[0]).toEqual(["CE", "3", "$81.86 \\pm 0.46$", "--", "--", "--", "$81.56 \\pm 0.28$", "--", "--", "--"]);
  expect(rows[2]).toEqual([
    "FL",
    "3",
    "$82.02 \\pm 0.31$",
    "no",
    "0.90",
    "1",
    "$81.58 \\pm 0.26$",
    "yes",
    "0.38",
    "$<0.001$",
  ]);
  // Text outside math is escaped (the dataset's underscore), the caption says why the accuracies differ.
  expect(tex).toContain("fashion\\_mnist");
  expect(tex).toMatch(/\\caption\{[^\n]*best of 1400 validation evaluations, which biases its accuracy upward/);
  expect(tex).toContain("\\label{tab:accuracy}");
  expect(accuracyTableLatex({ accuracy_table: {}, accuracy_spread: null, accuracy_comparisons: null })).toBe("");
  // Where TeX is installed, the snippet also compiles in a minimal document (TeX is not a dependency).
  if (hasPdflatex()) compile(tex);
});

function hasPdflatex(): boolean {
  try {
    execFileSync("pdflatex", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function compile(tex: string): void {
  const dir = mkdtempSync(join(tmpdir(), "nc-latex-"));
  writeFileSync(join(dir, "accuracy_table.tex"), tex);
  writeFileSync(
    join(dir, "main.tex"),
    "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n\\input{accuracy_table}\n\\end{document}\n",
  );
  execFileSync("pdflatex", ["-interaction=nonstopmode", "-halt-on-error", "main.tex"], { cwd: dir, stdio: "ignore" });
}
