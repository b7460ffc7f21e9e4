import { afterAll, expect, test } from "vitest";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { gzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { Buffer } from "node:buffer";
import { clearStaleLock, lockRun, RunLockedError } from "../../lib/store/run_lock.ts";
import { runTraining } from "../../lib/training/run.ts";
import { writeFileAtomic } from "../../lib/store/atomic.ts";
import { setFaultHook } from "../../lib/store/fault_hook.ts";
import { asStorageError, storageCause, StorageError } from "../../lib/store/storage_error.ts";
import { runCli } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-bad-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, data: Uint8Array | string): string {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, data);
  return path;
}

function idx(dims: number[], data: number[]): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint32(0, 0x0800 + dims.length);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d));
  return new Uint8Array([...new Uint8Array(header.buffer), ...data]);
}

/** An MNIST-family directory whose training images are `size`×`size` and labels as given. */
function mnistDir(name: string, options: { size?: number; labels?: number[]; truncate?: boolean } = {}): string {
  const { size = 28, labels = [0, 1, 2, 3], truncate = false } = options;
  const images = idx([labels.length, size, size], new Array(labels.length * size * size).fill(7));
  file(`${name}/train-images-idx3-ubyte.gz`, gzipSync(truncate ? images.subarray(0, images.length - 100) : images));
  file(`${name}/train-labels-idx1-ubyte`, idx([labels.length], labels));
  file(`${name}/t10k-images-idx3-ubyte`, idx([2, size, size], new Array(2 * size * size).fill(1)));
  file(`${name}/t10k-labels-idx1-ubyte`, idx([2], [0, 1]));
  return join(dir, name);
}

const cifar = join(dir, "cifar");
mkdirSync(cifar, { recursive: true });
for (let b = 1; b <= 5; b++) writeFileSync(join(cifar, `data_batch_${b}.bin`), new Uint8Array(3073 * 2 - 10));
writeFileSync(join(cifar, "test_batch.bin"), new Uint8Array(3073));

const train = (...args: string[]) => ["train", "--runs-dir", join(dir, "runs"), ...args];
const synthetic = ["--dataset", "synthetic"];

