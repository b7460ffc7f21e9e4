/**
 * Readers for the official binary versions of CIFAR-10 (`cifar-10-batches-bin`) and CIFAR-100
 * (`cifar-100-binary`). Each record is the label byte(s) then 3072 pixel bytes, stored channel-major
 * (1024 red, 1024 green, 1024 blue, rows of 32); samples are returned as 32×32×3 (HWC).
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DataError, type Dataset, type DatasetSplits } from "./dataset.ts";

/** Normalisation of the reference code for CIFAR train/val (docs/method.md §7). */
const CIFAR_NORMALIZATION = { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.2010] } as const;

const PIXELS = 32 * 32 * 3;

/** Which CIFAR-100 label to use. */
export type Cifar100Labels = "fine" | "coarse";

/**
 * Decodes CIFAR binary records; `labelBytes` is 1 (CIFAR-10) or 2 (CIFAR-100: coarse, fine).
 */
function decodeCifarRecords(
  bytes: Uint8Array,
  file: string,
  options: { labelBytes: 1 | 2; labelIndex: 0 | 1; numClasses: number },
): { inputs: Uint8Array; labels: Int32Array } {
  const record = options.labelBytes + PIXELS;
  if (bytes.length === 0 || bytes.length % record !== 0) {
    throw new DataError(
      `${file}: ${bytes.length} bytes is not a whole number of ${record}-byte records (truncated or not a CIFAR binary file)`,
    );
  }
  const n = bytes.length / record;
  const inputs = new Uint8Array(n * PIXELS), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * record;
    const label = bytes[base + options.labelIndex];
    if (label >= options.numClasses) {
      throw new DataError(`${file}: record ${i} has label ${label}, outside [0, ${options.numClasses})`);
    }
    labels[i] = label;
    const pixels = base + options.labelBytes, out = i * PIXELS;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) inputs[out + p * 3 + c] = bytes[pixels + c * 1024 + p];
    }
  }
  return { inputs, labels };
}

function readFiles(
  dir: string,
  files: string[],
  name: string,
  options: Parameters<typeof decodeCifarRecords>[2],
): Dataset {
  const parts = files.map((f) => {
    const path = join(dir, f);
    if (!existsSync(path)) {
      const dataset = name.split("/")[0];
      throw new DataError(
        `${path}: file not found (\`deno task nc data ${dataset}\` downloads it; see data/README.md)`,
      );
    }
    return decodeCifarRecords(readFileSync(path), path, options);
  });
  const total = parts.reduce((a, p) => a + p.labels.length, 0);
  const inputs = new Uint8Array(total * PIXELS), labels = new Int32Array(total);
  let offset = 0;
  for (const p of parts) {
    inputs.set(p.inputs, offset * PIXELS);
    labels.set(p.labels, offset);
    offset += p.labels.length;
  }
  return {
    name,
    inputs,
    sampleShape: [32, 32, 3],
    labels,
    numClasses: options.numClasses,
    normalization: CIFAR_NORMALIZATION,
  };
}

/**
 * CIFAR-10 from `cifar-10-batches-bin` (data_batch_1…5.bin, test_batch.bin).
 *
 * @example
 * ```ts ignore (needs the CIFAR-10 files)
 * const { train, test } = loadCifar10("data/cifar-10-batches-bin");
 * ```
 */
export function loadCifar10(dir: string): DatasetSplits {
  const options = { labelBytes: 1, labelIndex: 0, numClasses: 10 } as const;
  return {
    train: readFiles(dir, [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), "cifar10/train", options),
    test: readFiles(dir, ["test_batch.bin"], "cifar10/test", options),
  };
}

/**
 * CIFAR-100 from `cifar-100-binary` (train.bin, test.bin), fine labels by default.
 *
 * @example
 * ```ts ignore (needs the CIFAR-100 files)
 * const { train } = loadCifar100("data/cifar-100-binary", { labels: "coarse" });
 * ```
 */
export function loadCifar100(dir: string, options: { labels?: Cifar100Labels } = {}): DatasetSplits {
  const fine = (options.labels ?? "fine") === "fine";
  const decode = { labelBytes: 2, labelIndex: fine ? 1 : 0, numClasses: fine ? 100 : 20 } as const;
  return {
    train: readFiles(dir, ["train.bin"], "cifar100/train", decode),
    test: readFiles(dir, ["test.bin"], "cifar100/test", decode),
  };
}
