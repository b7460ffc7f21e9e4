import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Report } from "../../lib/report/report.ts";
import {
  README_RESULTS_BEGIN,
  README_RESULTS_END,
  readmeResults,
  replaceReadmeResults,
} from "../../lib/report/readme_results.ts";
import { formatPValue } from "../../lib/report/number_format.ts";

const ROOT = resolve(import.meta.dirname!, "..", "..");
const summary = (): Report => JSON.parse(readFileSync(resolve(ROOT, "figures", "summary.json"), "utf8"));

describe("the README's results", () => {
  test("are the block rendered from the committed figures/summary.json, word for word", () => {
    const readme = readFileSync(resolve(ROOT, "README.md"), "utf8");
    const begin = readme.indexOf(README_RESULTS_BEGIN), end = readme.indexOf(README_RESULTS_END);
    expect(begin).toBeGreaterThan(0);
    expect(readme.slice(begin, end + README_RESULTS_END.length)).toBe(readmeResults(summary()));
  });

  test("follow the numbers: a changed accuracy or a test outcome changes the text", () => {
    const report = summary();
    const before = readmeResults(report);
    const changed = structuredClone(report);
    changed.accuracy_table.ce.final_mean += 0.5;
    expect(readmeResults(changed)).not.toBe(before);
    const flipped = structuredClone(report);
    for (const e of Object.values(flipped.accuracy_comparisons!.final_epoch.equivalence_to_ce)) e.equivalent = false;
    expect(readmeResults(flipped)).toMatch(/No loss is shown equivalent to CE within ±0\.5 points/);
    const none = structuredClone(report);
    for (const acc of ["best_val", "final_epoch"] as const) {
      for (const c of Object.values(none.heatmaps.claim[acc] ?? {})) if (c) c.holds = false;
    }
    expect(readmeResults(none)).toMatch(/holds for no loss/);
  });

  test("every number of the block is one the summary holds, to its displayed precision", () => {
    // Spot checks against the summary itself, not against typed values.
    const report = summary();
    const text = readmeResults(report);
    for (const [loss, row] of Object.entries(report.accuracy_table)) {
      expect(text).toContain(`${loss.toUpperCase()} ${row.final_mean.toFixed(2)} ± ${row.final_sd.toFixed(2)}`);
    }
    const met = report.collapse.runs.filter((r) => r.targets_met).length;
    expect(text).toContain(`${met} of the ${report.collapse.runs.length} runs meet every target`);
    // p-values by the display rule (two significant digits), as in SUMMARY.md.
    const held = Object.values(report.heatmaps.claim.best_val ?? {}).filter((c) => c?.holds);
    expect(held.length).toBeGreaterThan(0);
    for (const c of held) {
      expect(text).toContain(`p = ${formatPValue(c!.width.p_shrinks)} with width`);
      expect(text).toContain(`p = ${formatPValue(c!.epochs.p_shrinks)} with budget`);
    }
  });

  test("replacing the block keeps the rest of the README and refuses a README without markers", () => {
    const readme = `a\n${README_RESULTS_BEGIN}\n- old\n${README_RESULTS_END}\nb`;
    expect(replaceReadmeResults(readme, `${README_RESULTS_BEGIN}\n- new\n${README_RESULTS_END}`))
      .toBe(`a\n${README_RESULTS_BEGIN}\n- new\n${README_RESULTS_END}\nb`);
    expect(() => replaceReadmeResults("no markers", "x")).toThrow(/README\.md: no results block/);
  });
});
