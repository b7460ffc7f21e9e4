import { describe, expect, test } from "vitest";
import {
  columnRule,
  formatAccuracy,
  formatColumn,
  formatMetricColumn,
  formatPValue,
} from "../../lib/report/number_format.ts";

describe("the display rule of numbers", () => {
  test("accuracies: one decimal in figures, two in tables, never three", () => {
    expect(formatAccuracy(81.87, "figure")).toBe("81.9");
    expect(formatAccuracy(81.87)).toBe("81.87");
    expect(formatAccuracy(100)).toBe("100.00");
    expect(formatAccuracy(Number.NaN)).toBe("—");
  });

  test("NC metrics: two significant digits, one notation a column", () => {
    // The column that showed "0.003" beside "8.70e-4": one notation now.
    expect(formatMetricColumn([0.003, 0.00087])).toEqual(["3.0e-3", "8.7e-4"]);
    expect(formatMetricColumn([0.21, 0.0656, 0.233])).toEqual(["0.21", "0.066", "0.23"]);
    expect(formatMetricColumn([325.321, 81.87])).toEqual(["330", "82"]);
    expect(formatMetricColumn([71.6, 0.07])).toEqual(["72", "0.070"]);
    for (const text of formatMetricColumn([71.6, 0.21, 325.321])) expect(text).not.toMatch(/\.\d*0$|\d{4,}\./);
  });

  test("p-values: two significant digits, '< 0.001' below 0.001, 1 as 1", () => {
    expect([0.8815, 0.0216, 0.004123, 0.0004, 1, 0.9999, Number.NaN].map(formatPValue)).toEqual([
      "0.88",
      "0.022",
      "0.0041",
      "< 0.001",
      "1",
      "1",
      "—",
    ]);
  });

  test("columns follow the rule their name says", () => {
    const cases: [string, string][] = [
      ["test_acc_best_val", "accuracy"],
      ["final_test_accuracy", "accuracy"],
      ["gap_sd", "accuracy"],
      ["smallest_margin", "accuracy"],
      ["nc1", "metric"],
      ["nc1_sd", "metric"],
      ["max_nc123", "metric"],
      ["nc4_predicted", "metric"],
      ["p", "p"],
      ["p_holm", "p"],
      ["p_one_sided_width", "p"],
      ["best_val_p_holm", "p"],
      ["loss_param", "exact"],
      ["optimised", "precise"],
      ["w_norm_sq_predicted", "precise"],
      ["w_norm_sq_rel_error", "metric"],
      ["relative_error", "metric"],
      ["min_gap", "metric"],
      ["lambda", "exact"],
      ["rho_width", "metric"],
      ["variance", "metric"],
    ];
    expect(cases.map(([name]) => [name, columnRule(name)])).toEqual(cases);
  });

  test("a column of integers is printed exactly; settings as given", () => {
    expect(formatColumn([16, 64, 256], "metric")).toEqual(["16", "64", "256"]);
    expect(formatColumn([0.05, 0.1, 0.4], "exact")).toEqual(["0.05", "0.1", "0.4"]);
    expect(formatColumn([35.71810004, 35.718100001], "precise")).toEqual(["35.7181", "35.7181"]);
    expect(formatColumn([0.0216, null], "p")).toEqual(["0.022", "—"]);
  });
});