/** A version-1.0 `.npy` file of float64 (`<f8`) or int64 (`<i8`) values. */
function npy(name: string, shape: number[], values: number[], descr: "<f8" | "<i8" = "<f8"): string {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const text = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`.padEnd(117) + "\n";
  const head = new Uint8Array(10 + text.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, text.length, true);
  head.set(new TextEncoder().encode(text), 10);
  const body = descr === "<f8" ? new Float64Array(values) : BigInt64Array.from(values, BigInt);
  return file(name, Buffer.concat([head, new Uint8Array(body.buffer)]));
}

/** A one-entry ustar archive (gzipped) whose entry is `name`, a file of `data`. */
function tarGz(path: string, name: string, data: Uint8Array): { path: string; md5: string } {
  const header = new Uint8Array(512);
  const put = (text: string, at: number) => header.set(new TextEncoder().encode(text), at);
  put(name, 0);
  put("0000644\0", 100);
  put(data.length.toString(8).padStart(11, "0") + "\0", 124);
  put("ustar\0", 257);
  header[156] = 48;
  header.fill(32, 148, 156);
  put(header.reduce((a, b) => a + b, 0).toString(8).padStart(6, "0") + "\0 ", 148);
  const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
  padded.set(data);
  const bytes = gzipSync(Buffer.concat([header, padded, new Uint8Array(1024)]));
  file(path, bytes);
  return { path: join(dir, path), md5: createHash("md5").update(bytes).digest("hex") };
}

/** Metrics arrays of 6 samples, 3 classes, 2 dimensions; `override` replaces one file. */
function npyMetrics(override: Record<string, string> = {}): string[] {
  const paths = {
    features: npy("m/features.npy", [6, 2], [1, 0, 0, 1, 1, 1, 2, 0, 0, 2, 2, 2]),
    labels: npy("m/labels.npy", [6], [0, 1, 2, 0, 1, 2], "<i8"),
    weights: npy("m/W.npy", [3, 2], [1, 0, 0, 1, 1, 1]),
    ...override,
  };
  return ["metrics", ...Object.entries(paths).flatMap(([k, v]) => [`--${k}`, v])];
}

/** A run directory written by hand whose `damaged` file holds text that is not JSON. */
function damagedRun(name: string, damaged: "status.json" | "config.json" | "metrics.jsonl"): string {
  file(`${name}/config.json`, JSON.stringify({ dataset: "synthetic" }));
  file(`${name}/status.json`, JSON.stringify({ state: "done", epoch: 1, backend: "cpu" }));
  file(`${name}/metrics.jsonl`, JSON.stringify({ epoch: 1, nc1: 1 }) + "\n");
  file(`${name}/${damaged}`, '{"state": "do');
  return join(dir, name);
}

/** A run directory written by hand, whole. */
function goodRun(): string {
  file("good-run/config.json", JSON.stringify({ dataset: "synthetic", loss: { name: "ce" } }));
  file("good-run/status.json", JSON.stringify({ state: "done", epoch: 1, backend: "cpu" }));
  file("good-run/metrics.jsonl", JSON.stringify({ epoch: 1, nc1: 1, testAccuracy: 0.5 }) + "\n");
  return join(dir, "good-run");
}

const cifarArchive = tarGz("wrong-root/cifar-10-binary.tar.gz", "cifar-10-batches-bin", new Uint8Array(10));
const bombArchive = tarGz(
  "bomb/cifar-10-binary.tar.gz",
  "cifar-10-batches-bin/data_batch_1.bin",
  new Uint8Array(201 * 2 ** 20),
);
file("url/cifar10.tar.gz", "not the archive");

/** Every bad input the suite feeds the CLI, with the cause its one error line must name. */
const BAD_INPUTS: [string, string[], RegExp][] = [
  [
    "a truncated IDX file",
    train("--dataset", "mnist", "--data-dir", mnistDir("truncated", { truncate: true })),
    /train-images-idx3-ubyte\.gz: truncated/,
  ],
  [
    "a corrupt gzip IDX file",
    train(
      "--dataset",
      "mnist",
      "--data-dir",
      (mnistDir("corrupt"),
        file("corrupt/train-images-idx3-ubyte.gz", new Uint8Array([0x1f, 0x8b, 1, 2, 3])),
        join(dir, "corrupt")),
    ),
    /corrupt gzip data/,
  ],
  [
    "a truncated CIFAR batch",
    train("--dataset", "cifar10", "--data-dir", cifar),
    /data_batch_1\.bin: 6136 bytes is not a whole number of 3073-byte records/,
  ],
  [
    "a wrong image size",
    train("--dataset", "mnist", "--data-dir", mnistDir("small", { size: 20 })),
    /images are 20×20, expected 28×28/,
  ],
  [
    "labels out of range",
    train("--dataset", "mnist", "--data-dir", mnistDir("labels", { labels: [0, 1, 12, 3] })),
    /label 12 at position 2 is outside \[0, 10\)/,
  ],
  [
    "an unknown config key",
    train("--config", file("unknown.json", JSON.stringify({ dataset: "synthetic", learningRate: 0.1 }))),
    /unknown config key "learningRate"/,
  ],
  ["a negative gamma", train(...synthetic, "--loss", "fl", "--gamma=-1"), /"gamma" must be ≥ 0/],
  ["alpha of 1", train(...synthetic, "--loss", "ls", "--alpha", "1"), /"alpha" must be in \[0, 1\)/],
  ["a negative alpha", train(...synthetic, "--loss", "ls", "--alpha=-0.1"), /"alpha" must be in \[0, 1\)/],
  ["M of 0", train(...synthetic, "--loss", "mse", "--M", "0"), /"M" must be > 0/],
  ["width 0", train(...synthetic, "--width", "0"), /config "width" must be a positive integer/],
  ["epochs 0", train(...synthetic, "--epochs", "0"), /config "epochs" must be a positive integer/],
  [
    "a batch larger than the dataset",
    train(...synthetic, "--batch-size", "5000"),
    /"batchSize" \(5000\) is larger than the 360 training samples/,
  ],
  ["metrics with ragged rows", [
    "metrics",
    "--input",
    file("ragged.json", JSON.stringify({ features: [[1, 2], [3]], labels: [0, 1], W: [[1, 0], [0, 1]], b: [0, 0] })),
  ], /"features" row 1 has 1 entries, expected 2/],
  ["metrics with a shape mismatch", [
    "metrics",
    "--input",
    file(
      "shape.json",
      JSON.stringify({ features: [[1, 2], [3, 4]], labels: [0, 1], W: [[1, 0, 0], [0, 1, 0]], b: [0, 0] }),
    ),
  ], /feature dimension must match/],
  ["a preset that does not exist", ["sweep", "--figure", "heatmaps", "--preset", "huge"], /unknown preset "huge"/],
  ["a sweep grid with an unknown key", [
    "sweep",
    "--grid",
    file("grid.json", JSON.stringify({ losses: [{ name: "ce" }], widths: [4], epochs: [1], seeds: [0], lr: 1 })),
  ], /unknown key "lr"/],
  // Wrong answers accepted before: now refused.
  [
    "--config holding null",
    train("--config", file("null.json", "null")),
    /null\.json: a configuration must be a JSON object, got null/,
  ],
  [
    "--config holding 5",
    train("--config", file("five.json", "5")),
    /five\.json: a configuration must be a JSON object, got 5/,
  ],
  [
    "--config holding []",
    train("--config", file("list.json", "[]")),
    /list\.json: a configuration must be a JSON object, got \[\]/,
  ],
  [
    "--epochs 1e300",
    train(...synthetic, "--epochs", "1e300"),
    /config "epochs" must be a positive integer ≤ 100000; got 1e\+300/,
  ],
  [
    "--width 1e9",
    train(...synthetic, "--width", "1e9"),
    /config "width" must be a positive integer ≤ 65536; got 1000000000/,
  ],
  [
    "--batch-size 1e12",
    train(...synthetic, "--batch-size", "1e12"),
    /"batchSize" must be a positive integer ≤ 1048576/,
  ],
  [
    "--per-class 2.5",
    train(...synthetic, "--per-class", "2.5"),
    /"perClass" must be a positive integer ≤ 100000000; got 2\.5/,
  ],
  [
    "--model resnet18 on synthetic data",
    train(...synthetic, "--model", "resnet18"),
    /"model" resnet18 needs images; dataset "synthetic" has vectors/,
  ],
  [
    "synthetic data with one class",
    train("--config", file("one.json", JSON.stringify({ dataset: "synthetic", synthetic: { numClasses: 1 } }))),
    /"synthetic\.numClasses" must be an integer in \[2, 100000\]; got 1/,
  ],
  ["--threads 0", train(...synthetic, "--threads", "0"), /--threads must be an integer in \[1, 1024\], got 0/],
  ["nc ufm --K 1e9", ["ufm", "--K", "1e9"], /--K must be an integer in \[2, 10000\], got 1e9/],
  ["nc ufm --n 0", ["ufm", "--n", "0"], /--n must be an integer in \[1, 1000000\], got 0/],
  [
    "nc ufm too large in all",
    ["ufm", "--K", "5000", "--n", "1000"],
    /K = 5000, n = 1000, d = 64 holds 2\.53e\+10 values .* GiB/,
  ],
  [
    "an int64 label of 2³² + 1",
    npyMetrics({ labels: npy("m/big.npy", [6], [0, 1, 2, 0, 2 ** 32 + 1, 2], "<i8") }),
    /big\.npy: label 4294967297 at position 4 is outside \[0, 3\)/,
  ],
  [
    "a NaN in W",
    npyMetrics({ weights: npy("m/Wnan.npy", [3, 2], [1, 0, 0, NaN, 1, 1]) }),
    /Wnan\.npy: W\[1\]\[1\] = NaN is not finite/,
  ],
  [
    "an infinite b",
    npyMetrics({ bias: npy("m/binf.npy", [3], [0, Infinity, 0]) }),
    /binf\.npy: b\[1\] = Infinity is not finite/,
  ],
  [
    "features scaled by 1e200",
    npyMetrics({ features: npy("m/huge.npy", [6, 2], [1, 0, 0, 1, 1, 1, 2, 0, 0, 2, 2, 2].map((x) => x * 1e200)) }),
    /huge\.npy: class \d's mean overflows float64/,
  ],
  [
    "metrics with K = 100,000 classes",
    npyMetrics({ weights: npy("m/W100k.npy", [100_000, 2], new Array(200_000).fill(1)) }),
    /W100k\.npy: K = 100000 classes of dimension 2 need about 223\.5 GiB for the statistics .* at most 1 GiB/,
  ],
  // Damaged or hostile files.
  [
    "a directory given as .npy",
    npyMetrics({ features: (mkdirSync(join(dir, "m/dir.npy"), { recursive: true }), join(dir, "m/dir.npy")) }),
    /dir\.npy: is a directory, not a \.npy file/,
  ],
  ["an .npz whose central directory claims 65,535 entries", [
    "metrics",
    "--npz",
    (() => {
      const zip = new Uint8Array(22);
      new DataView(zip.buffer).setUint32(0, 0x06054b50, true);
      new DataView(zip.buffer).setUint16(10, 65535, true);
      return file("many.npz", zip);
    })(),
  ], /many\.npz: corrupt \.npz archive \(65535 entries cannot fit a 0-byte central directory\)/],
  [
    "a damaged status.json",
    ["export", damagedRun("damaged-status", "status.json"), "--out", join(dir, "x.csv")],
    /damaged-status\/status\.json is damaged \(.*\); remove \S+ to train the run again/,
  ],
  [
    "a damaged config.json",
    ["export", damagedRun("damaged-config", "config.json"), "--out", join(dir, "x.csv")],
    /damaged-config\/config\.json is damaged/,
  ],
  [
    "a damaged metrics.jsonl",
    ["export", damagedRun("damaged-metrics", "metrics.jsonl"), "--out", join(dir, "x.csv")],
    /damaged-metrics\/metrics\.jsonl line 1 is damaged/,
  ],
  [
    "--runs-dir pointing at a file",
    ["train", "--runs-dir", file("runs-file", "x"), ...synthetic, "--epochs", "1", "--quiet"],
    /cannot create the run directory .*runs-file\/synthetic-.*: a part of the path is a file, not a directory \(ENOTDIR\)/,
  ],
  ["a store that cannot be written (/sys)", [
    "train",
    "--runs-dir",
    "/sys/nc-runs",
    ...synthetic,
    "--epochs",
    "1",
    "--quiet",
  ], /cannot create the run directory \/sys\/nc-runs\/.*: .* \((EPERM|EACCES|EROFS)\)$/m],
  [
    "nc export into a store that cannot be written (/sys)",
    ["export", goodRun(), "--out", "/sys/nc.csv"],
    /cannot write \/sys\/nc\.csv: .* \((EPERM|EACCES|EROFS)\)$/m,
  ],
  [
    "a tar whose root is a file",
    ["data", "cifar10", "--data-dir", join(dir, "wrong-root"), "--md5", cifarArchive.md5],
    /cifar-10-binary\.tar\.gz: refused entry "cifar-10-batches-bin": a file where a directory must be/,
  ],
  [
    "a tar.gz inflating beyond 200 MiB",
    ["data", "cifar10", "--data-dir", join(dir, "bomb"), "--md5", bombArchive.md5],
    /cifar-10-binary\.tar\.gz: inflates to more than 200 MiB/,
  ],
  ["a --url ending in /..", [
    "data",
    "cifar10",
    "--data-dir",
    join(dir, "url"),
    "--url",
    "https://example.invalid/..",
    "--md5",
    "0".repeat(32),
  ], /cifar10\.tar\.gz: MD5 is [0-9a-f]{32}, expected 0{32}/],
];
/** Number of bad inputs tried here (reported in docs/training.md). */
export const BAD_INPUT_COUNT = BAD_INPUTS.length;

test.each(BAD_INPUTS)(
  "%s: one error line naming the cause, a non-zero exit, nothing written",
  async (_, argv, message) => {
    const before = readdirSync(dir).length;
    const { status, stdout, stderr } = await runCli(argv);
    expect(status).toBeGreaterThan(0);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n").filter((l) => l.startsWith("error")).length).toBe(1);
    expect(stderr).toMatch(message);
    expect(readdirSync(dir).length).toBe(before);
  },
);

test("a lock held by a live process is respected; a stale one is recovered", async () => {
  const run = join(dir, "locked");
  mkdirSync(run);
  const release = await lockRun(run);
  await expect(lockRun(run, { wait: false })).rejects.toThrow(RunLockedError);
  release();
  writeFileSync(
    join(run, "lock"),
    JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import("node:os")).hostname(), startedAt: "" }),
  );
  writeFileSync(join(run, "status.json.999.1.tmp"), "{ half");
  const lines: string[] = [];
  const again = await lockRun(run, { wait: false, log: (l) => lines.push(l) });
  expect(lines.join("")).toMatch(/took over the stale lock of .*: process \d+ is gone/);
  expect(readdirSync(run)).toEqual(["lock"]);
  again();
  expect(readdirSync(run)).toEqual([]);
  expect(process.pid).toBeGreaterThan(0);
});

test("a stale lock left beside a finished run is cleared when the run is read back; a live one stays", async () => {
  const runsDir = join(dir, "finished-runs");
  const config = {
    dataset: "synthetic",
    synthetic: { numClasses: 3, dim: 4, trainPerClass: 20, testPerClass: 5, separation: 3 },
    width: 4,
    depth: 1,
    epochs: 1,
    batchSize: 20,
  };
  const run = await runTraining(config, { runsDir, log: () => {} });
  const host = (await import("node:os")).hostname();
  // Killed after the run was done but before its lock was released.
  writeFileSync(join(run.dir, "lock"), JSON.stringify({ pid: 2 ** 22 + 12345, host, startedAt: "" }));
  await runTraining(config, { runsDir, log: () => {} });
  expect(readdirSync(run.dir)).not.toContain("lock");
  // A process that is alive (this one) keeps its lock.
  writeFileSync(join(run.dir, "lock"), JSON.stringify({ pid: process.pid, host, startedAt: "" }));
  expect(clearStaleLock(run.dir)).toBe(false);
  expect(readdirSync(run.dir)).toContain("lock");
});

test("NC_THREADS=0 is one error line naming the variable, not a quiet fall-back to another backend", async () => {
  const saved = process.env.NC_THREADS;
  process.env.NC_THREADS = "0";
  try {
    const before = readdirSync(dir).length;
    const { status, stdout, stderr } = await runCli(train(...synthetic, "--epochs", "1", "--quiet"));
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n").filter((l) => l.startsWith("error"))).toEqual([
      expect.stringMatching(/^error: .*NC_THREADS must be an integer in \[1, 1024\], got "0"/),
    ]);
    expect(readdirSync(dir).length).toBe(before);
  } finally {
    if (saved === undefined) delete process.env.NC_THREADS;
    else process.env.NC_THREADS = saved;
  }
});

test("a full disk during a write is one StorageError naming the file; no temporary file stays, the old file is whole", () => {
  const target = file("full/status.json", '{"state":"running"}');
  const previous = setFaultHook(() => {
    throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
  });
  try {
    expect(() => writeFileAtomic(target, "{}", "checkpoint-write")).toThrow(StorageError);
    expect(() => writeFileAtomic(target, "{}", "checkpoint-write")).toThrow(
      /^cannot write .*full\/status\.json: no space left on the device \(ENOSPC\)$/,
    );
  } finally {
    setFaultHook(previous);
  }
  expect(readdirSync(join(dir, "full"))).toEqual(["status.json"]);
  expect(readFileSync(target, "utf8")).toBe('{"state":"running"}');
});

test("storage errors the layers below do not name are still one line (a read-only store: EROFS)", () => {
  const error = asStorageError(
    Object.assign(new Error("EROFS: read-only file system"), { code: "EROFS" }),
    "runs/a",
    "write",
  );
  expect((error as Error).message).toBe("cannot write runs/a: the file system is read-only (EROFS)");
  expect(storageCause(Object.assign(new Error("x"), { code: "EACCES" }))).toBe("permission denied (EACCES)");
  expect(storageCause(new Error("x"))).toBeNull();
});
