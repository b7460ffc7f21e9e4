/**
 * Readers for CIFAR-10 and CIFAR-100 in both official layouts: the binary version
 * (`cifar-10-batches-bin`, `cifar-100-binary`: each record the label byte(s) then 3072 pixel bytes)
 * and the python version that torchvision downloads (`cifar-10-batches-py`, `cifar-100-python`:
 * pickled dicts, read by `pickle.ts`). Pixels are stored channel-major (1024 red, 1024 green, 1024
 * blue, rows of 32); samples are returned as 32×32×3 (HWC).
 *
 * A loader takes the folder of the files or a folder holding it (`data/`, as `nc data` fills it, or
 * torchvision's `root`), so one `--data-dir` serves download and training.
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { DATA_DIR } from "./data_dir.ts";
import { DataError, type Dataset, type DatasetSplits } from "./dataset.ts";
import { readPickle } from "./pickle.ts";

/** Normalisation of the reference code for CIFAR train/val (docs/method.md §7). */
const CIFAR_NORMALIZATION = { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.2010] } as const;

const PIXELS = 32 * 32 * 3;

/** Which CIFAR-100 label to use. */
export type Cifar100Labels = "fine" | "coarse";

/**
 * The folder and files of each dataset in each layout.
 *
 * @example
 * ```ts
 * CIFAR_LAYOUTS.cifar10.binary.directory; // "cifar-10-batches-bin"
 * CIFAR_LAYOUTS.cifar100.python.train; // ["train"]
 * ```
 */
export const CIFAR_LAYOUTS = {
  cifar10: {
    binary: {
      directory: "cifar-10-batches-bin",
      train: ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"],
      test: ["test_batch.bin"],
    },
    python: {
      directory: "cifar-10-batches-py",
      train: ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"],
      test: ["test_batch"],
    },
  },
  cifar100: {
    binary: { directory: "cifar-100-binary", train: ["train.bin"], test: ["test.bin"] },
    python: { directory: "cifar-100-python", train: ["train"], test: ["test"] },
  },
} as const;

type CifarDataset = keyof typeof CIFAR_LAYOUTS;
type Format = "binary" | "python";
/** How a batch's labels are read: the byte of a binary record, or the key of a python dict. */
interface LabelSpec {
  labelBytes: 1 | 2;
  labelIndex: 0 | 1;
  labelKey: "labels" | "fine_labels" | "coarse_labels";
  numClasses: number;
}

const isFile = (path: string) => existsSync(path) && statSync(path).isFile();

/** The shell command that downloads a dataset for `dir` (the default folder needs no flag). */
function downloadHint(name: CifarDataset, dir: string): string {
  const { binary, python } = CIFAR_LAYOUTS[name];
  const target = [binary.directory, python.directory].includes(basename(dir) as never) ? dirname(dir) : dir;
  const flag = target === DATA_DIR ? "" : ` --data-dir ${/^[\w./:@%+,=-]+$/.test(target) ? target : `'${target}'`}`;
  return `\`deno task nc data ${name}${flag}\` downloads it; see data/README.md`;
}

/**
 * Where a dataset's files are: `dir` itself or its layout folder, binary before python; the first
 * candidate holding any of the layout's files wins (a missing one is then named by the reader).
 */
function locate(name: CifarDataset, dir: string): { dir: string; format: Format } {
  const { binary, python } = CIFAR_LAYOUTS[name];
  const candidates: { dir: string; format: Format }[] = [
    { dir, format: "binary" },
    { dir: join(dir, binary.directory), format: "binary" },
    { dir, format: "python" },
    { dir: join(dir, python.directory), format: "python" },
  ];
  const found = candidates.find((c) => {
    const layout = CIFAR_LAYOUTS[name][c.format];
    return [...layout.train, ...layout.test].some((f) => isFile(join(c.dir, f)));
  });
  if (found) return found;
  throw new DataError(
    `${
      join(dir, binary.train[0])
    }: file not found, nor a ${binary.directory}/ or ${python.directory}/ folder in ${dir} (${
      downloadHint(name, dir)
    })`,
  );
}

/** Copies one image from channel-major planes to HWC. */
function toHwc(src: Uint8Array, from: number, out: Uint8Array, to: number): void {
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < 1024; p++) out[to + p * 3 + c] = src[from + c * 1024 + p];
  }
}

