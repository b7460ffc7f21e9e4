import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/backend.ts";
import { ConvolutionPlans } from "../../lib/backend/native_conv.ts";
import { nativeRuntime } from "../../lib/backend/native_backend.ts";
import { RELU_LOOP_ENTRIES } from "../../lib/backend/native_relu.ts";
import { batchNormTraining } from "../../lib/models/batch_norm.ts";
import { Sgd } from "../../lib/training/optimizer.ts";
import {
  convolutionAndGradients,
  CONVOLUTIONS,
  expectCloseLosses,
  maxRelative,
  measureAcrossSteps,
  mlpLossCurve,
  on,
  optimizerSteps,
  random,
  resnetSteps,
} from "./compare.ts";

beforeAll(async () => {
  await initBackend({ backend: "native", quiet: true, threads: 2 });
});
afterAll(async () => {
  await initBackend({ backend: "wasm", quiet: true });
});

describe("native matrix products (OpenBLAS)", () => {
  test.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])(
    "matMul(transposeA=%s, transposeB=%s) matches the cpu backend: rank 2, batch dims, broadcast batch",
    async (ta, tb) => {
      const [m, k, n] = [7, 13, 5];
      const shape = (
        rows: number,
        cols: number,
        t: boolean,
        batch: number[],
      ) => [...batch, ...(t ? [cols, rows] : [rows, cols])];
      for (const [batchA, batchB] of [[[], []], [[3], [3]], [[2, 3], [2, 3]], [[1], [4]], [[4], [1]], [[], [3]]]) {
        const aShape = shape(m, k, ta, batchA), bShape = shape(k, n, tb, batchB);
        const run = () => tf.matMul(tf.tensor(random(aShape, 1), aShape), tf.tensor(random(bShape, 2), bShape), ta, tb);
        // Sums of 13 products of unit normals in float32: differences ~1e-6.
        expect(maxRelative(await on("native", run), await on("cpu", run)), `${aShape} × ${bShape}`).toBeLessThan(1e-5);
      }
    },
  );

  test.each(
    [
      ["bias [n] and relu", [5], "relu"],
      ["scalar bias, linear", [1], "linear"],
      ["no bias, relu", null, "relu"],
      ["bias and elu (the wasm kernel's case)", [5], "elu"],
    ] as const,
  )("the fused product with %s matches the cpu backend", async (_, biasShape, activation) => {
    const run = () =>
      tf.fused.matMul({
        a: tf.tensor2d(random([6, 4], 3), [6, 4]),
        b: tf.tensor2d(random([5, 6], 4), [5, 6]),
        transposeA: true,
        transposeB: true,
        bias: biasShape ? tf.tensor(random(biasShape, 5), [...biasShape]) : undefined,
        activation,
      });
    expect(maxRelative(await on("native", run), await on("cpu", run))).toBeLessThan(1e-5);
  });

  test("sums over the leading axes or all axes (sgemv), with and without keepDims, and other axes (wasm), match the cpu backend", async () => {
    const x = random([4, 3, 5, 6], 12);
    const run = () => {
      const t = tf.tensor4d(x, [4, 3, 5, 6]);
      return [
        tf.sum(t, [0, 1, 2]),
        tf.sum(t, [2, 0, 1], true),
        tf.sum(t),
        tf.sum(t, undefined, true),
        tf.sum(t, 1),
        tf.sum(tf.reshape(t, [60, 6]), 0),
      ];
    };
    const native = await on("native", run), cpu = await on("cpu", run);
    expect(maxRelative(native, cpu)).toBeLessThan(1e-5);
    await initBackend({ backend: "native", quiet: true });
    const shapes = tf.tidy(() => run().map((t) => t.shape));
    expect(shapes).toEqual([[6], [1, 1, 1, 6], [], [1, 1, 1, 1], [4, 5, 6], [6]]);
  });

  test("a dense layer's gradients match the cpu backend", async () => {
    const x = random([32, 20], 5), w = random([20, 8], 6);
    const run = () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.relu(tf.matMul(a, b)))))([
        tf.tensor2d(x, [32, 20]),
        tf.tensor2d(w, [20, 8]),
      ]);
    // Gradients of order 10–100 accumulated over 32 rows in float32.
    expect(maxRelative(await on("native", run), await on("cpu", run))).toBeLessThan(1e-5);
  });
});

