/**
 * Reader for the IDX format of the MNIST family (Fashion-MNIST by default), gzipped or raw.
 *
 * An IDX file starts with a big-endian magic number 0x000008TD (T = 0x08 for unsigned bytes, D the
 * number of dimensions), then D big-endian uint32 sizes, then the data.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { DataError, type Dataset, type DatasetSplits } from "./dataset.ts";

/** Where Debian's `dataset-fashion-mnist` installs the official files. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/** Fashion-MNIST training-set pixel mean and standard deviation (on [0, 1]). */
const FASHION_MNIST_NORMALIZATION = { mean: [0.2860], std: [0.3530] } as const;

/** An IDX array: its sizes and its unsigned-byte data. */
export interface IdxArray {
  readonly dims: number[];
  readonly data: Uint8Array;
}

/**
 * Reads an IDX file of unsigned bytes (`.gz` is decompressed); errors name the file and the problem.
 *
 * @example
 * ```ts
 * const { dims } = readIdx("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"); // [10000]
 * ```
 */
export function readIdx(path: string): IdxArray {
  if (!existsSync(path)) throw new DataError(`${path}: file not found`);
  let bytes: Uint8Array = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new DataError(`${path}: corrupt gzip data (${(error as Error).message})`);
    }
  }
  if (bytes.length < 4) throw new DataError(`${path}: truncated: ${bytes.length} bytes, no IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = (magic >> 8) & 0xff, rank = magic & 0xff;
  if (magic >>> 16 !== 0 || type !== 0x08 || rank < 1 || rank > 4) {
    throw new DataError(
      `${path}: wrong magic number 0x${
        magic.toString(16).padStart(8, "0")
      } (expected 0x0000080N: unsigned bytes, N dimensions)`,
    );
  }
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw new DataError(`${path}: truncated: header needs ${headerLength} bytes, file has ${bytes.length}`);
  }
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const available = bytes.length - headerLength;
  if (available < expected) {
    throw new DataError(
      `${path}: truncated: dimensions ${dims.join("×")} need ${expected} data bytes, file has ${available}`,
    );
  }
  if (available > expected) {
    throw new DataError(
      `${path}: ${available - expected} unexpected bytes after the data of dimensions ${dims.join("×")}`,
    );
  }
  return { dims, data: bytes.subarray(headerLength) };
}

function findFile(dir: string, stem: string): string {
  for (const candidate of [`${stem}.gz`, stem]) {
    if (existsSync(join(dir, candidate))) return join(dir, candidate);
  }
  throw new DataError(
    `${join(dir, stem)}(.gz): file not found${
      dir === FASHION_MNIST_DIR ? " (install Debian's dataset-fashion-mnist, or pass --data-dir)" : ""
    }`,
  );
}

/**
 * Images and labels of one split, checked against each other.
 *
 * @example
 * ```ts
 * const test = readIdxSplit(FASHION_MNIST_DIR, "t10k", "fashion-mnist/test");
 * ```
 */
export function readIdxSplit(
  dir: string,
  prefix: string,
  name: string,
  numClasses = 10,
  imageSize?: readonly [number, number],
): Dataset {
  const imagesPath = findFile(dir, `${prefix}-images-idx3-ubyte`);
  const labelsPath = findFile(dir, `${prefix}-labels-idx1-ubyte`);
  const images = readIdx(imagesPath), labels = readIdx(labelsPath);
  if (images.dims.length !== 3) {
    throw new DataError(`${imagesPath}: expected 3 dimensions (N × H × W), got ${images.dims.length}`);
  }
  if (labels.dims.length !== 1) {
    throw new DataError(`${labelsPath}: expected 1 dimension (N), got ${labels.dims.length}`);
  }
  if (imageSize && (images.dims[1] !== imageSize[0] || images.dims[2] !== imageSize[1])) {
    throw new DataError(
      `${imagesPath}: images are ${images.dims[1]}×${images.dims[2]}, expected ${imageSize[0]}×${
        imageSize[1]
      } for ${name}`,
    );
  }
  if (images.dims[0] !== labels.dims[0]) {
    throw new DataError(
      `${imagesPath} holds ${images.dims[0]} images but ${labelsPath} holds ${labels.dims[0]} labels`,
    );
  }
  const labelArray = Int32Array.from(labels.data);
  const bad = labelArray.findIndex((y) => y >= numClasses);
  if (bad >= 0) {
    throw new DataError(`${labelsPath}: label ${labelArray[bad]} at position ${bad} is outside [0, ${numClasses})`);
  }
  return {
    name,
    inputs: images.data,
    sampleShape: [images.dims[1], images.dims[2], 1],
    labels: labelArray,
    numClasses,
    normalization: FASHION_MNIST_NORMALIZATION,
  };
}

/**
 * The MNIST-family train and test splits found in `dir` (default: Debian's Fashion-MNIST); images
 * must be 28×28.
 *
 * @example
 * ```ts
 * const { train, test } = loadMnistFamily(); // Fashion-MNIST, 60000 + 10000 images of 28×28
 * ```
 */
export function loadMnistFamily(dir = FASHION_MNIST_DIR, name = "fashion-mnist"): DatasetSplits {
  const size = [28, 28] as const;
  return {
    train: readIdxSplit(dir, "train", `${name}/train`, 10, size),
    test: readIdxSplit(dir, "t10k", `${name}/test`, 10, size),
  };
}
