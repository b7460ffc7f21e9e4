/**
 * The webgpu backend, exercised on the software adapter these machines have (Mesa's llvmpipe,
 * opted in with NC_WEBGPU_SOFTWARE=1): every kernel the models use against the cpu backend,
 * training against wasm, NC metrics, and leaks. A real GPU runs the same code path.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { initBackend, probeWebGpu } from "../../lib/backend/backend.ts";
import { lossTensor } from "../../lib/core/loss_tensors.ts";
import { ClassMeanAccumulator, WithinClassAccumulator } from "../../lib/core/nc_accumulators.ts";
import { ncMetrics } from "../../lib/core/nc_metrics.ts";
import { batchNormTraining } from "../../lib/models/batch_norm.ts";
import { forward, type Network, readClassifier } from "../../lib/models/network.ts";
import { LOSS_CASES } from "../helpers.ts";
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

const saved = process.env.NC_WEBGPU_SOFTWARE;
beforeAll(async () => {
  process.env.NC_WEBGPU_SOFTWARE = "1";
  const probe = await probeWebGpu();
  // These machines have no GPU; the software adapter must be there (set-up installs Mesa).
  expect(probe.usable || probe.software, `no WebGPU adapter: ${probe.description}`).toBe(true);
  await initBackend({ backend: "webgpu", quiet: true });
});
afterAll(async () => {
  if (saved === undefined) delete process.env.NC_WEBGPU_SOFTWARE;
  else process.env.NC_WEBGPU_SOFTWARE = saved;
  await initBackend({ backend: "wasm", quiet: true });
});

describe("webgpu kernels against the cpu backend", () => {
  test.each([[false, false], [true, false], [false, true], [true, true]])(
    "matMul(transposeA=%s, transposeB=%s) with batch dimensions, and the fused product with bias and relu",
    async (ta, tb) => {
      const [m, k, n, batch] = [7, 13, 5, 3];
      const aShape = ta ? [batch, k, m] : [batch, m, k], bShape = tb ? [batch, n, k] : [batch, k, n];
      const run = () => {
        const [a, b] = [tf.tensor(random(aShape, 1), aShape), tf.tensor(random(bShape, 2), bShape)];
        const bias = tf.tensor1d(random([n], 3));
        return [
          tf.matMul(a, b, ta, tb),
          tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation: "relu" }),
        ];
      };
      // Sums of 13 products of unit normals in float32.
      expect(maxRelative(await on("webgpu", run), await on("cpu", run))).toBeLessThan(1e-5);
    },
  );

  // The largest case takes about 5 s on the software adapter when the other core is busy.
  test.each(CONVOLUTIONS)(
    "convolution and both gradients: %s",
    { timeout: 30_000 },
    async (_, xs, ws, strides, pad) => {
      const run = convolutionAndGradients(xs, ws, strides, pad);
      // Sums of up to N·OH·OW products of unit normals in float32.
      expect(maxRelative(await on("webgpu", run), await on("cpu", run))).toBeLessThan(1e-4);
    },
  );

  test("batch normalisation in training mode (statistics and gradients) and in inference mode", async () => {
    const shape = [3, 5, 4, 6];
    const x = random(shape, 20).map((v) => 3 * v + 1), w = random(shape, 21);
    const run = () => {
      const [a, g, b] = [
        tf.tensor4d(x, shape as [number, number, number, number]),
        tf.tensor1d(random([6], 22)),
        tf.tensor1d(random([6], 23)),
      ];
      const weight = tf.tensor(w, shape);
      const { y, mean, variance } = batchNormTraining(a, g, b, 1e-5);
      const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(batchNormTraining(a, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5).y, weight))
      )([a, g, b]);
      return [y, mean, variance, ...grads, tf.batchNorm(a, mean, variance, b, g, 1e-5)];
    };
    expect(maxRelative(await on("webgpu", run), await on("cpu", run))).toBeLessThan(1e-4);
  });

  test("pooling (global average as the models use, average and max) and their gradients", async () => {
    const shape: [number, number, number, number] = [2, 6, 6, 3];
    const x = random(shape, 30);
    const run = () => {
      const a = tf.tensor4d(x, shape);
      const pools = (
        t: tf.Tensor,
      ) => [
        tf.mean(t, [1, 2]),
        tf.avgPool(t as tf.Tensor4D, 2, 2, "valid"),
        tf.maxPool(t as tf.Tensor4D, 3, 2, "same"),
      ];
      return [
        ...pools(a),
        ...tf.grads((t: tf.Tensor) => tf.addN(pools(t).map((p, i) => tf.mul(tf.sum(p), i + 1))))([a]),
      ];
    };
    expect(maxRelative(await on("webgpu", run), await on("cpu", run))).toBeLessThan(1e-5);
  });

  test.each(LOSS_CASES)("the loss %j and its gradient", async (spec) => {
    const run = () => {
      const logits = tf.tensor2d(random([6, 4], 40).map((v) => 3 * v), [6, 4]);
      const labels = tf.tensor1d([0, 1, 2, 3, 1, 2], "int32");
      const f = (z: tf.Tensor) => lossTensor(spec, z as tf.Tensor2D, labels);
      return [f(logits), ...tf.grads(f)([logits])];
    };
    expect(maxRelative(await on("webgpu", run), await on("cpu", run))).toBeLessThan(1e-5);
  });

  test("addN of 1 to 16 tensors (the gradient norm adds one per parameter tensor)", async () => {
    const run = () =>
      Array.from({ length: 16 }, (_, n) => tf.addN(Array.from({ length: n + 1 }, (_, i) => tf.tensor1d([i + 1, -i]))));
    const expected = Array.from({ length: 16 }, (_, n) => [((n + 1) * (n + 2)) / 2, -(n * (n + 1)) / 2]);
    expect(await on("webgpu", run)).toEqual(expected);
  });

  test("three optimizer steps (clipping, weight decay, momentum)", async () => {
    expect(maxRelative(await on("webgpu", optimizerSteps), await on("cpu", optimizerSteps))).toBeLessThan(1e-6);
  });
});

describe("webgpu training", () => {
  test(
    "a short MLP run gives the wasm backend's loss curve within float32 tolerance",
    { timeout: 60_000 },
    async () => {
      // Different summation orders compound over 18 steps: agreement to 1e-4 relative.
      expectCloseLosses(await mlpLossCurve("webgpu", 2), await mlpLossCurve("wasm", 2), 1e-4);
    },
  );

  test("a few ResNet-18 steps give the wasm backend's losses, and the same NC metrics of its features", {
    timeout: 120_000,
  }, async () => {
    const metricsOfFeatures = async (net: Network, x: tf.Tensor4D, labels: number[]) => {
      const features = tf.tidy(() => forward(net, x, { training: false }).features);
      const values = Float32Array.from(await features.data());
      features.dispose();
      const classifier = await readClassifier(net);
      const pass1 = new ClassMeanAccumulator(4, net.featureDim);
      pass1.accumulate(values, Int32Array.from(labels));
      const pass2 = new WithinClassAccumulator(pass1.compute(), { classifier });
      pass2.accumulate(values, Int32Array.from(labels));
      return ncMetrics(pass2.compute(), classifier);
    };
    const wasm = await resnetSteps("wasm", 3, metricsOfFeatures);
    const webgpu = await resnetSteps("webgpu", 3, metricsOfFeatures);
    // Batch statistics of 8 samples and three SGD steps in float32: 1e-4 relative.
    expectCloseLosses(webgpu.losses, wasm.losses, 1e-4);
    for (const key of ["nc1", "nc2", "nc3", "nc4"] as const) {
      expect(Math.abs(webgpu.inspected[key] - wasm.inspected[key]), key).toBeLessThan(
        1e-3 * Math.max(1, Math.abs(wasm.inspected[key])),
      );
    }
  });

  test("two hundred training steps leak no tensor", { timeout: 120_000 }, async () => {
    await initBackend({ backend: "webgpu", quiet: true });
    const [before, after] = await measureAcrossSteps(20, 180, () => tf.memory().numTensors);
    expect(after).toBe(before);
  });
});
