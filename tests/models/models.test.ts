import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/backend.ts";
import { buildMlp } from "../../lib/models/mlp.ts";
import {
  forward,
  hiddenFeaturesModel,
  ModelConfigError,
  type Network,
  readClassifier,
  trainableParameterCount,
  trainableVariables,
} from "../../lib/models/network.ts";
import { buildResNet18, buildResNet50 } from "../../lib/models/resnet.ts";

beforeAll(async () => {
  await initBackend({ backend: "wasm", quiet: true });
});
afterAll(async () => {
  await initBackend({ backend: "wasm", quiet: true });
});

async function checkForwardBackward(net: Network, batch: number) {
  const { W, b } = await readClassifier(net);
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const x = tf.randomNormal([batch, ...net.inputShape], 0, 1, "float32", 1);
    const { features, logits } = forward(net, x, { training: true });
    expect(features.shape).toEqual([batch, net.featureDim]);
    expect(logits.shape).toEqual([batch, net.numClasses]);
    const vars = trainableVariables(net);
    const { grads } = tf.variableGrads(
      () => tf.mean(tf.square(forward(net, x, { training: true }).logits)) as tf.Scalar,
      vars,
    );
    for (const v of vars) expect(grads[v.name].shape).toEqual(v.shape);
    expect(Object.values(grads).some((g) => tf.any(tf.notEqual(g, 0)).dataSync()[0])).toBe(true);
    // The classifier is the last layer: logits = W·features + b in inference mode.
    const out = forward(net, x, { training: false });
    const f = out.features.arraySync()[0], z = out.logits.arraySync()[0];
    for (let k = 0; k < net.numClasses; k++) {
      let expected = b[k];
      for (let j = 0; j < net.featureDim; j++) expected += W.data[k * net.featureDim + j] * f[j];
      expect(z[k]).toBeCloseTo(expected, 4);
    }
  });
  expect(tf.memory().numTensors).toBe(before);
}

describe("forward and backward on tiny inputs", () => {
  test("MLP, with and without batch norm, on images and on feature vectors", async () => {
    for (const batchNorm of [false, true]) {
      const net = buildMlp({ inputShape: [4, 4, 1], numClasses: 3, width: 8, depth: 2, batchNorm, seed: 0 });
      await checkForwardBackward(net, 5);
      net.model.dispose();
    }
    const flat = buildMlp({ inputShape: [6], numClasses: 2, width: 4, seed: 0 });
    await checkForwardBackward(flat, 3);
    flat.model.dispose();
  });

  test("ResNet-18 at width 0.125 and ResNet-50 at width 0.25 on 8×8×3 images", async () => {
    const r18 = buildResNet18({ inputShape: [8, 8, 3], numClasses: 4, width: 0.125, seed: 0 });
    expect(r18.featureDim).toBe(64);
    await checkForwardBackward(r18, 2);
    r18.model.dispose();
    const r50 = buildResNet50({ inputShape: [8, 8, 3], numClasses: 4, width: 0.25, seed: 0 });
    expect(r50.featureDim).toBe(2048);
    await checkForwardBackward(r50, 2);
    r50.model.dispose();
  });
});

describe("parameter counts", () => {
  test.each([
    [0.25, 5.88e6],
    [0.5, 10.35e6],
    [1, 23.52e6],
    [2, 66.85e6],
  ])("the CIFAR ResNet-50 at width %s has %d parameters (docs/method.md §7, within 0.5 %)", (width, expected) => {
    const net = buildResNet50({ inputShape: [32, 32, 3], numClasses: 10, width, seed: 0 });
    expect(Math.abs(trainableParameterCount(net) / expected - 1)).toBeLessThan(0.005);
    expect(net.featureDim).toBe(2048);
    net.model.dispose();
  }, 60_000);

  test("ResNet-18 at width 1 matches the CIFAR ResNet-18's 11,173,962 parameters", () => {
    const net = buildResNet18({ inputShape: [32, 32, 3], numClasses: 10, width: 1, seed: 0 });
    expect(trainableParameterCount(net)).toBe(11_173_962);
    net.model.dispose();
  });
});

