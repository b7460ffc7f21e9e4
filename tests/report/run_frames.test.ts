import { expect, test } from "vitest";
import pl from "nodejs-polars";
import {
  accuracyTable,
  hyperparameterTable,
  layerCollapseTable,
  meanOverSeeds,
  metricRows,
  metricsFrame,
} from "../../lib/report/run_frames.ts";
import { accuracyGaps, collapseCells, lossVariance } from "../../lib/report/heatmap_frames.ts";
import type { RunRecord } from "../../lib/training/run.ts";

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

test("collapseCells: training accuracy mean and lowest seed, NC1 and its drop as geometric means over seeds", () => {
  const frame = summary.withColumns(
    pl.Series("final_train_accuracy", [100, 98, 100, 100, 100, 100, 100, 100]),
    pl.Series("nc1", [0.01, 0.04, 1, 1, 1, 1, 1, 1]),
    pl.Series("nc1_drop", [10, 1000, 1, 1, 1, 1, 1, 1]),
  );
  const ce = collapseCells(frame).toRecords().find((r) => r.loss === "ce" && r.width === 64)!;
  expect(ce).toMatchObject({ train_accuracy: 99, train_accuracy_min: 98, nc1_min: 0.01, nc1_max: 0.04, seeds: 2 });
  expect(ce.nc1).toBeCloseTo(0.02, 12); // √(0.01 · 0.04)
  expect(ce.nc1_drop).toBeCloseTo(100, 9); // √(10 · 1000)
});

test("accuracyTable prints mean ± sd per dataset and loss", () => {
  const rows = accuracyTable(summary.filter(pl.col("width").eq(256))).toRecords();
  expect(rows.map((r) => [r.loss, r.accuracy])).toEqual([["ce", "89.00 ± 1.41"], ["mse", "89.00 ± 0.00"]]);
  // Another column: the last epoch's accuracy.
  const final = summary.withColumns(pl.col("test_accuracy").plus(1).alias("final_test_accuracy"));
  const last = accuracyTable(final.filter(pl.col("width").eq(256)), "final_test_accuracy").toRecords();
  expect(last.map((r) => r.accuracy)).toEqual(["90.00 ± 1.41", "90.00 ± 0.00"]);
});

test("hyperparameterTable gives mean and sd over seeds per loss and value, in the loss order", () => {
  const frame = pl.DataFrame({
    loss: ["fl", "fl", "ls", "ls"],
    loss_label: ["FL", "FL", "LS", "LS"],
    loss_param: [3, 3, 0.1, 0.1],
    seed: [0, 1, 0, 1],
    test_accuracy: [80, 82, 81, 81],
    nc1: [0.1, 0.3, 0.2, 0.2],
    nc2: [0.5, 0.5, 0.4, 0.4],
    nc3: [0.6, 0.6, 0.3, 0.3],
  });
  const rows = hyperparameterTable(frame).toRecords();
  expect(rows.map((r) => [r.loss, r.seeds, r.test_accuracy_mean])).toEqual([["ls", 2, 81], ["fl", 2, 81]]);
  expect(rows[1].test_accuracy_sd).toBeCloseTo(Math.SQRT2, 12);
  expect(rows[1].nc1_mean).toBeCloseTo(0.2, 12);
});

test("layerCollapseTable takes each layer's first and last evaluation", () => {
  const layers = pl.DataFrame({
    loss: ["ce", "ce", "ce", "ce"],
    loss_label: ["CE", "CE", "CE", "CE"],
    seed: [1, 1, 1, 1],
    depth: [2, 1, 2, 1],
    layer: ["layer 2", "layer 1", "layer 2", "layer 1"],
    epoch: [10, 10, 1, 1],
    nc1: [0.01, 0.5, 1, 2],
    nc2Means: [0.1, 0.4, 0.6, 0.7],
  });
  const rows = layerCollapseTable(layers).toRecords();
  expect(rows.map((r) => [r.layer, r.nc1_first, r.nc1_last, r.nc2_means_last])).toEqual([
    ["layer 1", 2, 0.5, 0.4],
    ["layer 2", 1, 0.01, 0.1],
  ]);
  expect(rows[1].nc1_drop).toBeCloseTo(100, 10);
});

test("rows recorded before GNC2, UNC3 and NC5 existed read with those metrics null, beside rows that have them", () => {
  const record = (id: string, row: Record<string, number | null>) =>
    ({
      id,
      dir: id,
      config: { dataset: "synthetic", model: "mlp", width: 8, epochs: 1, seed: 0, loss: { name: "ce" } },
      status: { state: "done" },
      rows: [{ epoch: 1, nc1: 0.5, trainAccuracy: 1, valAccuracy: 1, testAccuracy: 1, trainStepAccuracy: 1, ...row }],
    }) as unknown as RunRecord;
  const older = record("older", {});
  const newer = record("newer", { gnc2Log: 0.1, gnc2Distance: 0.2, unc3: 0.3, nc5: null, nccMismatch: 0 });
  const [old] = metricRows([older]);
  for (const key of ["gnc2Log", "gnc2Distance", "unc3", "nc5", "nccMismatch"] as const) {
    expect(old[key], key).toBeNull();
  }
  const frame = metricsFrame([older, newer]);
  expect(frame.getColumn("unc3").toArray()).toEqual([null, 0.3]);
  expect(frame.getColumn("nc5").toArray()).toEqual([null, null]);
});
