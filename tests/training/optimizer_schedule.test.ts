import { beforeAll, describe, expect, test } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/backend.ts";
import { Sgd } from "../../lib/training/optimizer.ts";
import { learningRate, milestones } from "../../lib/training/schedule.ts";

beforeAll(async () => {
  await initBackend({ backend: "cpu", quiet: true });
});

describe("Sgd", () => {
  test("clips the gradient to the global norm, then adds weight decay, then momentum (by hand)", () => {
    const p = [tf.variable(tf.tensor1d([1, -2])), tf.variable(tf.tensor1d([3]))];
    const sgd = new Sgd(p, { momentum: 0.9, weightDecay: 0.1, clipNorm: 2 });
    // Gradient (3, 4, 0): norm 5, so clipped by 2/(5 + 1e-6).
    const c = 2 / (5 + 1e-6);
    const g1 = [3 * c + 0.1 * 1, 4 * c + 0.1 * -2, 0 + 0.1 * 3];
    const norm = sgd.step([tf.tensor1d([3, 4]), tf.tensor1d([0])], 0.5);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 6);
    const after1 = [1 - 0.5 * g1[0], -2 - 0.5 * g1[1], 3 - 0.5 * g1[2]];
    expect([...p[0].dataSync(), ...p[1].dataSync()].map((v, i) => v - after1[i]).every((d) => Math.abs(d) < 1e-6)).toBe(
      true,
    );
    // Second step, gradient (0.3, 0, 0.4): norm 0.5 < 2, no clipping; v = 0.9 v + g + λp.
    sgd.step([tf.tensor1d([0.3, 0]), tf.tensor1d([0.4])], 0.5);
    const g2 = [0.3 + 0.1 * after1[0], 0 + 0.1 * after1[1], 0.4 + 0.1 * after1[2]];
    const v2 = g1.map((v, i) => 0.9 * v + g2[i]);
    const after2 = after1.map((v, i) => v - 0.5 * v2[i]);
    [...p[0].dataSync(), ...p[1].dataSync()].forEach((v, i) => expect(v).toBeCloseTo(after2[i], 5));
    sgd.dispose();
  });

  test("clipNorm 0 disables clipping", () => {
    const p = [tf.variable(tf.tensor1d([0]))];
    const sgd = new Sgd(p, { momentum: 0, weightDecay: 0, clipNorm: 0 });
    sgd.step([tf.tensor1d([100])], 0.01).dispose();
    expect(p[0].dataSync()[0]).toBeCloseTo(-1, 6);
  });
});

describe("learning-rate schedule", () => {
  test("milestones are int(3E/7) and int(5E/7) (docs/method.md §6)", () => {
    expect(milestones(100)).toEqual([42, 71]);
    expect(milestones(200)).toEqual([85, 142]);
    expect(milestones(800)).toEqual([342, 571]);
  });

  test("standard decays after the milestone epoch; reference one epoch early", () => {
    const lr = (epoch: number, kind: "standard" | "reference") => learningRate(epoch, { epochs: 100, base: 0.1, kind });
    expect([41, 42, 43, 71, 72].map((e) => lr(e, "standard"))).toEqual([0.1, 0.1, 0.01, 0.01, 0.001]);
    expect([41, 42, 43, 70, 71].map((e) => lr(e, "reference"))).toEqual([0.1, 0.01, 0.01, 0.01, 0.001]);
  });
});
