/** Helpers to compare a computation across TensorFlow.js backends. */
import { expect } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/backend.ts";
import { createRng } from "../../lib/core/random.ts";

/** Seeded standard-normal values for a shape. */
export function random(shape: readonly number[], seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
}

/** Runs `f` on a backend (2 native threads) and returns plain numbers; tensors made inside are released. */
export async function on(
  backend: "cpu" | "wasm" | "native" | "webgpu",
  f: () => tf.Tensor | tf.Tensor[],
): Promise<number[][]> {
  await initBackend({ backend, quiet: true, threads: 2 });
  const out = tf.tidy(f);
  const values = await Promise.all([out].flat().map(async (t) => Array.from(await t.data())));
  tf.dispose(out);
  return values;
}

/** Largest |a − b| / (1 + |b|) over all entries; the shapes must agree. */
export function maxRelative(actual: number[][], expected: number[][]): number {
  expect(actual.map((a) => a.length)).toEqual(expected.map((e) => e.length));
  let worst = 0;
  actual.forEach((values, i) =>
    values.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - expected[i][j]) / (1 + Math.abs(expected[i][j])))))
  );
  return worst;
}

/** [name, input shape, filter shape, strides, padding]: the convolutions the models use, and edge cases. */
export const CONVOLUTIONS = [
  ["3×3, stride 1, same (ResNet body)", [2, 7, 7, 3], [3, 3, 3, 4], 1, "same"],
  ["3×3, stride 2, same (asymmetric padding)", [2, 8, 8, 3], [3, 3, 3, 5], 2, "same"],
  ["3×3, stride 2, valid", [1, 9, 9, 2], [3, 3, 2, 3], 2, "valid"],
  ["3×3, stride 1, valid", [2, 6, 6, 3], [3, 3, 3, 2], 1, "valid"],
  ["1×1, stride 1, valid (bottleneck)", [2, 5, 5, 8], [1, 1, 8, 4], 1, "valid"],
  ["1×1, stride 2, valid (projection shortcut)", [2, 8, 8, 4], [1, 1, 4, 6], 2, "valid"],
  ["5×3, stride (2, 1), explicit padding", [1, 9, 7, 2], [5, 3, 2, 2], [2, 1], [[0, 0], [2, 1], [1, 1], [0, 0]]],
  ["3×3, stride 1, same, 32×32×16 (ResNet-18 w0.25, first stage)", [2, 32, 32, 16], [3, 3, 16, 16], 1, "same"],
  ["3×3, stride 2, same, 16→32 channels (stage transition)", [2, 16, 16, 16], [3, 3, 16, 32], 2, "same"],
] as const;

/** A convolution's output and both gradients (of a seeded weighted sum of the output). */
export function convolutionAndGradients(
  xs: readonly number[],
  ws: readonly number[],
  strides: number | readonly number[],
  pad: unknown,
): () => tf.Tensor[] {
  const x = random(xs, 7), w = random(ws, 8);
  return () => {
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides as [number, number], pad as "same");
    const [xt, wt] = [
      tf.tensor4d(x, [...xs] as [number, number, number, number]),
      tf.tensor4d(w, [...ws] as [number, number, number, number]),
    ];
    const y = f(xt, wt);
    const weight = tf.tensor(random(y.shape, 10), y.shape);
    return [y, ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), weight)))([xt, wt])];
  };
}
