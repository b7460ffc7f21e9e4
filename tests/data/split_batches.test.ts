import { describe, expect, test } from "vitest";
import { createRng } from "../../lib/core/random.ts";
import { CROP_PADDING, makeBatch } from "../../lib/data/batches.ts";
import type { Dataset } from "../../lib/data/dataset.ts";
import { perClassSubset, validationSplit } from "../../lib/data/split.ts";

describe("validationSplit", () => {
  test("holds out a fixed 10 % that depends on the split seed only", () => {
    const a = validationSplit(1000, { fraction: 0.1, seed: 1 });
    expect(a.validation.length).toBe(100);
    expect(a.train.length).toBe(900);
    expect(new Set([...a.train, ...a.validation]).size).toBe(1000);
    expect(validationSplit(1000, { fraction: 0.1, seed: 1 }).validation).toEqual(a.validation);
    expect(validationSplit(1000, { fraction: 0.1, seed: 2 }).validation).not.toEqual(a.validation);
  });
});

test("perClassSubset keeps at most n per class, deterministically", () => {
  const labels = Int32Array.from({ length: 100 }, (_, i) => i % 4);
  const indices = Int32Array.from({ length: 100 }, (_, i) => i);
  const subset = perClassSubset(indices, labels, 5, 0);
  expect(subset.length).toBe(20);
  for (let k = 0; k < 4; k++) expect([...subset].filter((i) => labels[i] === k)).toHaveLength(5);
  expect(perClassSubset(indices, labels, 5, 0)).toEqual(subset);
});

describe("makeBatch", () => {
  const H = 5, W = 6;
  const image: Dataset = {
    name: "tiny",
    inputs: Uint8Array.from({ length: 2 * H * W }, (_, i) => (i * 37) % 251 + 1),
    sampleShape: [H, W, 1],
    labels: Int32Array.of(0, 1),
    numClasses: 2,
    normalization: { mean: [0.5], std: [0.25] },
  };
  const norm = (v: number) => (v / 255 - 0.5) / 0.25;

  test("normalises pixels per channel", () => {
    const { inputs, labels } = makeBatch(image, [1]);
    expect([...labels]).toEqual([1]);
    inputs.forEach((v, j) => expect(v).toBeCloseTo(norm(image.inputs[H * W + j]), 6));
  });

  test("augments by a zero-padded crop of ±4 pixels and an optional horizontal flip", () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 20; trial++) {
      const { inputs } = makeBatch(image, [0], rng);
      const matches: string[] = [];
      for (let dy = -CROP_PADDING; dy <= CROP_PADDING; dy++) {
        for (let dx = -CROP_PADDING; dx <= CROP_PADDING; dx++) {
          for (const flip of [false, true]) {
            let ok = true;
            for (let y = 0; y < H && ok; y++) {
              for (let x = 0; x < W && ok; x++) {
                const sy = y + dy, sx = (flip ? W - 1 - x : x) + dx;
                const v = sy >= 0 && sy < H && sx >= 0 && sx < W ? image.inputs[sy * W + sx] : 0;
                ok = Math.abs(inputs[y * W + x] - norm(v)) < 1e-5;
              }
            }
            if (ok) matches.push(`${dy},${dx},${flip}`);
          }
        }
      }
      expect(matches.length).toBeGreaterThan(0);
    }
  });

  test("the same seed gives the same augmented batch", () => {
    expect(makeBatch(image, [0, 1], createRng(9)).inputs).toEqual(makeBatch(image, [0, 1], createRng(9)).inputs);
    expect(makeBatch(image, [0, 1], createRng(9)).inputs).not.toEqual(makeBatch(image, [0, 1], createRng(10)).inputs);
  });
});
