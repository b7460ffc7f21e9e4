import { beforeAll, describe, expect, test } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/backend.ts";
import { batchLoss } from "../../lib/core/losses.ts";
import { lossTensor, makeLoss } from "../../lib/core/loss_tensors.ts";
import { createRng } from "../../lib/core/random.ts";
import { LOSS_CASES as SPECS } from "../helpers.ts";

beforeAll(async () => {
  await initBackend({ backend: "cpu", quiet: true });
});

function batch(seed: number, n = 6, K = 5, scale = 3) {
  const rng = createRng(seed);
  const logits = Float64Array.from({ length: n * K }, () => scale * rng.normal());
  const labels = Array.from({ length: n }, () => rng.int(K));
  return { logits, labels, n, K };
}

describe("lossTensor agrees with the float64 reference", () => {
  test.each(SPECS)("value and autodiff gradient for %o", (spec) => {
    const { logits, labels, n, K } = batch(7);
    for (const reduction of ["mean", "sum"] as const) {
      const grad = new Float64Array(n * K);
      const expected = batchLoss(spec, logits, labels, K, { reduction, grad });
      const z = tf.tensor2d(Array.from(logits), [n, K]);
      const y = tf.tensor1d(labels, "int32");
      const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => lossTensor(spec, x as tf.Tensor2D, y, { reduction }))(
        [z],
      );
      // float32 arithmetic: relative error ~1e-6 on values of order 1–100.
      expect(value.dataSync()[0]).toBeCloseTo(expected, expected > 100 ? 2 : 5);
      const g = grads[0].dataSync();
      g.forEach((v, i) => expect(Math.abs(v - grad[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(grad[i]))));
      tf.dispose([z, y, value, ...grads]);
    }
  });
});

test("MSE under sum reduction is F.mse_loss(z, M·onehot, reduction='sum'): the sum over batch and classes", () => {
  const z = tf.tensor2d([[1, 2, 0.5], [0, -1, 3]]), y = tf.tensor1d([1, 2], "int32");
  const spec = { name: "mse", M: 2 } as const;
  // Squared residuals sum to 1.25 + 2 = 3.25 (exact in float32); the mean runs over 6 entries.
  expect(lossTensor(spec, z, y, { reduction: "sum" }).dataSync()[0]).toBe(3.25);
  expect(lossTensor(spec, z, y, { reduction: "mean" }).dataSync()[0]).toBeCloseTo(3.25 / 6, 6);
  tf.dispose([z, y]);
});

describe("lossTensor stability and hygiene", () => {
  test.each(SPECS)("logits of magnitude 1e4 give finite values and gradients for %o", (spec) => {
    const z = tf.tensor2d([[1e4, -1e4, 0], [-1e4, 1e4, 1e4]]);
    const y = tf.tensor1d([0, 0], "int32");
    const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => lossTensor(spec, x as tf.Tensor2D, y))([z]);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(grads[0].dataSync().every(Number.isFinite)).toBe(true);
    tf.dispose([z, y, value, ...grads]);
  });

  test("leaves no tensors behind", () => {
    const z = tf.randomNormal([4, 3]) as tf.Tensor2D, y = tf.tensor1d([0, 1, 2, 1], "int32");
    const before = tf.memory().numTensors;
    for (const spec of SPECS) {
      tf.grad((x: tf.Tensor) => lossTensor(spec, x as tf.Tensor2D, y))(z).dispose();
      lossTensor(spec, z, y).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, y]);
  });

  test("makeLoss validates the spec and fills in defaults", () => {
    expect(() => makeLoss({ name: "fl", gamma: -1 })).toThrow(/"gamma" must be ≥ 0/);
    const fl = makeLoss({ name: "fl" }), fl3 = makeLoss({ name: "fl", gamma: 3 });
    const z = tf.tensor2d([[1, 2, 0]]), y = tf.tensor1d([1], "int32");
    expect(fl(z, y).dataSync()[0]).toBeCloseTo(fl3(z, y).dataSync()[0], 7);
  });
});
