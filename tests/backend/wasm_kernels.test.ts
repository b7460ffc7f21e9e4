import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/backend.ts";
import { wasmKernelsInstalled } from "../../lib/backend/wasm_kernels.ts";
import { createRng } from "../../lib/core/random.ts";

function random(shape: number[], seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
}

/** Runs `f` on a backend and returns plain numbers. */
async function on(backend: "cpu" | "wasm", f: () => tf.Tensor | tf.Tensor[]): Promise<number[][]> {
  await initBackend({ backend, quiet: true });
  const out = tf.tidy(f);
  const values = [out].flat().map((t) => Array.from(t.dataSync()));
  tf.dispose(out);
  return values;
}

function expectClose(actual: number[][], expected: number[][], tolerance: number) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((values, i) => values.forEach((v, j) => expect(Math.abs(v - expected[i][j])).toBeLessThan(tolerance)));
}

beforeAll(async () => {
  await initBackend({ backend: "wasm", quiet: true });
});
afterAll(async () => {
  await initBackend({ backend: "wasm", quiet: true });
});

describe("wasm matrix products with transposes", () => {
  test("are installed by default", () => {
    expect(wasmKernelsInstalled()).toBe(true);
  });

  test.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])("matMul(transposeA=%s, transposeB=%s) matches the cpu backend, with batch dimensions", async (ta, tb) => {
    const [m, k, n, batch] = [7, 13, 5, 3];
    const aShape = ta ? [batch, k, m] : [batch, m, k], bShape = tb ? [batch, n, k] : [batch, k, n];
    const run = () => tf.matMul(tf.tensor(random(aShape, 1), aShape), tf.tensor(random(bShape, 2), bShape), ta, tb);
    // Sums of 13 products of unit normals in float32: differences ~1e-6.
    expectClose(await on("wasm", run), await on("cpu", run), 1e-5);
  });

  test("the fused product with bias and relu matches the cpu backend", async () => {
    const run = () =>
      tf.fused.matMul({
        a: tf.tensor2d(random([6, 4], 3), [6, 4]),
        b: tf.tensor2d(random([6, 3], 4), [3, 6]),
        transposeA: true,
        transposeB: true,
        bias: tf.tensor1d([0.1, -0.2, 0.3]),
        activation: "relu",
      });
    expectClose(await on("wasm", run), await on("cpu", run), 1e-5);
  });

  test("a dense layer's gradients match the cpu backend and leak no tensors", async () => {
    const x = random([32, 20], 5), w = random([20, 8], 6);
    const run = () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.relu(tf.matMul(a, b)))))([
        tf.tensor2d(x, [32, 20]),
        tf.tensor2d(w, [20, 8]),
      ]);
    await initBackend({ backend: "wasm", quiet: true });
    const before = tf.memory().numTensors;
    const wasm = await on("wasm", run);
    expect(tf.memory().numTensors).toBe(before);
    // Gradients of order 10–100 accumulated over 32 rows in float32.
    expectClose(wasm, await on("cpu", run), 1e-3);
  });
});

describe("wasm Conv2DBackpropFilter", () => {
  test.each(
    [
      ["3×3, stride 1, same", [2, 7, 7, 3], [3, 3, 3, 4], 1, "same"],
      ["3×3, stride 2, same (asymmetric padding)", [2, 8, 8, 3], [3, 3, 3, 5], 2, "same"],
      ["3×3, stride 2, valid", [1, 9, 9, 2], [3, 3, 2, 3], 2, "valid"],
      ["1×1, stride 2, valid (projection shortcut)", [2, 8, 8, 4], [1, 1, 4, 6], 2, "valid"],
      ["5×3, stride (2, 1), explicit padding", [1, 9, 7, 2], [5, 3, 2, 2], [2, 1], [[0, 0], [2, 1], [1, 1], [0, 0]]],
    ] as const,
  )("matches the cpu backend: %s", async (_, xShape, wShape, strides, pad) => {
    const x = random([...xShape], 7), w = random([...wShape], 8);
    const run = () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides as [number, number], pad as "same")))
      )([tf.tensor4d(x, [...xShape]), tf.tensor4d(w, [...wShape])]);
    // Filter gradients sum up to N·OH·OW·C products of magnitude ~10 in float32.
    expectClose(await on("wasm", run), await on("cpu", run), 2e-3);
  });
});

test("a short training run gives the same loss curve with the project's kernels and the stock ones", async () => {
  const { normalizeTrainConfig } = await import("../../lib/training/config.ts");
  const { prepareData, Trainer } = await import("../../lib/training/train.ts");
  const config = normalizeTrainConfig({
    dataset: "synthetic",
    synthetic: { numClasses: 3, dim: 12, trainPerClass: 60, testPerClass: 10, separation: 3 },
    width: 24,
    depth: 2,
    epochs: 3,
    batchSize: 20,
    seed: 2,
  });
  const curve = async (projectKernels: boolean) => {
    await initBackend({ backend: "wasm", quiet: true, projectKernels });
    const trainer = new Trainer(config, prepareData(config));
    const losses: number[] = [];
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      await trainer.trainEpoch(epoch, (p) => losses.push(p.loss));
    }
    trainer.dispose();
    return losses;
  };
  const stock = await curve(false);
  const project = await curve(true);
  expect(wasmKernelsInstalled()).toBe(true);
  expect(project).toHaveLength(stock.length);
  // Same arithmetic up to float32 summation order: running losses agree to ~1e-5 relative.
  project.forEach((loss, i) => expect(Math.abs(loss - stock[i])).toBeLessThan(1e-4 * Math.max(1, stock[i])));
});
