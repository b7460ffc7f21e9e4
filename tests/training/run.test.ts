import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/backend.ts";
import { readRun, runTraining } from "../../lib/training/run.ts";
import {
  CheckpointError,
  readCheckpointFile,
  readCheckpointHeader,
  writeCheckpointFile,
} from "../../lib/store/checkpoint_file.ts";
import { normalizeTrainConfig } from "../../lib/training/config.ts";
import { prepareData, Trainer } from "../../lib/training/train.ts";
import { rowsWithoutWallTime, withoutWallTime } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-runs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ backend: "wasm", quiet: true });
});

const quiet = { log: () => {} };
/** A small run: Gaussian mixture, MLP with batch norm (so running statistics are checkpointed too). */
const SMALL = {
  dataset: "synthetic",
  synthetic: { numClasses: 3, dim: 8, trainPerClass: 60, testPerClass: 20, separation: 3 },
  model: "mlp",
  width: 16,
  depth: 2,
  batchNorm: true,
  epochs: 5,
  batchSize: 16,
  loss: { name: "fl", gamma: 3 },
  seed: 4,
};

/** Rows without the wall-clock column, which differs between sessions by nature. */

describe("runTraining", () => {
  test("writes config, metrics, checkpoint and status, and a done run is returned without training", async () => {
    const run = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "a") });
    expect(run.status.state).toBe("done");
    expect(readdirSync(run.dir).sort()).toEqual([
      "checkpoint.bin",
      "config.json",
      "metrics.jsonl",
      "settings.json",
      "status.json",
    ]);
    expect(run.rows.map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(JSON.parse(readFileSync(join(run.dir, "config.json"), "utf8"))).toEqual(normalizeTrainConfig(SMALL));
    const summary = run.status.summary!;
    const best = run.rows.find((r) => r.epoch === summary.bestValEpoch)!;
    expect(summary.bestValAccuracy).toBe(Math.max(...run.rows.map((r) => r.valAccuracy)));
    expect(summary.bestValTestAccuracy).toBe(best.testAccuracy);
    for (const key of ["nc1", "nc2", "nc3", "nc4", "trainAccuracy", "valAccuracy", "testAccuracy", "lr"] as const) {
      expect(Number.isFinite(run.rows[4][key])).toBe(true);
    }
    let batches = 0;
    const again = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "a"), onBatch: () => batches++ });
    expect(batches).toBe(0);
    expect(again.rows).toEqual(run.rows);
  });

  test("with layerMetrics every evaluation holds each hidden layer's collapse, the last layer's equal to the features'", async () => {
    const run = await runTraining({ ...SMALL, epochs: 2, layerMetrics: true }, {
      ...quiet,
      runsDir: join(dir, "layers"),
    });
    for (const row of run.rows) {
      expect(row.layers!.map((l) => [l.layer, l.dim])).toEqual([["layer 1", 16], ["layer 2", 16]]);
      expect(row.layers![1].nc1).toBeCloseTo(row.nc1, 8);
      expect(row.layers![1].nc2Means).toBeCloseTo(row.nc2Means, 8);
    }
    const plain = await runTraining({ ...SMALL, epochs: 2 }, { ...quiet, runsDir: join(dir, "layers") });
    expect(plain.rows[0].layers).toBeUndefined();
    expect(plain.rows[1].nc1).toBe(run.rows[1].nc1);
  });

  test("an interrupted run resumes from its checkpoint and ends with exactly the uninterrupted metrics", async () => {
    const whole = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "whole") });
    const first = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "split"), stopAfterEpoch: 2 });
    expect(first.status).toMatchObject({ state: "running", epoch: 2 });
    expect(first.rows).toHaveLength(2);
    const resumed = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "split") });
    expect(resumed.status.state).toBe("done");
    expect(rowsWithoutWallTime(resumed.rows)).toEqual(rowsWithoutWallTime(whole.rows));
  });

  test("a checkpoint written before a key existed (no layerMetrics in its header) still resumes", async () => {
    const whole = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "old-whole") });
    const first = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "old"), stopAfterEpoch: 2 });
    const path = join(first.dir, "checkpoint.bin");
    const { header, arrays } = readCheckpointFile<{ config: Record<string, unknown> }>(path);
    delete header.config.layerMetrics;
    writeCheckpointFile(path, header, arrays);
    const resumed = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "old") });
    expect(resumed.status.state).toBe("done");
    expect(rowsWithoutWallTime(resumed.rows)).toEqual(rowsWithoutWallTime(whole.rows));
  });

  test("resume refuses a checkpoint written for another configuration, naming the keys that differ", async () => {
    const runsDir = join(dir, "foreign");
    const mine = await runTraining(SMALL, { ...quiet, runsDir, stopAfterEpoch: 2 });
    const other = await runTraining({ ...SMALL, seed: 5 }, { ...quiet, runsDir, stopAfterEpoch: 1 });
    writeFileSync(join(other.dir, "checkpoint.bin"), readFileSync(join(mine.dir, "checkpoint.bin")));
    const resumed = runTraining({ ...SMALL, seed: 5 }, { ...quiet, runsDir });
    await expect(resumed).rejects.toThrow(CheckpointError);
    await expect(runTraining({ ...SMALL, seed: 5 }, { ...quiet, runsDir })).rejects.toThrow(
      /different configuration \(seed\)/,
    );
  });

  test("a checkpoint without a configuration in its header (older versions) resumes as the run's own", async () => {
    const whole = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "whole-old") });
    const first = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "old"), stopAfterEpoch: 2 });
    const path = join(first.dir, "checkpoint.bin");
    const { header, arrays } = readCheckpointFile<{ state: unknown; config?: unknown }>(path);
    expect(header.config).toEqual(normalizeTrainConfig(SMALL));
    writeCheckpointFile(path, { state: header.state }, arrays);
    const resumed = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "old") });
    expect(resumed.status.state).toBe("done");
    expect(rowsWithoutWallTime(resumed.rows)).toEqual(rowsWithoutWallTime(whole.rows));
  });

  test("validation is measured every epoch: the best-validation epoch is chosen among all of them", async () => {
    const every = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "best") });
    const sparseConfig = { ...SMALL, evalEpochs: [5] };
    const sparse = await runTraining(sparseConfig, { ...quiet, runsDir: join(dir, "best") });
    expect(sparse.rows.map((r) => r.epoch)).toEqual([5]);
    const s = sparse.status.summary!;
    // Evaluation does not change training, so the run evaluated every epoch is the reference.
    expect(s.valAccuracies).toEqual(every.rows.map((r) => r.valAccuracy));
    const top = Math.max(...every.rows.map((r) => r.valAccuracy));
    const first = every.rows.find((r) => r.valAccuracy === top)!;
    expect(first.epoch).toBeLessThan(5); // so a choice among evaluated epochs only ([5]) would differ
    expect(s).toMatchObject({
      bestValEpoch: first.epoch,
      bestValAccuracy: top,
      bestValTestAccuracy: first.testAccuracy,
    });
    expect(s.bestValTestLoss).toBe(first.testLoss);
    // Interrupted after epoch 2 and resumed, it makes the same choice (the record is checkpointed).
    const split = await runTraining(sparseConfig, { ...quiet, runsDir: join(dir, "best-split"), stopAfterEpoch: 2 });
    // No evaluation yet: the best epoch's test scores are pending, its weights in the checkpoint.
    const header = readCheckpointHeader<{ state: { best: { testAccuracy: number | null } } }>(
      join(split.dir, "checkpoint.bin"),
    );
    expect(header.state.best.testAccuracy).toBeNull();
    const resumed = (await runTraining(sparseConfig, { ...quiet, runsDir: join(dir, "best-split") })).status.summary!;
    const strip = (summary: typeof s) => ({ ...withoutWallTime(summary), final: withoutWallTime(summary.final) });
    expect(strip(resumed)).toEqual(strip(s));
  });

  test("a non-finite loss marks the run failed with the epoch and reason, keeping the last good checkpoint", async () => {
    // Found by scanning lr: this run survives epoch 1 and diverges early in epoch 2 (lr 4.7 after the first
    // decay); lr 45–50 do so on wasm, native and cpu, 40 and below finish, 55 and above diverge in epoch 1.
    const diverging = {
      dataset: "synthetic",
      width: 16,
      depth: 2,
      epochs: 4,
      batchSize: 32,
      lr: 47,
      clipNorm: 0,
      weightDecay: 0,
      loss: { name: "mse" },
    };
    const run = await runTraining(diverging, { ...quiet, runsDir: join(dir, "nan") });
    expect(run.status.state).toBe("failed");
    expect(run.status.epoch).toBe(1);
    expect(run.status.reason).toMatch(/loss became (NaN|Infinity|-Infinity) at epoch 2, batch \d+ of \d+/);
    expect(run.rows.map((r) => r.epoch)).toEqual([1]);
    expect(existsSync(join(run.dir, "checkpoint.bin"))).toBe(true);
    expect(readdirSync(run.dir).some((f) => f.endsWith(".tmp"))).toBe(false);
    expect(readRun(run.dir).status.state).toBe("failed");
    // A failure is final unless retried; the retry resumes from the kept checkpoint and fails alike.
    const lines: string[] = [];
    const again = await runTraining(diverging, { runsDir: join(dir, "nan"), log: (l) => lines.push(l) });
    expect(lines).toEqual([]);
    expect(again.status).toEqual(run.status);
    const retried = await runTraining(diverging, {
      runsDir: join(dir, "nan"),
      retryFailed: true,
      log: (l) => lines.push(l),
    });
    expect(lines[0]).toMatch(/resuming \S+ after epoch 1/);
    expect(retried.status.reason).toBe(run.status.reason);
  });
});

