import { expect, test } from "vitest";
import pl from "nodejs-polars";
import { createRng } from "../../lib/core/random.ts";
import { collapseReached, gapTrends, lossSpread } from "../../lib/report/claims.ts";
import type { RunRecord } from "../../lib/training/run.ts";

/** A summary frame over widths × epochs × 3 seeds where X's gap to CE is `gap(width, epochs)` plus seed noise. */
function grid(gap: (width: number, epochs: number) => number, noise: number, seed = 1) {
  const rng = createRng(seed);
  const rows: Record<string, unknown>[] = [];
  for (const width of [32, 64, 128, 256]) {
    for (const epochs of [10, 20, 40]) {
      for (const s of [0, 1, 2]) {
        const ce = 80 + rng.normal();
        rows.push({ loss: "ce", width, epochs, seed: s, test_accuracy: ce });
        rows.push({
          loss: "fl",
          width,
          epochs,
          seed: s,
          test_accuracy: ce - gap(width, epochs) + noise * rng.normal(),
        });
      }
    }
  }
  return pl.DataFrame(rows);
}

test("a gap that shrinks with width and epochs gives negative correlations whose intervals exclude 0", () => {
  const [fl] = gapTrends(grid((w, e) => 400 / w + 40 / e, 0.1), { replicates: 300 });
  expect(fl.loss).toBe("fl");
  expect([fl.cells, fl.seeds]).toEqual([12, 3]);
  expect(fl.width.value).toBeLessThan(-0.5);
  expect(fl.width.interval[1]).toBeLessThan(0);
  expect(fl.epochs.value).toBeLessThan(-0.3);
  expect(fl.epochs.interval[1]).toBeLessThan(0);
  expect(fl.width.fractionNegative).toBeGreaterThan(0.95);
});

test("a gap of pure seed noise gives intervals that straddle 0, and the result is reproducible", () => {
  const frame = grid(() => 0, 1, 7);
  const [fl] = gapTrends(frame, { replicates: 300 });
  expect(fl.width.interval[0]).toBeLessThan(0);
  expect(fl.width.interval[1]).toBeGreaterThan(0);
  expect(gapTrends(frame, { replicates: 300 })).toEqual([fl]);
});

test("lossSpread: losses within seed noise pass; a loss 5 points off does not", () => {
  const same = grid(() => 0, 1, 3);
  const within = lossSpread(same);
  expect(within.withinSeedNoise).toBe(true);
  expect(within.dfBetween).toBe(1);
  const apart = grid(() => 5, 1, 3);
  const spread = lossSpread(apart);
  expect(spread.withinSeedNoise).toBe(false);
  expect(spread.range).toBeGreaterThan(4);
  expect(spread.p).toBeLessThan(1e-6);
  expect(spread.seedSd).toBeGreaterThan(0.5);
});

test("collapseReached checks each target against the first and last evaluations", () => {
  const run = (loss: string, first: number, last: { nc1: number; nc2: number; nc3: number; acc: number }) =>
    ({
      config: { loss: { name: loss }, seed: 1 },
      rows: [
        { epoch: 1, nc1: first, nc2: 0.9, nc3: 0.9, trainAccuracy: 0.5 },
        { epoch: 400, nc1: last.nc1, nc2: last.nc2, nc3: last.nc3, trainAccuracy: last.acc },
      ],
    }) as unknown as RunRecord;
  const frame = collapseReached([
    run("mse", 1, { nc1: 0.001, nc2: 0.01, nc3: 0.01, acc: 1 }),
    run("ce", 1, { nc1: 0.005, nc2: 0.1, nc3: 0.19, acc: 1 }),
    run("fl", 1, { nc1: 0.02, nc2: 0.1, nc3: 0.1, acc: 1 }),
    run("ls", 1, { nc1: 0.001, nc2: 0.1, nc3: 0.1, acc: 0.999 }),
  ]).toRecords();
  expect(frame.map((r) => r.loss)).toEqual(["ce", "ls", "fl", "mse"]);
  expect(frame.map((r) => r.all)).toEqual([true, false, false, true]);
  expect(frame[2]).toMatchObject({ nc1_ok: false, nc2_ok: true });
  expect(frame[1]).toMatchObject({ fitted: false, train_accuracy: 99.9 });
  expect(collapseReached([run("fl", 1, { nc1: 0.02, nc2: 0.1, nc3: 0.1, acc: 1 })], { nc1Drop: 40 }).toRecords()[0].all)
    .toBe(true);
});
