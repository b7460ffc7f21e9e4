import { beforeAll, expect, test } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/backend.ts";
import { makeBatch } from "../../lib/data/batches.ts";
import { forward, readClassifier } from "../../lib/models/network.ts";
import { normalizeTrainConfig } from "../../lib/training/config.ts";
import { prepareData, Trainer } from "../../lib/training/train.ts";

beforeAll(async () => {
  await initBackend({ backend: "cpu", quiet: true });
});

/**
 * One full-batch SGD step without momentum, weight decay or clipping moves the classifier by
 * −lr·∇W of the batch loss; the gradient of PyTorch's F.mse_loss(z, M·onehot, reduction=R) with
 * respect to W is written out here by hand from the features and logits before the step.
 */
async function classifierStep(reduction: "mean" | "sum") {
  const config = normalizeTrainConfig({
    dataset: "synthetic",
    synthetic: { numClasses: 3, dim: 5, trainPerClass: 10, testPerClass: 4, separation: 3 },
    model: "mlp",
    width: 6,
    depth: 1,
    loss: { name: "mse", M: 2 },
    reduction,
    epochs: 1,
    batchSize: 27,
    lr: 0.01,
    momentum: 0,
    weightDecay: 0,
    clipNorm: 0,
    seed: 3,
  });
  const data = prepareData(config);
  expect(data.trainIndices.length).toBe(27); // one batch holds the whole training split
  const trainer = new Trainer(config, data);
  const K = 3, B = 27, M = 2;
  const batch = makeBatch(data.train, data.trainIndices);
  const [h, z] = tf.tidy(() => {
    const out = forward(trainer.net, tf.tensor(batch.inputs, [B, 5]), { training: true });
    return [out.features.arraySync(), out.logits.arraySync()];
  });
  const d = h[0].length;
  const before = (await readClassifier(trainer.net)).W;
  // F.mse_loss(z, M·onehot, reduction='sum') = Σ_i Σ_k (z_ik − M y_ik)²; 'mean' divides by B·K.
  const divisor = reduction === "sum" ? 1 : B * K;
  const expected = Array.from({ length: K * d }, (_, kj) => {
    const k = Math.floor(kj / d), j = kj % d;
    let g = 0;
    for (let i = 0; i < B; i++) g += (2 * (z[i][k] - (batch.labels[i] === k ? M : 0)) * h[i][j]) / divisor;
    return g;
  });
  const lr = trainer.learningRate(1);
  await trainer.trainEpoch(1);
  const after = (await readClassifier(trainer.net)).W;
  const observed = Array.from(before.data, (w, i) => (w - after.data[i]) / lr);
  trainer.dispose();
  return { expected, observed };
}

test.each(["sum", "mean"] as const)(
  "a training step with MSE under %s reduction follows the gradient of F.mse_loss with that reduction",
  async (reduction) => {
    const { expected, observed } = await classifierStep(reduction);
    const scale = Math.max(...expected.map(Math.abs));
    // float32 forward and update: agreement to ~1e-4 of the largest entry; a factor K = 3 would be off by 200 %.
    expected.forEach((g, i) => expect(Math.abs(observed[i] - g)).toBeLessThan(1e-3 * scale));
  },
);