test("a training epoch leaves no tensors behind", async () => {
  const config = normalizeTrainConfig(SMALL);
  const trainer = new Trainer(config, prepareData(config));
  await trainer.trainEpoch(1);
  const before = tf.memory().numTensors;
  await trainer.trainEpoch(2);
  await trainer.evaluate(2, { loss: 0, accuracy: 0 }, 0);
  expect(tf.memory().numTensors).toBe(before);
  trainer.dispose();
});

test("a CIFAR-format ResNet-18 run trains end to end on wasm with augmentation", async () => {
  // Ten images per official batch file, with pixel patterns that depend on the label.
  const cifar = join(dir, "cifar-10-batches-bin");
  mkdirSync(cifar, { recursive: true });
  const record = (
    label: number,
    i: number,
  ) => [label, ...Array.from({ length: 3072 }, (_, p) => (label * 25 + ((p * (i + 1)) % 17)) % 256)];
  for (const file of ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"]) {
    writeFileSync(
      join(cifar, `${file}.bin`),
      new Uint8Array(Array.from({ length: 10 }, (_, i) => record(i % 10, i)).flat()),
    );
  }
  const run = await runTraining(
    { dataset: "cifar10", model: "resnet18", width: 0.125, epochs: 2, batchSize: 16 },
    { ...quiet, runsDir: join(dir, "cifar"), dataDir: cifar },
  );
  expect(run.config.augment).toBe(true);
  expect(run.status.state).toBe("done");
  expect(run.rows).toHaveLength(2);
  expect(run.rows[1].evalAugment).toBe(true);
  expect(Number.isFinite(run.rows[1].nc1)).toBe(true);
}, 120_000);