/** Decodes CIFAR binary records; `labelBytes` is 1 (CIFAR-10) or 2 (CIFAR-100: coarse, fine). */
function decodeBinary(bytes: Uint8Array, file: string, spec: LabelSpec): { inputs: Uint8Array; labels: Int32Array } {
  const record = spec.labelBytes + PIXELS;
  if (bytes.length === 0 || bytes.length % record !== 0) {
    throw new DataError(
      `${file}: ${bytes.length} bytes is not a whole number of ${record}-byte records (truncated or not a CIFAR binary file)`,
    );
  }
  const n = bytes.length / record;
  const inputs = new Uint8Array(n * PIXELS), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * record;
    const label = bytes[base + spec.labelIndex];
    if (label >= spec.numClasses) {
      throw new DataError(`${file}: record ${i} has label ${label}, outside [0, ${spec.numClasses})`);
    }
    labels[i] = label;
    toHwc(bytes, base + spec.labelBytes, inputs, i * PIXELS);
  }
  return { inputs, labels };
}

/** Decodes one pickled batch of the python version: `data` N×3072 uint8 and the labels' list. */
function decodePython(
  bytes: Uint8Array,
  file: string,
  spec: LabelSpec,
  download: string,
): { inputs: Uint8Array; labels: Int32Array } {
  const hint = `; the binary version needs no pickle reader: ${download}`;
  let batch;
  try {
    batch = readPickle(bytes, file);
  } catch (error) {
    throw new DataError((error as Error).message + hint);
  }
  const data = batch instanceof Map ? batch.get("data") : undefined;
  const labels = batch instanceof Map ? batch.get(spec.labelKey) : undefined;
  if (
    typeof data !== "object" || data === null || !("kind" in data) || data.shape.length !== 2 ||
    data.shape[1] !== PIXELS
  ) {
    throw new DataError(`${file}: no "data" array of N×${PIXELS} bytes in the batch${hint}`);
  }
  const n = data.shape[0];
  if (!Array.isArray(labels) || labels.length !== n) {
    throw new DataError(`${file}: no "${spec.labelKey}" list of ${n} labels in the batch${hint}`);
  }
  const inputs = new Uint8Array(n * PIXELS), out = new Int32Array(n);
  labels.forEach((label, i) => {
    if (!Number.isInteger(label) || (label as number) < 0 || (label as number) >= spec.numClasses) {
      throw new DataError(`${file}: ${spec.labelKey}[${i}] is ${label}, outside [0, ${spec.numClasses})`);
    }
    out[i] = label as number;
    toHwc(data.data, i * PIXELS, inputs, i * PIXELS);
  });
  return { inputs, labels: out };
}

function readSplit(name: CifarDataset, split: "train" | "test", dir: string, spec: LabelSpec): Dataset {
  const found = locate(name, dir);
  const download = downloadHint(name, dir);
  const parts = CIFAR_LAYOUTS[name][found.format][split].map((f) => {
    const path = join(found.dir, f);
    if (!isFile(path)) throw new DataError(`${path}: file not found (${download})`);
    const bytes = readFileSync(path);
    return found.format === "binary" ? decodeBinary(bytes, path, spec) : decodePython(bytes, path, spec, download);
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
    name: `${name}/${split}`,
    inputs,
    sampleShape: [32, 32, 3],
    labels,
    numClasses: spec.numClasses,
    normalization: CIFAR_NORMALIZATION,
  };
}

/**
 * CIFAR-10 from `dir`: the folder of `data_batch_1.bin`…`data_batch_5.bin` and `test_batch.bin`, or of
 * the python version's `data_batch_1`…`test_batch`, or a folder holding `cifar-10-batches-bin/` or
 * `cifar-10-batches-py/` (default: the repository's `data/`).
 *
 * @example
 * ```ts ignore (needs the CIFAR-10 files)
 * const { train, test } = loadCifar10("data"); // reads data/cifar-10-batches-bin
 * ```
 */
export function loadCifar10(dir: string = DATA_DIR): DatasetSplits {
  const spec = { labelBytes: 1, labelIndex: 0, labelKey: "labels", numClasses: 10 } as const;
  return { train: readSplit("cifar10", "train", dir, spec), test: readSplit("cifar10", "test", dir, spec) };
}

/**
 * CIFAR-100 from `dir` (`train.bin` and `test.bin`, or the python version's `train` and `test`, or a
 * folder holding `cifar-100-binary/` or `cifar-100-python/`), fine labels by default.
 *
 * @example
 * ```ts ignore (needs the CIFAR-100 files)
 * const { train } = loadCifar100("data/cifar-100-binary", { labels: "coarse" });
 * ```
 */
export function loadCifar100(dir: string = DATA_DIR, options: { labels?: Cifar100Labels } = {}): DatasetSplits {
  const fine = (options.labels ?? "fine") === "fine";
  const spec = {
    labelBytes: 2,
    labelIndex: fine ? 1 : 0,
    labelKey: fine ? "fine_labels" : "coarse_labels",
    numClasses: fine ? 100 : 20,
  } as const;
  return { train: readSplit("cifar100", "train", dir, spec), test: readSplit("cifar100", "test", dir, spec) };
}
