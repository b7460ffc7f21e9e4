import { afterAll, expect, test } from "vitest";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { gzipSync } from "node:zlib";
import { clearStaleLock, lockRun, RunLockedError } from "../../lib/store/run_lock.ts";
import { runTraining } from "../../lib/training/run.ts";
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
