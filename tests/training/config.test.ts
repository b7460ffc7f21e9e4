import { describe, expect, test } from "vitest";
import { ConfigError, evaluationEpochs, normalizeTrainConfig, TRAIN_KEYS } from "../../lib/training/config.ts";
import { runId } from "../../lib/training/run_id.ts";

describe("normalizeTrainConfig", () => {
  test("fills in the project's defaults: the project recipe, which is neither reference recipe", () => {
    const c = normalizeTrainConfig({ loss: { name: "ls" } });
    expect(c).toMatchObject({
      recipe: "project",
      dataset: "fashion-mnist",
      model: "mlp",
      width: 512,
      depth: 3,
      epochs: 30,
      batchSize: 128,
      lr: 0.1,
      momentum: 0.9,
      weightDecay: 5e-4,
      clipNorm: 2,
      schedule: "standard",
      reduction: "mean",
      augment: false,
      valFraction: 0.1,
      loss: { name: "ls", alpha: 0.1 },
    });
    expect(normalizeTrainConfig({ dataset: "cifar10", model: "resnet50" })).toMatchObject({
      width: 1,
      augment: true,
      evalAugment: true,
    });
  });

  test.each([
    [{ lossName: "ce" }, /unknown config key "lossName"/],
    [{ width: 0 }, /"width" must be a positive integer ≤ 65536; got 0/],
    [{ width: 1e9 }, /"width" must be a positive integer ≤ 65536; got 1000000000/],
    [{ width: 20_000 }, /"width" 20000 with "depth" 3 gives an MLP of 8\.18e\+8 parameters .* at most 2\.68e\+8/],
    [{ model: "resnet18", width: 1e9 }, /"width" must be > 0 and ≤ 64/],
    [{ epochs: 1e300 }, /"epochs" must be a positive integer ≤ 100000; got 1e\+300/],
    [{ batchSize: 2 ** 40 }, /"batchSize" must be a positive integer ≤ 1048576/],
    [{ depth: 1e6 }, /"depth" must be a positive integer ≤ 256/],
    [{ perClass: 1e12 }, /"perClass" must be a positive integer ≤ 100000000/],
    [{ seed: 1e300 }, /"seed" must be an integer of at most 2⁵³ in size/],
    [{ evalEpochs: { logSpaced: 1e9 } }, /"evalEpochs\.logSpaced" must be a positive integer ≤ 100000/],
    [
      { dataset: "synthetic", synthetic: { numClasses: 1 } },
      /"synthetic\.numClasses" must be an integer in \[2, 100000\]/,
    ],
    [{ dataset: "synthetic", synthetic: { dim: 1e9 } }, /"synthetic\.dim" must be a positive integer ≤ 1048576/],
    [{ dataset: "synthetic", model: "resnet18" }, /"model" resnet18 needs images; dataset "synthetic" has vectors/],
    [{ model: "resnet50", width: -1 }, /"width" must be > 0/],
    [{ epochs: 0 }, /"epochs" must be a positive integer/],
    [{ loss: { name: "fl", gamma: -1 } }, /"loss": .*"gamma" must be ≥ 0/],
    [{ loss: { name: "ls", alpha: 1 } }, /"alpha" must be in \[0, 1\)/],
    [{ loss: { name: "mse", M: 0 } }, /"M" must be > 0/],
    [{ dataset: "imagenet" }, /"dataset" must be one of fashion-mnist, mnist, cifar10, cifar100, synthetic/],
    [{ evalEpochs: [0, 5] }, /"evalEpochs\[\]" must be an epoch in \[1, 30\]/],
    [{ synthetic: { dim: 3 } }, /"synthetic" applies only to dataset "synthetic"/],
  ])("rejects %o, naming the key", (input, message) => {
    expect(() => normalizeTrainConfig(input)).toThrow(ConfigError);
    expect(() => normalizeTrainConfig(input)).toThrow(message);
  });
});

describe("runId", () => {
  test("depends on the configuration, not on key order or spelled-out defaults", () => {
    const a = runId(normalizeTrainConfig({ loss: { name: "fl" }, epochs: 10 }));
    const b = runId(normalizeTrainConfig({ epochs: 10, loss: { gamma: 3, name: "fl" }, lr: 0.1 }));
    expect(a).toBe(b);
    expect(a).toMatch(/^fashion-mnist-mlp-w512-fl-e10-s0-[0-9a-f]{10}$/);
    expect(runId(normalizeTrainConfig({ loss: { name: "fl", gamma: 2 }, epochs: 10 }))).not.toBe(a);
  });

  test("layer metrics change the identity only when asked for, so runs stored before the key keep theirs", () => {
    const before = normalizeTrainConfig({ loss: { name: "ls" } });
    expect(before.layerMetrics).toBe(false);
    // The identity this configuration had before `layerMetrics` existed.
    expect(runId(before)).toBe("fashion-mnist-mlp-w512-ls-e30-s0-b75596596c");
    expect(runId(normalizeTrainConfig({ loss: { name: "ls" }, layerMetrics: true }))).not.toBe(runId(before));
    expect(() => normalizeTrainConfig({ layerMetrics: "yes" })).toThrow(/"layerMetrics" must be true or false/);
  });
});

test("evaluation epochs: every E/100, a list, or log-spaced, always with the last", () => {
  expect(evaluationEpochs("auto", 5)).toEqual([1, 2, 3, 4, 5]);
  expect(evaluationEpochs("auto", 800).slice(0, 3)).toEqual([8, 16, 24]);
  expect(evaluationEpochs("auto", 800)).toHaveLength(100);
  expect(evaluationEpochs([3, 1], 10)).toEqual([1, 3, 10]);
  expect(evaluationEpochs({ logSpaced: 4 }, 1000)).toEqual([1, 10, 100, 1000]);
  expect(evaluationEpochs({ logSpaced: 4, every: 300 }, 1000)).toEqual([1, 10, 100, 300, 600, 900, 1000]);
  expect(evaluationEpochs({ logSpaced: 3, every: 50 }, 25)).toEqual([1, 5, 25]);
});

test("a log-spaced schedule with every: normalised, its keys checked, and without every the identity of before", () => {
  const every = normalizeTrainConfig({ epochs: 100, evalEpochs: { logSpaced: 5, every: 20 } });
  expect(every.evalEpochs).toEqual({ logSpaced: 5, every: 20 });
  const plain = normalizeTrainConfig({ epochs: 100, evalEpochs: { logSpaced: 5 } });
  expect(plain.evalEpochs).toEqual({ logSpaced: 5 });
  expect(runId(every)).not.toBe(runId(plain));
  expect(() => normalizeTrainConfig({ evalEpochs: { logSpaced: 5, every: 0 } })).toThrow(/evalEpochs.every/);
  expect(() => normalizeTrainConfig({ evalEpochs: { logSpaced: 5, each: 2 } })).toThrow(/unknown key "each"/);
});

test("one table of keys: every key has a comment and a default, and a normalised config has exactly its keys", () => {
  const keys = Object.keys(TRAIN_KEYS);
  expect(Object.keys(normalizeTrainConfig({}))).toEqual(keys);
  for (const key of keys) expect(TRAIN_KEYS[key as keyof typeof TRAIN_KEYS].doc.length, key).toBeGreaterThan(5);
  expect(() => normalizeTrainConfig({ bogus: 1 })).toThrow(`(allowed: ${keys.join(", ")})`);
});
