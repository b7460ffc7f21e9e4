import { expect, test } from "vitest";
import pl from "nodejs-polars";
import { keyNumbers, roundedFrame } from "../../lib/notebook/display.ts";

const DISPLAY = Symbol.for("Jupyter.display");
const shown = (value: unknown) => (value as Record<symbol, () => Record<string, string>>)[DISPLAY]();

test("roundedFrame formats each column by the display rule of its name", () => {
  const frame = pl.DataFrame({
    loss: ["ce", "ls"],
    seeds: [3, 3],
    test_accuracy: [81.86666, 82.5],
    nc1: [0.003, 0.00087],
    nc2: [0.21, 0.0656],
    p_holm: [0.8815, 0.0004],
    w_norm_sq_predicted: [35.71810004, 26.553812],
    loss_param: [0.05, 0.1],
    within_margin: [true, false],
  });
  const rows = roundedFrame(frame).toRecords();
  expect(rows).toEqual([
    {
      loss: "CE",
      seeds: "3",
      test_accuracy: "81.87",
      nc1: "3.0e-3",
      nc2: "0.21",
      p_holm: "0.88",
      w_norm_sq_predicted: "35.7181",
      loss_param: "0.05",
      within_margin: "yes",
    },
    {
      loss: "LS",
      seeds: "3",
      test_accuracy: "82.50",
      nc1: "8.7e-4",
      nc2: "0.066",
      p_holm: "< 0.001",
      w_norm_sq_predicted: "26.5538",
      loss_param: "0.1",
      within_margin: "no",
    },
  ]);
});

test("roundedFrame: snake_case names, loss labels, one loss column, rules where a name does not say", () => {
  const frame = pl.DataFrame({
    loss: ["mse"],
    loss_label: ["MSE"],
    other: ["fl"],
    trainAccuracy: [99.991],
    score: [0.123456],
  });
  const shown = roundedFrame(frame, { rules: { score: "accuracy" } });
  expect(shown.columns).toEqual(["loss", "other", "train_accuracy", "score"]);
  expect(shown.row(0)).toEqual(["MSE", "FL", "99.99", "0.12"]);
  expect(roundedFrame(pl.DataFrame({ loss_label: ["LS"] })).columns).toEqual(["loss"]);
});

test("roundedFrame never shows more than 20 rows; a longer table says where the rest is", () => {
  const frame = pl.DataFrame({ epoch: Array.from({ length: 36 }, (_, i) => i + 1), nc1: Array(36).fill(0.5) });
  const cut = roundedFrame(frame, { fullTable: "figures/heatmap_gaps.csv" });
  expect(cut.height).toBe(20);
  const bundle = shown(cut);
  expect(bundle["text/html"]).toContain("First 20 of 36 rows; all rows: figures/heatmap_gaps.csv.");
  expect(bundle["text/plain"]).toContain("First 20 of 36 rows");
  expect(roundedFrame(frame, { maxRows: 40 }).height).toBe(36);
  expect(JSON.stringify(shown(roundedFrame(frame.head(5))))).not.toContain("First ");
});

test("keyNumbers: snake_case keys, each value by its key's rule", () => {
  const bundle = shown(
    keyNumbers({ K: 10, maxNc1: 2.442e-16, p: 0.17694, rangeOfLossMeans: 0.50666, runs: 340, lambda: 5e-4 }),
  );
  expect(bundle["text/plain"].split("\n")).toEqual([
    "K                    10",
    "max_nc1              2.4e-16",
    "p                    0.18",
    "range_of_loss_means  0.51",
    "runs                 340",
    "lambda               5e-4",
  ]);
});
