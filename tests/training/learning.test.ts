import { afterAll, beforeAll, expect, test } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/backend.ts";
import { runTraining } from "../../lib/training/run.ts";
import { normalizeTrainConfig } from "../../lib/training/config.ts";
import { prepareData, Trainer } from "../../lib/training/train.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-learns-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ backend: "wasm", quiet: true });
});

test.each([{ name: "ce" }, { name: "mse", M: 15 }] as const)(
  "a short run on a Gaussian mixture learns with %o: test accuracy ≥ 85 % where chance is 25 %",
  async (loss) => {
    // Four classes whose centres lie 3 apart from the origin in 16 dimensions with unit noise: a
    // linear rule reaches about 95 % here, so 85 % after 8 epochs is learning, not luck.
    const config = normalizeTrainConfig({
      dataset: "synthetic",
      synthetic: { numClasses: 4, dim: 16, trainPerClass: 100, testPerClass: 100, separation: 3 },
      model: "mlp",
      width: 32,
      depth: 2,
      epochs: 8,
      batchSize: 32,
      loss,
      seed: 1,
    });
    const untrained = new Trainer(config, prepareData(config));
    const before = await untrained.testScores();
    untrained.dispose();
    expect(before.accuracy).toBeLessThan(0.5); // the same network at initialisation
    const run = await runTraining(config, { runsDir: dir, log: () => {} });
    const first = run.rows[0], last = run.rows.at(-1)!;
    expect(last.testAccuracy).toBeGreaterThanOrEqual(0.85);
    expect(run.status.summary!.bestValTestAccuracy).toBeGreaterThanOrEqual(0.85);
    expect(last.trainLoss).toBeLessThan(first.trainLoss);
  },
  60_000,
);