test("initialisation follows PyTorch's default U(−1/√fan_in, 1/√fan_in) and is seeded", () => {
  const a = buildMlp({ inputShape: [100], numClasses: 2, width: 50, depth: 1, seed: 3 });
  const b = buildMlp({ inputShape: [100], numClasses: 2, width: 50, depth: 1, seed: 3 });
  const kernel = a.model.getLayer("dense_1").getWeights()[0].dataSync();
  const bound = 1 / Math.sqrt(100);
  expect(Math.max(...kernel.map(Math.abs))).toBeLessThanOrEqual(bound);
  expect(Math.max(...kernel.map(Math.abs))).toBeGreaterThan(0.95 * bound);
  expect(b.model.getLayer("dense_1").getWeights()[0].dataSync()).toEqual(kernel);
  a.model.dispose();
  b.model.dispose();
});

test("invalid widths are errors naming the model", () => {
  expect(() => buildMlp({ inputShape: [4], numClasses: 2, width: 0, seed: 0 })).toThrow(ModelConfigError);
  expect(() => buildResNet50({ inputShape: [8, 8, 3], numClasses: 2, width: -1, seed: 0 })).toThrow(
    /resnet50 width multiplier must be > 0/,
  );
});

/**
 * Folding moves each product's rounding: measured up to 3.6e-7 of the layer's largest value (wasm,
 * batch norm), 0 where nothing is folded on cpu and native (the same products).
 */
const TOL = 1e-6;
describe.each(["cpu", "wasm", "native"] as const)("the MLP's folded inference on %s", (backend) => {
  test("equals the layer graph's inference (batch norm with trained moving statistics, and without) to float32 rounding", async () => {
    await initBackend({ backend, quiet: true, threads: 1 });
    for (const batchNorm of [true, false]) {
      const net = buildMlp({ inputShape: [6, 6, 1], numClasses: 5, width: 32, depth: 3, batchNorm, seed: 3 });
      // Moving statistics away from (0, 1), as after training.
      for (let i = 0; i < 5; i++) {
        tf.tidy(() =>
          net.model.apply(tf.randomNormal([64, 6, 6, 1], 0.5, 2, "float32", i), { training: true }) as tf.Tensor[]
        );
      }
      const x = tf.randomNormal([40, 6, 6, 1], 0, 1, "float32", 9);
      const [graphFeatures, graphLogits] = net.model.apply(x, { training: false }) as tf.Tensor[];
      const { hidden, logits } = net.infer!(x);
      const graphHidden = hiddenFeaturesModel(net).apply(x, { training: false }) as tf.Tensor[];
      // Largest difference against the layer's largest value: the products' rounding scales with it.
      const worst = (a: tf.Tensor, b: tf.Tensor) =>
        tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(a, b))), tf.max(tf.abs(b))).dataSync()[0]);
      expect(hidden).toHaveLength(3);
      hidden.forEach((h, i) => expect(worst(h, graphHidden[i]), `layer ${i + 1}`).toBeLessThan(TOL));
      expect(worst(hidden[2], graphFeatures)).toBeLessThan(TOL);
      expect(worst(logits, graphLogits)).toBeLessThan(TOL);
      // ReLU outputs are exactly zero where the graph's are (no −0, no small negatives).
      for (const [h, g] of hidden.map((h, i) => [h, graphHidden[i]])) {
        const [hv, gv] = [h.dataSync(), g.dataSync()];
        expect(hv.every((v) => v >= 0 && !Object.is(v, -0))).toBe(true);
        expect(hv.filter((v) => v === 0).length).toBeGreaterThan(0);
        expect(Math.abs(hv.filter((v) => v === 0).length - gv.filter((v) => v === 0).length)).toBeLessThan(3);
      }
      tf.dispose([x, graphFeatures, graphLogits, ...hidden, logits, ...graphHidden]);
      net.model.dispose();
    }
  });
});
