import { expect, test } from "vitest";
import pl from "nodejs-polars";
import { accuracyGaps, accuracyTable, lossVariance, meanOverSeeds } from "../../lib/present/run_frames.ts";

/** A hand-made summary frame: two widths, one budget, CE and MSE, two seeds each. */
const summary = pl.DataFrame({
  dataset: Array(8).fill("fashion-mnist"),
  model: Array(8).fill("mlp"),
  loss: ["ce", "ce", "mse", "mse", "ce", "ce", "mse", "mse"],
  loss_label: ["CE", "CE", "MSE", "MSE", "CE", "CE", "MSE", "MSE"],
  width: [64, 64, 64, 64, 256, 256, 256, 256],
  epochs: Array(8).fill(20),
  seed: [0, 1, 0, 1, 0, 1, 0, 1],
  test_accuracy: [80, 82, 76, 78, 88, 90, 89, 89],
});

test("meanOverSeeds gives the mean, sample sd and seed count per loss, width and budget", () => {
  const rows = meanOverSeeds(summary).toRecords();
  expect(rows.find((r) => r.loss === "ce" && r.width === 64)).toMatchObject({ mean: 81, seeds: 2 });
  expect(rows.find((r) => r.loss === "ce" && r.width === 64)!.sd).toBeCloseTo(Math.SQRT2, 12);
});

test("accuracyGaps is |mean Acc_CE − mean Acc_X| per cell", () => {
  const rows = accuracyGaps(summary).toRecords();
  expect(rows.map((r) => [r.loss, r.width, r.gap])).toEqual([["mse", 64, 4], ["mse", 256, 0]]);
});

test("lossVariance is the population variance over every loss and seed of a cell", () => {
  const rows = lossVariance(summary).toRecords();
  // Width 64: values 80, 82, 76, 78, mean 79, squared deviations 1, 9, 9, 1 → 20 / 4.
  expect(rows.find((r) => r.width === 64)!.variance).toBeCloseTo(5, 12);
  expect(rows.find((r) => r.width === 256)!.variance).toBeCloseTo(0.5, 12);
});

test("accuracyTable prints mean ± sd per dataset and loss", () => {
  const rows = accuracyTable(summary.filter(pl.col("width").eq(256))).toRecords();
  expect(rows.map((r) => [r.loss, r.accuracy])).toEqual([["ce", "89.00 ± 1.41"], ["mse", "89.00 ± 0.00"]]);
});