describe("native convolutions (oneDNN)", () => {
  test.each(CONVOLUTIONS)("forward and both gradients match the cpu backend: %s", async (_, xs, ws, strides, pad) => {
    const run = convolutionAndGradients(xs, ws, strides, pad);
    // Sums of up to N·OH·OW products of unit normals (filter gradient) in float32.
    expect(maxRelative(await on("native", run), await on("cpu", run))).toBeLessThan(1e-4);
  });

  test("a dilated convolution (forward only: tfjs does not differentiate dilation) matches the cpu backend", async () => {
    const run = () =>
      tf.conv2d(
        tf.tensor4d(random([1, 9, 9, 2], 11), [1, 9, 9, 2]),
        tf.tensor4d(random([3, 3, 2, 3], 12), [3, 3, 2, 3]),
        1,
        "same",
        "NHWC",
        2,
      );
    expect(maxRelative(await on("native", run), await on("cpu", run))).toBeLessThan(1e-5);
  });

  test("the fused convolution with bias and relu matches the cpu backend", async () => {
    const run = () =>
      tf.fused.conv2d({
        x: tf.tensor4d(random([2, 6, 6, 3], 13), [2, 6, 6, 3]),
        filter: tf.tensor4d(random([3, 3, 3, 4], 14), [3, 3, 3, 4]),
        strides: 1,
        pad: "same",
        bias: tf.tensor1d(random([4], 15)),
        activation: "relu",
      });
    expect(maxRelative(await on("native", run), await on("cpu", run))).toBeLessThan(1e-5);
  });

  test("primitives are cached per geometry and the cache is bounded (least recently used out)", async () => {
    await initBackend({ backend: "native", quiet: true });
    const plans = new ConvolutionPlans(nativeRuntime()!.dnnl, 2);
    const info = (size: number) => tf.backend_util.computeConv2DInfo([1, size, size, 2], [3, 3, 2, 2], 1, 1, "same");
    plans.plan("forward", info(4));
    plans.plan("forward", info(5));
    plans.plan("forward", info(4));
    expect(plans.size).toBe(2);
    plans.plan("forward", info(6));
    expect(Object.keys(plans.implementations())).toEqual([
      "forward:1,4,4,2,2,3,3,1,1,1,1,1,1,1,1",
      "forward:1,6,6,2,2,3,3,1,1,1,1,1,1,1,1",
    ]);
    plans.clear();
    expect(plans.size).toBe(0);
  });
});

describe("native batch normalisation, ReLU and optimizer", () => {
  test.each([[[40, 6]], [[3, 5, 4, 6]]] as const)(
    "batch normalisation of shape %j on native and wasm: output, statistics and gradients match the cpu backend's autodiff",
    async (shape) => {
      const x = random(shape, 20).map((v) => 3 * v + 1), w = random(shape, 21);
      const gamma = random([6], 22), beta = random([6], 23);
      const tensors = () => [tf.tensor(x, [...shape]), tf.tensor1d(gamma), tf.tensor1d(beta)];
      const ours = () => {
        const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(batchNormTraining(a, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5).y, tf.tensor(w, [...shape])));
        const [a, g, b] = tensors();
        const { y, mean, variance } = batchNormTraining(a, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5);
        return [y, mean, variance, ...tf.grads(f)([a, g, b])];
      };
      const autodiff = () => {
        const axes = shape.slice(0, -1).map((_, i) => i);
        const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const { mean, variance } = tf.moments(a, axes);
          return tf.batchNorm(a, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-5);
        };
        const [a, g, b] = tensors();
        const { mean, variance } = tf.moments(a, axes);
        return [
          f(a, g, b),
          mean,
          variance,
          ...tf.grads((a, g, b) => tf.sum(tf.mul(f(a, g, b), tf.tensor(w, [...shape]))))([a, g, b]),
        ];
      };
      const reference = await on("cpu", autodiff);
      // float32 statistics over up to 60 rows, gradients through them: ~1e-5 relative.
      expect(maxRelative(await on("native", ours), reference)).toBeLessThan(1e-4);
      // wasm runs the float64-accumulating kernels for every rank (native uses oneDNN for NHWC).
      expect(maxRelative(await on("wasm", ours), reference)).toBeLessThan(1e-4);
      // The closed-form gradient without the native kernels (cpu backend) agrees as well.
      expect(maxRelative(await on("cpu", ours), reference)).toBeLessThan(1e-4);
    },
  );

  test("relu and its gradient match the cpu backend, zeros included", async () => {
    const values = random([4, 50], 30).map((v, i) => (i % 7 === 0 ? 0 : v));
    const run = () => {
      const x = tf.tensor2d(values, [4, 50]);
      return [tf.relu(x), ...tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), a)))([x])];
    };
    expect(maxRelative(await on("native", run), await on("cpu", run))).toBe(0);
  });

  test("relu and its gradient, in the loop and on oneDNN, one and two threads: equal values, +0 below zero", async () => {
    const grad = (a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), a));
    for (const size of [200, RELU_LOOP_ENTRIES + 8]) {
      const values = random([size], 31).map((v, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? -0 : v));
      values[3] = NaN;
      const results: number[][][] = [];
      for (const threads of [1, 2]) {
        await initBackend({ backend: "native", quiet: true, threads });
        results.push(tf.tidy(() => {
          const x = tf.tensor1d(values);
          return [tf.relu(x), ...tf.grads(grad)([x])].map((t) => Array.from(t.dataSync()));
        }));
      }
      // NaN: the loop keeps it, as the cpu backend does; oneDNN's ReLU makes it 0.
      const nanOut = results.map(([y]) => y[3]);
      expect(nanOut, `${size} entries`).toEqual(size < RELU_LOOP_ENTRIES ? [0, NaN] : [0, 0]);
      const [y, dx] = results[0];
      for (const r of results) r.forEach((t) => t.splice(3, 1));
      expect(results[1], `${size} entries`).toEqual(results[0]);
      expect(y.filter((v) => v < 0 || Object.is(v, -0))).toEqual([]);
      // d/da Σ relu(a)·a = 2a where a > 0, else 0.
      const rest = values.filter((_, i) => i !== 3);
      const wrong = rest.flatMap((v, i) =>
        y[i] === (v > 0 ? Math.fround(v) : 0) && dx[i] === (v > 0 ? 2 * Math.fround(v) : 0) ? [] : [i]
      );
      expect(wrong).toEqual([]);
    }
  });

  test("the fused SGD update matches the optimizer's tensor operations on the cpu backend to float32 rounding", async () => {
    // One rounding where the tensor operations round four times: a few float32 ulps.
    expect(maxRelative(await on("native", optimizerSteps), await on("cpu", optimizerSteps))).toBeLessThan(1e-6);
  });

  test("the update writes a parameter in place only when nothing else shares its memory", async () => {
    await initBackend({ backend: "native", quiet: true });
    const p = tf.variable(tf.tensor1d([1, 2, 3])), q = tf.variable(tf.tensor1d([4, 5, 6]));
    const sgd = new Sgd([p, q], { momentum: 0.9, weightDecay: 0, clipNorm: 0 });
    const snapshot = p.clone(); // shares p's memory: p must be copied, not overwritten
    sgd.step([tf.ones([3]), tf.ones([3])], 0.5).dispose();
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(p.dataSync())).toEqual([0.5, 1.5, 2.5]);
    expect(Array.from(q.dataSync())).toEqual([3.5, 4.5, 5.5]);
    tf.dispose([p, q, snapshot]);
    sgd.dispose();
  });

  test("a clone shares memory with its source and outlives it", async () => {
    await initBackend({ backend: "native", quiet: true });
    const x = tf.tensor1d([1, 2, 3]);
    const buffers = tf.memory().numDataBuffers;
    const y = x.clone();
    expect(tf.memory().numDataBuffers).toBe(buffers);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
  });
});

