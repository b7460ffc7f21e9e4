import { expect, test } from "vitest";
import pl from "nodejs-polars";
import { createRng } from "../../lib/core/random.ts";
import { holm, pairedDifferenceInterval, pairedEquivalence, sampleSd } from "../../lib/core/statistics.ts";
import {
  equivalenceFrame,
  equivalenceToCe,
  pairwiseDifferences,
  pairwiseDifferencesFrame,
} from "../../lib/report/accuracy_comparisons.ts";
import { lossSpread } from "../../lib/report/claims.ts";

/**
 * Five seeds of CE and the losses at width 256 × 40 epochs (and a smaller cell): each seed shifts
 * every loss's accuracy alike by up to ±3 points (shared initialisation and data order), each loss
 * sits `offset[loss]` below CE, and each run adds its own noise of sd `noise[loss]`.
 */
function table(offset: Record<string, number>, noise: Record<string, number>, seed = 1) {
  const rng = createRng(seed);
  const rows: Record<string, unknown>[] = [];
  for (const [width, epochs] of [[64, 10], [256, 40]]) {
    for (const s of [0, 1, 2, 3, 4]) {
      const shared = 82 + 3 * rng.normal();
      for (const loss of ["ce", ...Object.keys(offset)]) {
        const accuracy = shared - (offset[loss] ?? 0) + (noise[loss] ?? 0.05) * rng.normal();
        rows.push({ loss, width, epochs, seed: s, test_accuracy: accuracy, final_test_accuracy: accuracy - 0.3 });
      }
    }
  }
  return pl.DataFrame(rows);
}

/** Acc_a,s − Acc_b,s at a cell, computed here from the frame's rows. */
function differences(frame: pl.DataFrame, a: string, b: string, width = 256, epochs = 40, column = "test_accuracy") {
  const rows = frame.toRecords().filter((r) => r.width === width && r.epochs === epochs);
  const at = (loss: string, seed: number) => rows.find((r) => r.loss === loss && r.seed === seed)![column] as number;
  return [0, 1, 2, 3, 4].map((s) => at(a, s) - at(b, s));
}

test("equivalenceToCe pairs the seeds: a loss 0.1 points below CE is equivalent despite seeds 3 points apart", () => {
  const frame = table({ ls: 0.1, mse: 2 }, {});
  const [ls, mse] = equivalenceToCe(frame);
  expect([ls.loss, ls.width, ls.epochs, ls.column, ls.n]).toEqual(["ls", 256, 40, "test_accuracy", 5]);
  expect(ls).toMatchObject(pairedEquivalence(differences(frame, "ce", "ls"), { margin: 0.5 }));
  expect(ls.equivalent).toBe(true);
  expect(ls.smallestMargin).toBeLessThan(0.3);
  expect(mse.equivalent).toBe(false);
  expect(mse.mean).toBeCloseTo(2, 0);
  // Unpaired, the seed-to-seed spread of 3 points would swamp a 0.1-point difference.
  const ce = frame.filter(pl.col("loss").eq(pl.lit("ce")).and(pl.col("width").eq(256)));
  expect(sampleSd(ce.getColumn("test_accuracy").toArray() as number[])).toBeGreaterThan(1);
});

test("equivalenceToCe: noisy seeds are no evidence of equality, though the ANOVA finds no difference", () => {
  const frame = table({ fl: 0 }, { fl: 1.5 }, 4);
  const at256 = frame.filter(pl.col("width").eq(256));
  expect(lossSpread(at256).withinSeedNoise).toBe(true);
  const [fl] = equivalenceToCe(frame);
  expect(fl.equivalent).toBe(false);
  expect(fl.smallestMargin).toBeGreaterThan(0.5);
});

