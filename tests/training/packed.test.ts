/**
 * Packed training (`run_pack.ts`) against the same runs trained alone (`run.ts`).
 *
 * The tolerance is zero: a run's arithmetic in a pack is its arithmetic alone, kernel for kernel
 * (`models/packed_mlp.ts`), so every metric of every epoch, the best-validation summary and the
 * checkpoint's tensors are the same float32 values on the `cpu`, `wasm` and `native` backends.
 * The pack holds the four losses, with batch norm, clipping and weight decay, two seeds, two
 * learning rates and two weight decays, so that a kernel that mixed runs or used one run's
 * hyper-parameters for another would show.
 */
import { afterAll, describe, expect, test } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/backend.ts";
import { readCheckpointFile } from "../../lib/store/checkpoint_file.ts";
import { ConfigError, normalizeTrainConfig } from "../../lib/training/config.ts";
import { checkPack, PackedTrainer, packKey } from "../../lib/training/packed_trainer.ts";
import { prepareData, Trainer } from "../../lib/training/train.ts";
import { runTraining } from "../../lib/training/run.ts";
import type { RunRecord } from "../../lib/training/run_book.ts";
import { runPack } from "../../lib/training/run_pack.ts";
import { rowsWithoutWallTime, withoutWallTime } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-packs-"));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await initBackend({ backend: "wasm", quiet: true });
});

const quiet = { log: () => {} };
const BASE = {
  dataset: "synthetic",
  synthetic: { numClasses: 4, dim: 12, trainPerClass: 40, testPerClass: 20, separation: 3 },
  model: "mlp",
  width: 24,
  depth: 2,
  batchNorm: true,
  clipNorm: 2,
  epochs: 4,
  batchSize: 32,
  layerMetrics: true,
};
const PACK = [
  { ...BASE, loss: { name: "ce" }, seed: 1, lr: 0.05 },
  { ...BASE, loss: { name: "ls", alpha: 0.1 }, seed: 2, lr: 0.1, weightDecay: 2e-3 },
  { ...BASE, loss: { name: "fl", gamma: 3 }, seed: 1, lr: 0.1 },
  { ...BASE, loss: { name: "mse" }, seed: 2, lr: 0.05, weightDecay: 2e-3 },
];

/** What must match between a run trained alone and in a pack: rows, summary, checkpoint. */
function comparable(run: RunRecord) {
  const { summary } = run.status;
  const path = join(run.dir, "checkpoint.bin");
  const checkpoint = existsSync(path) ? readCheckpointFile(path) : { arrays: [] };
  return {
    state: run.status.state,
    reason: run.status.reason,
    rows: rowsWithoutWallTime(run.rows),
    summary: summary && { ...withoutWallTime(summary), final: withoutWallTime(summary.final) },
    tensors: checkpoint.arrays.map((a) => Array.from(a.values)),
  };
}

async function alone(runsDir: string, configs: readonly object[]) {
  const runs = [];
  for (const config of configs) runs.push(await runTraining(config, { ...quiet, runsDir }));
  return runs;
}

describe.each(["cpu", "wasm", "native"] as const)("on %s, a pack trains each run as alone", (backend) => {
  test("four losses with batch norm, clipping and weight decay: every metric, summary and checkpoint equal", async () => {
    await initBackend({ backend, quiet: true, threads: 1 });
    const solo = await alone(join(dir, backend, "alone"), PACK);
    const packed = await runPack(PACK, { ...quiet, runsDir: join(dir, backend, "packed") });
    expect(packed.map((r) => r.status.state)).toEqual(["done", "done", "done", "done"]);
    packed.forEach((run, i) => {
      expect(run.dir.endsWith(solo[i].dir.split("/").pop()!)).toBe(true);
      expect(comparable(run), `run ${i + 1}`).toEqual(comparable(solo[i]));
    });
  });
});