describe("checkpoint integrity", () => {
  test("weights overwritten in a checkpoint fail its checksum: the run starts again and ends as if never interrupted", async () => {
    const whole = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "sum-whole") });
    const first = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "sum"), stopAfterEpoch: 2 });
    const path = join(first.dir, "checkpoint.bin");
    const bytes = readFileSync(path);
    bytes.fill(0x3f, bytes.length - 600, bytes.length - 600 + 64 * 4); // 64 weights overwritten in place
    writeFileSync(path, bytes);
    expect(() => readCheckpointFile(path)).toThrow(/checkpoint\.bin: damaged \(its SHA-256 checksum does not match/);
    const lines: string[] = [];
    const resumed = await runTraining(SMALL, { runsDir: join(dir, "sum"), log: (l) => lines.push(l) });
    expect(lines.filter((l) => /checkpoint\.bin: damaged/.test(l))).toHaveLength(1);
    expect(lines.join("\n")).toMatch(/training \S+ from the start/);
    expect(existsSync(`${path}.damaged`)).toBe(true);
    expect(resumed.status.state).toBe("done");
    expect(rowsWithoutWallTime(resumed.rows)).toEqual(rowsWithoutWallTime(whole.rows));
  });

  test("a checkpoint of format 1 (no checksum, earlier versions) is trusted and resumes as before", async () => {
    const whole = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "v1-whole") });
    const first = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "v1"), stopAfterEpoch: 2 });
    const path = join(first.dir, "checkpoint.bin");
    const bytes = readFileSync(path);
    const v1 = bytes.subarray(0, bytes.length - 32);
    v1.set(new TextEncoder().encode("NCCKPT1\n"), 0);
    writeFileSync(path, v1);
    expect(readCheckpointHeader<{ state: { epoch: number } }>(path).state.epoch).toBe(2);
    const resumed = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "v1") });
    expect(rowsWithoutWallTime(resumed.rows)).toEqual(rowsWithoutWallTime(whole.rows));
  });

  test("a checkpoint with a damaged header is named and set aside, never resumed", async () => {
    const first = await runTraining(SMALL, { ...quiet, runsDir: join(dir, "header"), stopAfterEpoch: 1 });
    const path = join(first.dir, "checkpoint.bin");
    const bytes = readFileSync(path).subarray(0, 200);
    bytes.set(new TextEncoder().encode("NCCKPT1\n"), 0);
    writeFileSync(path, bytes);
    expect(() => readCheckpointFile(path)).toThrow(/checkpoint\.bin: damaged header/);
  });

  test("a NaN weight the loss does not show fails the run at that epoch, naming the parameter", async () => {
    const config = normalizeTrainConfig({ ...SMALL, batchNorm: false });
    const trainer = new Trainer(config, prepareData(config));
    try {
      const hidden = trainer.net.model.weights[0].read() as tf.Variable;
      expect(await trainer.nonFiniteParameter()).toBeNull();
      const values = await hidden.data() as Float32Array;
      const poisoned = Float32Array.from(values);
      poisoned[3] = Number.NaN;
      hidden.assign(tf.tensor(poisoned, hidden.shape));
      expect(await trainer.nonFiniteParameter()).toBe(trainer.net.model.weights[0].name);
      const outcome = await trainer.trainEpoch(1);
      expect("failure" in outcome && outcome.failure).toMatch(
        /(parameter \S+ became non-finite .* during epoch 1|loss became NaN)/,
      );
    } finally {
      trainer.dispose();
    }
  });
});
