/**
 * In-memory datasets: raw inputs (uint8 pixels or float features), integer labels, and how to
 * normalise them.
 *
 * @module
 */

/** A labelled dataset held in memory. */
export interface Dataset {
  /** Name for logs and run records, e.g. "fashion-mnist/train". */
  readonly name: string;
  /** Inputs, sample-major: N × (H·W·C) pixels in [0, 255], or N × D features. */
  readonly inputs: Uint8Array | Float32Array;
  /** Shape of one sample: [H, W, C] for images, [D] for feature vectors. */
  readonly sampleShape: readonly number[];
  /** Class of each sample, in [0, numClasses). */
  readonly labels: Int32Array;
  readonly numClasses: number;
  /** Per-channel mean and standard deviation applied after scaling pixels to [0, 1]. */
  readonly normalization?: { readonly mean: readonly number[]; readonly std: readonly number[] };
}

/** Training and test splits of a dataset. */
export interface DatasetSplits {
  readonly train: Dataset;
  readonly test: Dataset;
}

/** A data file that is missing, truncated or inconsistent. */
export class DataError extends Error {
  override name = "DataError";
}

/** Number of values in one sample. */
export function sampleSize(dataset: Pick<Dataset, "sampleShape">): number {
  return dataset.sampleShape.reduce((a, b) => a * b, 1);
}

/** Number of samples. */
export function datasetSize(dataset: Pick<Dataset, "labels">): number {
  return dataset.labels.length;
}
