/** Helpers to compare a computation across TensorFlow.js backends. */
import { expect } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/backend.ts";
import { createRng } from "../../lib/core/random.ts";
import { lossTensor } from "../../lib/core/loss_tensors.ts";
import { buildMlp } from "../../lib/models/mlp.ts";
import { buildResNet18 } from "../../lib/models/resnet.ts";
import { forward, type Network, trainableVariables } from "../../lib/models/network.ts";
import { normalizeTrainConfig } from "../../lib/training/config.ts";
import { Sgd } from "../../lib/training/optimizer.ts";
import { prepareData, Trainer } from "../../lib/training/train.ts";

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

type Backend = "cpu" | "wasm" | "native" | "webgpu";

/** A batch-norm MLP trained on a synthetic mixture through the Trainer: the running loss after every step. */
export async function mlpLossCurve(backend: Backend, epochs: number): Promise<number[]> {
  const config = normalizeTrainConfig({
    dataset: "synthetic",
    synthetic: { numClasses: 3, dim: 12, trainPerClass: 60, testPerClass: 10, separation: 3 },
    width: 24,
    depth: 2,
    batchNorm: true,
    epochs,
    batchSize: 20,
    seed: 2,
  });
  await initBackend({ backend, quiet: true, threads: 2 });
  const trainer = new Trainer(config, prepareData(config));
  const losses: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) await trainer.trainEpoch(epoch, (p) => losses.push(p.loss));
  trainer.dispose();
  return losses;
}

/**
 * `steps` SGD steps of a width-0.125 ResNet-18 on 8 seeded 16×16×3 images: the losses, and what
 * `inspect` returns of the trained network (before it is disposed).
 */
export async function resnetSteps<T>(
  backend: Backend,
  steps: number,
  inspect: (net: Network, x: tf.Tensor4D, labels: number[]) => Promise<T> = () => Promise.resolve(undefined as T),
): Promise<{ losses: number[]; inspected: T }> {
  await initBackend({ backend, quiet: true, threads: 2 });
  const net = buildResNet18({ inputShape: [16, 16, 3], numClasses: 4, width: 0.125, seed: 3 });
  const vars = trainableVariables(net);
  const sgd = new Sgd(vars, { momentum: 0.9, weightDecay: 5e-4, clipNorm: 2 });
  const x = tf.tensor4d(random([8, 16, 16, 3], 60), [8, 16, 16, 3]);
  const labels = [0, 1, 2, 3, 0, 1, 2, 3];
  const y = tf.tensor1d(labels, "int32");
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => lossTensor({ name: "ce" }, forward(net, x, { training: true }).logits, y),
        vars,
      );
      sgd.step(vars.map((v) => grads[v.name]), 0.05).dispose();
      return value;
    });
    losses.push((await loss.data())[0]);
    loss.dispose();
  }
  const inspected = await inspect(net, x, labels);
  sgd.dispose();
  net.model.dispose();
  tf.dispose([x, y]);
  return { losses, inspected };
}

/** Each of `actual` within `relative` (× max(1, |expected|)) of `expected`, entry by entry. */
export function expectCloseLosses(actual: number[], expected: number[], relative: number): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) =>
    expect(Math.abs(v - expected[i])).toBeLessThan(relative * Math.max(1, Math.abs(expected[i])))
  );
}

/**
 * Trains a small batch-norm MLP for `warm` steps, records `measure()`, trains `more` steps and
 * records it again (after the device has finished): for leak checks.
 */
export async function measureAcrossSteps<T>(warm: number, more: number, measure: () => T): Promise<[T, T]> {
  const net = buildMlp({ inputShape: [20], numClasses: 5, width: 32, depth: 2, batchNorm: true, seed: 1 });
  const vars = trainableVariables(net);
  const sgd = new Sgd(vars, { momentum: 0.9, weightDecay: 5e-4, clipNorm: 2 });
  const x = tf.tensor2d(random([16, 20], 70), [16, 20]);
  const y = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 5), "int32");
  const step = () =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(
        () => lossTensor({ name: "ce" }, forward(net, x, { training: true }).logits, y),
        vars,
      );
      sgd.step(vars.map((v) => grads[v.name]), 0.01).dispose();
    });
  for (let i = 0; i < warm; i++) step();
  await vars[0].data();
  const before = measure();
  for (let i = 0; i < more; i++) step();
  await vars[0].data(); // waits for queued device work
  const after = measure();
  sgd.dispose();
  net.model.dispose();
  tf.dispose([x, y]);
  return [before, after];
}

/** Three SGD steps (clipping, weight decay, momentum) on two seeded parameters: the parameters and velocities after. */
export function optimizerSteps(): tf.Tensor[] {
  const shapes = [[30, 7], [7]];
  const vars = shapes.map((s, i) => tf.variable(tf.tensor(random(s, 40 + i), s)));
  const sgd = new Sgd(vars, { momentum: 0.9, weightDecay: 5e-4, clipNorm: 2 });
  for (let k = 0; k < 3; k++) {
    sgd.step(shapes.map((s, i) => tf.tensor(random(s, 50 + 10 * k + i), s)), 0.1).dispose();
  }
  const out = [...vars.map((v) => v.clone()), ...sgd.velocity.map((v) => v.clone())];
  sgd.dispose();
  tf.dispose(vars);
  return out;
}