test("equivalenceToCe takes the column, the cell and the margin it is given", () => {
  const frame = table({ ls: 0.1 }, {});
  const [final] = equivalenceToCe(frame, { column: "final_test_accuracy" });
  expect(final.column).toBe("final_test_accuracy");
  expect(final.mean).toBeCloseTo(pairedDifferenceInterval(differences(frame, "ce", "ls")).mean, 10);
  const [small] = equivalenceToCe(frame, { cell: { width: 64, epochs: 10 }, margin: 0.01 });
  expect([small.width, small.epochs, small.margin, small.equivalent]).toEqual([64, 10, 0.01, false]);
  expect(small.mean).toBeCloseTo(pairedDifferenceInterval(differences(frame, "ce", "ls", 64, 10)).mean, 10);
  expect(() => equivalenceToCe(frame, { column: "accuracy" })).toThrow(/no column "accuracy".*test_accuracy/);
  expect(() => equivalenceToCe(frame, { cell: { width: 128, epochs: 10 } })).toThrow(/no runs at width 128/);
});

test("equivalenceFrame: one row per loss, in points, with columns that say what they hold", () => {
  const results = equivalenceToCe(table({ ls: 0.1, fl: 0.6, mse: 2 }, {}));
  const frame = equivalenceFrame(results);
  expect(frame.columns).toEqual([
    "loss",
    "accuracy",
    "width",
    "epochs",
    "seeds",
    "mean_ce_minus_loss",
    "sd",
    "interval_low",
    "interval_high",
    "interval_level",
    "p_tost",
    "margin",
    "within_margin",
    "smallest_margin",
  ]);
  expect(frame.getColumn("loss").toArray()).toEqual(["ls", "fl", "mse"]);
  expect(frame.getColumn("within_margin").toArray()).toEqual([true, false, false]);
  expect(frame.getColumn("interval_level").toArray()[0]).toBeCloseTo(0.9, 12);
  expect(frame.getColumn("accuracy").toArray()).toEqual(["best_val", "best_val", "best_val"]);
  const last = equivalenceFrame(equivalenceToCe(table({ ls: 0.1 }, {}), { column: "final_test_accuracy" }));
  expect(last.getColumn("accuracy").toArray()).toEqual(["last_epoch"]);
});

test("pairwiseDifferences: every pair in loss order, simultaneous intervals, Holm-adjusted p", () => {
  const frame = table({ ls: -0.2, fl: 0.6, mse: 0.05 }, {});
  const pairs = pairwiseDifferences(frame, { level: 0.95 });
  expect(pairs.map((p) => [p.loss, p.other])).toEqual([
    ["ce", "ls"],
    ["ce", "fl"],
    ["ce", "mse"],
    ["ls", "fl"],
    ["ls", "mse"],
    ["fl", "mse"],
  ]);
  for (const p of pairs) {
    const expected = pairedDifferenceInterval(differences(frame, p.loss, p.other), { level: 1 - 0.05 / 6 });
    expect(p.difference).toEqual(expected);
    // The interval excludes 0 exactly when the Bonferroni-adjusted p is below 0.05.
    expect(p.difference.interval[0] > 0 || p.difference.interval[1] < 0).toBe(6 * p.difference.p < 0.05);
  }
  expect(pairs.map((p) => p.pHolm)).toEqual(holm(pairs.map((p) => p.difference.p)));
  // FL, 0.6 below CE with 0.05 noise per run, is told apart from every other loss.
  expect(pairs.filter((p) => p.loss === "fl" || p.other === "fl").every((p) => p.pHolm < 0.01)).toBe(true);
  const rows = pairwiseDifferencesFrame(pairs).toRecords();
  expect(Object.keys(rows[0])).toEqual([
    "loss",
    "other",
    "accuracy",
    "width",
    "epochs",
    "seeds",
    "mean_difference",
    "interval_low",
    "interval_high",
    "interval_level",
    "p",
    "p_holm",
  ]);
  expect(rows[1]).toMatchObject({ loss: "ce", other: "fl", accuracy: "best_val", seeds: 5, p_holm: pairs[1].pHolm });
});
