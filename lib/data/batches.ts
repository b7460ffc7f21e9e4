/**
 * Assembling normalised (and optionally augmented) batches from a dataset.
 *
 * Augmentation is the reference code's CIFAR recipe: random crop of the image padded by 4 pixels of
 * zeros (in pixel space, before normalisation, as torchvision does), then a horizontal flip with
 * probability 1/2. Both are drawn from a seeded generator, so a seed fixes every batch.
 *
 * @module
 */
import type { Rng } from "../core/random.ts";
import { type Dataset, sampleSize } from "./dataset.ts";

/** Crop padding of the augmentation, in pixels. */
export const CROP_PADDING = 4;

/**
 * Writes sample `index` of `dataset`, normalised, into `out` at `offset`; with `rng`, randomly
 * cropped (padding 4) and flipped first.
 */
function writeSample(dataset: Dataset, index: number, out: Float32Array, offset: number, rng?: Rng): void {
  const size = sampleSize(dataset);
  const src = index * size;
  const { inputs, normalization } = dataset;
  const scale = inputs instanceof Uint8Array ? 1 / 255 : 1;
  const channels = dataset.sampleShape.length === 3 ? dataset.sampleShape[2] : 1;
  const mean = normalization?.mean ?? [0], std = normalization?.std ?? [1];
  const norm = (value: number, c: number) => (value * scale - mean[c % mean.length]) / std[c % std.length];
  if (!rng || dataset.sampleShape.length !== 3) {
    for (let j = 0; j < size; j++) out[offset + j] = norm(inputs[src + j], j % channels);
    return;
  }
  const [H, W, C] = dataset.sampleShape;
  const dy = rng.int(2 * CROP_PADDING + 1) - CROP_PADDING, dx = rng.int(2 * CROP_PADDING + 1) - CROP_PADDING;
  const flip = rng.uniform() < 0.5;
  for (let y = 0; y < H; y++) {
    const sy = y + dy;
    for (let x = 0; x < W; x++) {
      const sx = (flip ? W - 1 - x : x) + dx;
      const inside = sy >= 0 && sy < H && sx >= 0 && sx < W;
      for (let c = 0; c < C; c++) {
        const value = inside ? inputs[src + (sy * W + sx) * C + c] : 0;
        out[offset + (y * W + x) * C + c] = norm(value, c);
      }
    }
  }
}

/**
 * A batch of the samples at `indices`: normalised inputs (B × sample size) and labels.
 *
 * @example
 * ```ts ignore (needs a loaded dataset)
 * const { inputs, labels } = makeBatch(train, [0, 1, 2], createRng("augment:0"));
 * ```
 */
export function makeBatch(
  dataset: Dataset,
  indices: ArrayLike<number>,
  rng?: Rng,
): { inputs: Float32Array; labels: Int32Array } {
  const size = sampleSize(dataset);
  const inputs = new Float32Array(indices.length * size), labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    writeSample(dataset, indices[i], inputs, i * size, rng);
    labels[i] = dataset.labels[indices[i]];
  }
  return { inputs, labels };
}