describe("native training", () => {
  test("a short MLP run gives the wasm backend's loss curve within float32 tolerance, and twice the same curve", async () => {
    const wasm = await mlpLossCurve("wasm", 3);
    const native = await mlpLossCurve("native", 3);
    // Different summation orders (BLAS, oneDNN) compound over 27 steps: agreement to 1e-4 relative.
    expectCloseLosses(native, wasm, 1e-4);
    // Fixed thread count: bit-identical repeats, which exact resume relies on.
    expect(await mlpLossCurve("native", 3)).toEqual(native);
  });

  test("a few ResNet-18 steps give the wasm backend's losses within float32 tolerance", async () => {
    const wasm = await resnetSteps("wasm", 4);
    const native = await resnetSteps("native", 4);
    // Batch statistics of 8 samples and four SGD steps in float32: 1e-4 relative.
    expectCloseLosses(native.losses, wasm.losses, 1e-4);
  });

  test("a thousand training steps leak no tensor and do not grow the heap", async () => {
    await initBackend({ backend: "native", quiet: true });
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    const [before, after] = await measureAcrossSteps(100, 900, () => [tf.memory().numTensors, heap()]);
    expect(after).toEqual(before);
  });

  test("kernels take fresh views after the heap grows (no stale pointers)", async () => {
    await initBackend({ backend: "native", quiet: true });
    const a = tf.tensor2d(random([64, 48], 80), [64, 48]), b = tf.tensor2d(random([48, 32], 81), [48, 32]);
    const x = tf.tensor4d(random([2, 8, 8, 3], 82), [2, 8, 8, 3]),
      w = tf.tensor4d(random([3, 3, 3, 4], 83), [3, 3, 3, 4]);
    const compute = () =>
      tf.tidy(() => [tf.matMul(a, b), tf.conv2d(x, w, 1, "same")].map((t) => Array.from(t.dataSync())));
    const before = compute();
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    const size = heap();
    const big = tf.zeros([size / 2]); // twice the heap's bytes in float32: it must grow
    expect(heap()).toBeGreaterThan(size);
    expect(compute()).toEqual(before);
    tf.dispose([a, b, x, w, big]);
  });
});
