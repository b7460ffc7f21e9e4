/**
 * Reductions on the heap backends round once, as the cpu reference does: a float32 running sum
 * over n terms errs by up to about n·2⁻²⁴ of Σ|x| (the stock wasm `Sum` measured 8e-5 on column
 * sums, the OpenBLAS `sgemv` sum 3e-5), which scaled every clipped SGD step differently from the
 * reference. With float64 accumulation the error is the final rounding to float32: below 2⁻²⁴ of
 * the result, so below 1e-7 of Σ|x|.
 */
import { afterAll, describe, expect, test } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/backend.ts";
import { SUM_OF_SQUARES } from "../../lib/backend/float64_reductions.ts";
import { random } from "./compare.ts";

afterAll(async () => {
  await initBackend({ backend: "wasm", quiet: true });
});

/** Column sums, every-axis sum and row sums of an r×c matrix in float64, with Σ|x| per output. */
function reference(x: readonly number[], rows: number, columns: number) {
  const sum = (idx: number[]) => idx.reduce((a, i) => a + Math.fround(x[i]), 0);
  const abs = (idx: number[]) => idx.reduce((a, i) => a + Math.abs(Math.fround(x[i])), 0);
  const column = (c: number) => Array.from({ length: rows }, (_, r) => r * columns + c);
  const row = (r: number) => Array.from({ length: columns }, (_, c) => r * columns + c);
  const all = Array.from({ length: rows * columns }, (_, i) => i);
  return {
    leading: Array.from({ length: columns }, (_, c) => [sum(column(c)), abs(column(c))]),
    trailing: Array.from({ length: rows }, (_, r) => [sum(row(r)), abs(row(r))]),
    all: [[sum(all), abs(all)]],
  };
}

const worst = (actual: Float32Array | Int32Array | Uint8Array, expected: number[][], scale = 1) =>
  Math.max(...expected.map(([value, abs], i) => Math.abs(actual[i] - value * scale) / (abs * scale)));

describe.each(["wasm", "native"] as const)("%s reductions against float64", (backend) => {
  // A column of 6,000 values with a large mean (a bias gradient or batch statistic of a big batch)
  // and 200,704 entries (a 784×256 weight gradient, for the clipping norm).
  const [rows, columns] = [6000, 12];
  const x = random([rows, columns], 7).map((v) => 3 + v);
  const expected = reference(x, rows, columns);

  test("Sum and Mean over every axis, the leading axes and the last axis round once", async () => {
    await initBackend({ backend, quiet: true, threads: 2 });
    const t = tf.tensor2d(x, [rows, columns]);
    const results = {
      sumLeading: worst(tf.sum(t, 0).dataSync(), expected.leading),
      sumTrailing: worst(tf.sum(t, 1).dataSync(), expected.trailing),
      sumAll: worst(tf.sum(t).dataSync(), expected.all),
      meanLeading: worst(tf.mean(t, 0).dataSync(), expected.leading, 1 / rows),
      meanTrailing: worst(tf.mean(t, 1).dataSync(), expected.trailing, 1 / columns),
      meanAll: worst(tf.mean(t).dataSync(), expected.all, 1 / (rows * columns)),
      keepDims: worst(tf.sum(t.reshape([rows / 4, 4, columns]), [0, 1], true).dataSync(), expected.leading),
    };
    t.dispose();
    for (const [name, error] of Object.entries(results)) expect(error, name).toBeLessThan(1e-7);
  });

  test("the optimizer's sum of squares over a 784×256 gradient rounds once", async () => {
    await initBackend({ backend, quiet: true, threads: 2 });
    const g = random([784, 256], 8).map((v) => 1e-3 * v);
    const value = g.reduce((a, v) => a + Math.fround(v) ** 2, 0);
    const t = tf.tensor2d(g, [784, 256]);
    const out = tf.engine().runKernel(SUM_OF_SQUARES, { x: t }) as tf.Tensor;
    expect(Math.abs(out.dataSync()[0] - value) / value).toBeLessThan(1e-7);
    tf.dispose([t, out]);
  });

  test("integer sums and other axes still go to the stock kernels", async () => {
    await initBackend({ backend, quiet: true, threads: 2 });
    const ints = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], "int32");
    expect(Array.from(tf.sum(ints, 0).dataSync())).toEqual([5, 7, 9]);
    const cube = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    expect(Array.from(tf.sum(cube, 1).dataSync())).toEqual([4, 6, 12, 14]);
    tf.dispose([ints, cube]);
  });
});