describe("a pack in the run store", () => {
  test("killed after an epoch, it resumes exactly, in a pack or alone", async () => {
    await initBackend({ backend: "native", quiet: true, threads: 1 });
    const whole = await runPack(PACK, { ...quiet, runsDir: join(dir, "whole") });
    const runsDir = join(dir, "resumed");
    const stopped = await runPack(PACK, { ...quiet, runsDir, stopAfterEpoch: 2 });
    expect(stopped.map((r) => [r.status.state, r.status.epoch])).toEqual(PACK.map(() => ["running", 2]));
    // Two runs go on alone, the other two as a pack.
    const resumed = [
      ...await alone(runsDir, PACK.slice(0, 2)),
      ...await runPack(PACK.slice(2), { ...quiet, runsDir }),
    ];
    resumed.forEach((run, i) => expect(comparable(run), `run ${i + 1}`).toEqual(comparable(whole[i])));
    // Runs standing at epochs 1, 2 and 3 (and one done): those behind train first, the others join them.
    const staggered = join(dir, "staggered");
    await runPack(PACK, { ...quiet, runsDir: staggered, stopAfterEpoch: 1 });
    await runPack(PACK.slice(1), { ...quiet, runsDir: staggered, stopAfterEpoch: 2 });
    await runPack(PACK.slice(2), { ...quiet, runsDir: staggered, stopAfterEpoch: 3 });
    await runPack(PACK.slice(3), { ...quiet, runsDir: staggered });
    const epochs: number[] = [];
    const merged = await runPack(PACK, { ...quiet, runsDir: staggered, onEpoch: (e) => epochs.push(e) });
    expect(epochs).toEqual([2, 3, 4]);
    merged.forEach((run, i) => expect(comparable(run), `run ${i + 1}`).toEqual(comparable(whole[i])));
  });

  test("a run trained in a pack is found by its id and never trained again", async () => {
    const runsDir = join(dir, "found");
    const [packed] = await runPack(PACK.slice(0, 2), { ...quiet, runsDir });
    let epochs = 0;
    const again = await runTraining(PACK[0], { ...quiet, runsDir, onEpoch: () => epochs++ });
    expect(epochs).toBe(0);
    expect(again.dir).toBe(packed.dir);
    const repacked = await runPack(PACK.slice(0, 2), { ...quiet, runsDir, onEpoch: () => epochs++ });
    expect(epochs).toBe(0);
    expect(repacked[0].rows).toEqual(packed.rows);
  });

  test("a run that diverges is recorded as failed and the others train on, as alone", async () => {
    const diverging = { ...PACK[3], lr: 1e6, clipNorm: 0 };
    const configs = [PACK[0], diverging, PACK[2]];
    const packed = await runPack(configs, { ...quiet, runsDir: join(dir, "diverging") });
    const solo = await alone(join(dir, "diverging-alone"), configs);
    expect(packed.map((r) => r.status.state)).toEqual(["done", "failed", "done"]);
    expect(packed[1].status.reason).toMatch(/^loss became (NaN|Infinity) at epoch 1, batch \d+ of 5 \(lr 1000000\)$/);
    packed.forEach((run, i) => expect(comparable(run), `run ${i + 1}`).toEqual(comparable(solo[i])));
  });

  test("a configuration given twice is one run, trained once", async () => {
    const runsDir = join(dir, "twice");
    let epochs = 0;
    const runs = await runPack([PACK[0], PACK[1], PACK[0]], { ...quiet, runsDir, onEpoch: () => epochs++ });
    expect(epochs).toBe(BASE.epochs);
    expect(runs.map((r) => r.status.state)).toEqual(["done", "done", "done"]);
    expect(runs[2].dir).toBe(runs[0].dir);
    expect(runs[2].rows).toEqual(runs[0].rows);
  });

  test("packed epochs and the copy back to the runs leave no tensors behind", async () => {
    const configs = PACK.map((c) => normalizeTrainConfig(c));
    const data = prepareData(configs[0]);
    const trainers = configs.map((c) => new Trainer(c, data));
    const pack = new PackedTrainer(trainers);
    await pack.trainEpoch(1);
    pack.copyToRuns();
    const before = tf.memory().numTensors;
    for (let epoch = 2; epoch <= 3; epoch++) {
      await pack.trainEpoch(epoch);
      pack.copyToRuns();
    }
    expect(tf.memory().numTensors).toBe(before);
    pack.dispose();
    for (const t of trainers) t.dispose();
  });

  test("runs that cannot train together are refused before anything is written, naming the keys", async () => {
    const runsDir = join(dir, "refused");
    await expect(runPack([PACK[0], { ...PACK[1], width: 32 }], { ...quiet, runsDir })).rejects.toThrow(
      /run 2 of the pack differs from run 1 in width/,
    );
    expect(() => checkPack([normalizeTrainConfig({ ...PACK[0], evalAugment: true })])).toThrow(ConfigError);
    expect(() =>
      checkPack([
        normalizeTrainConfig({ ...PACK[0], dataset: "cifar10", synthetic: null, model: "resnet18", width: 0.25 }),
      ])
    ).toThrow(
      /model "resnet18"/,
    );
    expect(packKey(normalizeTrainConfig(PACK[0]))).toBe(packKey(normalizeTrainConfig(PACK[3])));
  });
});
