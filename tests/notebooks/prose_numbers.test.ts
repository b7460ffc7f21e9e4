import { describe, expect, test } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { FIGURE_NAMES, FIGURE_PRESET_NAMES, figureGrid } from "../../lib/experiments/figure_presets.ts";
import { UFM_PRESETS } from "../../lib/experiments/presets.ts";
import { REACHED_GAP, REACHED_NC } from "../../lib/experiments/ufm_studies.ts";
import { COLLAPSE_TARGETS } from "../../lib/report/dynamics_report.ts";
import { expandGrid } from "../../lib/experiments/sweep.ts";
import { milestones } from "../../lib/training/schedule.ts";
import { LOSSES } from "../../lib/core/loss_registry.ts";

// Numbers in a notebook's own markdown (the cells a person wrote, not the outputs the code displays)
// are set-up, never results: results are written by code cells from the stored runs (markdown
// displays), so they cannot drift from the tables. This test holds the written cells to that: every
// number in them must be one of the configuration's (a grid's values, its learning-rate decays, its
// run count, the UFM sizes, the losses' parameters), a small count, or a fact listed below with the
// reason it is not a result.

const NOTEBOOKS = resolve(import.meta.dirname!, "..", "..", "notebooks");

/** Facts quoted in prose that are neither configuration nor results, with why. */
const FACTS: Record<string, readonly number[]> = {
  // L-BFGS's stopping tolerance on the gradient (lib/core/ufm.ts's default).
  "01_ufm_global_minimizers.ipynb": [1e-10],
  // Years of the works cited for the NC metrics' variants.
  "03_nc_dynamics.ipynb": [2020, 2021],
  // Rejection level and interval coverage of the stated tests (percent and fractions).
  "04_width_epochs_heatmaps.ipynb": [0.05, 90, 95, 9999],
  "05_accuracy_table.ipynb": [0.05, 90, 95],
};

function collectNumbers(value: unknown, into: Set<number>): void {
  if (typeof value === "number") into.add(value);
  else if (Array.isArray(value)) { for (const v of value) collectNumbers(v, into); }
  else if (value && typeof value === "object") { for (const v of Object.values(value)) collectNumbers(v, into); }
}

/** Every number of the configuration: grids of every figure and preset, their derived counts, UFM sizes. */
function configurationNumbers(): Set<number> {
  const numbers = new Set<number>();
  for (const figure of FIGURE_NAMES) {
    for (const preset of FIGURE_PRESET_NAMES) {
      const grid = figureGrid(figure, preset);
      const configs = expandGrid(grid);
      collectNumbers(configs, numbers);
      numbers.add(configs.length);
      for (const epochs of grid.epochs) for (const m of milestones(epochs)) numbers.add(m);
      for (const c of configs) {
        if (c.perClass) numbers.add(c.perClass * 10); // training images of a 10-class dataset
      }
    }
  }
  collectNumbers(UFM_PRESETS, numbers);
  numbers.add(REACHED_GAP).add(REACHED_NC);
  collectNumbers(COLLAPSE_TARGETS, numbers);
  collectNumbers(LOSSES.map((l) => l.parameter?.default ?? 0), numbers);
  return numbers;
}

/** The numbers of a markdown text outside code spans, "1,400" as 1400, "2e-3" as 0.002. */
export function proseNumbers(markdown: string): { text: string; value: number }[] {
  const plain = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`]*`/g, "")
    .replace(/\]\([^)]*\)/g, "]") // link targets
    .replace(/(?:NC|§|docs\/method\.md )[\d.]+|\b\d\d_\w+|\bK\s*[−-]\s*1\b/g, ""); // names, not quantities
  const found: { text: string; value: number }[] = [];
  for (
    const m of plain.matchAll(
      /(?<![\w.\/-])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.\/-])\d+(?:\.\d+)?(?:e-?\d+)?(?![\w])/g,
    )
  ) {
    found.push({ text: m[0], value: Number(m[0].replaceAll(",", "")) });
  }
  return found;
}

describe("numbers in the notebooks' written markdown", () => {
  const allowed = configurationNumbers();
  const isAllowed = (v: number, facts: readonly number[]) =>
    (Number.isInteger(v) && v >= 0 && v <= 10) ||
    [...allowed, ...facts].some((a) => Math.abs(a - v) <= 1e-12 * Math.max(1, Math.abs(a)));

  test("the parser reads grouped thousands, exponents and decimals, and skips names and code", () => {
    expect(proseNumbers("after epochs 600 and 1,400 at lr 0.1, wd 2e-3; `x = 77`, NC1 and §7, [a](b_3.md)"))
      .toEqual([{ text: "600", value: 600 }, { text: "1,400", value: 1400 }, { text: "0.1", value: 0.1 }, {
        text: "2e-3",
        value: 0.002,
      }]);
  });

  test("a result typed into prose is caught", () => {
    const typed = proseNumbers("CE reaches 81.56 % and NC1 falls 548×").filter((n) => !isAllowed(n.value, []));
    expect(typed.map((n) => n.text)).toEqual(["81.56", "548"]);
  });

  test.each(readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb")).sort())(
    "%s: every number in a markdown cell is configuration, not a result",
    (file) => {
      const notebook = JSON.parse(readFileSync(join(NOTEBOOKS, file), "utf8"));
      const offending = notebook.cells
        .filter((c: { cell_type: string }) => c.cell_type === "markdown")
        .flatMap((c: { source: string[] }) => proseNumbers(c.source.join("")))
        .filter((n: { value: number }) => !isAllowed(n.value, FACTS[file] ?? []))
        .map((n: { text: string }) => n.text);
      if (offending.length) console.error(file, offending.join(" "));
      expect(offending, "render results from the stored runs in a code cell (markdown display) instead").toEqual([]);
    },
  );
});
