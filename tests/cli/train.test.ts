import { afterAll, expect, test } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-cli-train-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = runCli;

const SMALL = [
  "--dataset",
  "synthetic",
  "--width",
  "8",
  "--depth",
  "1",
  "--epochs",
  "2",
  "--batch-size",
  "50",
  "--runs-dir",
  dir,
];

test("nc train --json trains a run and prints its directory, status and final metrics", async () => {
  const { status, stdout, stderr } = await run(["train", ...SMALL, "--loss", "ls", "--alpha", "0.2", "--json"]);
  expect(status).toBe(0);
  const out = JSON.parse(stdout);
  // auto takes native on a machine set up by scripts/setup.mjs (OpenBLAS and oneDNN installed).
  expect(out).toMatchObject({ status: "done", epoch: 2, backend: "native" });
  expect(out.runDir).toContain(dir);
  expect(out.final.epoch).toBe(2);
  expect(typeof out.final.nc1).toBe("number");
  expect(out.summary.bestValTestAccuracy).toBeGreaterThan(0);
  expect(stderr).not.toMatch(/error/);
});

test("nc train reads a JSON config and lets flags override it", async () => {
  const file = join(dir, "config.json");
  writeFileSync(
    file,
    JSON.stringify({ dataset: "synthetic", width: 8, depth: 1, epochs: 3, batchSize: 50, loss: { name: "mse", M: 5 } }),
  );
  const { status, stdout } = await run(["train", "--config", file, "--epochs", "1", "--runs-dir", dir, "--json"]);
  expect(status).toBe(0);
  expect(JSON.parse(stdout).id).toMatch(/^synthetic-mlp-w8-mse-e1-s0-/);
});

test.each([
  [["--bogus", "1"], /Unknown option '--bogus'/],
  [["--epochs", "0"], /config "epochs" must be a positive integer/],
  [["--loss", "ls", "--alpha", "1.5"], /"alpha" must be in \[0, 1\)/],
  [["--width=-3"], /config "width" must be a positive integer/],
  [["--width", "-3"], /config "width" must be a positive integer/],
  [["--augment", "maybe"], /--augment must be yes or no/],
  [["--eval-epochs", "1,x"], /--eval-epochs must be auto/],
  [["--model", "vgg"], /"model" must be one of mlp, resnet18, resnet50/],
  [["--backend", "cuda"], /unknown backend "cuda"/],
])("nc train %j is one clear error with status 2", async (flags, message) => {
  const { status, stdout, stderr } = await run(["train", ...SMALL, ...flags]);
  expect(status).toBe(2);
  expect(stdout).toBe("");
  expect(stderr).toMatch(message);
});

test("a missing dataset file is a clear error naming the file", async () => {
  const { status, stderr } = await run([
    "train",
    "--dataset",
    "mnist",
    "--data-dir",
    join(dir, "nowhere"),
    "--runs-dir",
    dir,
  ]);
  expect(status).toBe(2);
  expect(stderr).toMatch(/nowhere\/train-images-idx3-ubyte\(\.gz\): file not found/);
});

test("nc train --help has a line for every configuration flag, with the default the table gives", async () => {
  const { status, stdout } = await run(["train", "--help"]);
  expect(status).toBe(0);
  for (
    const line of ["--batch-size B", "--weight-decay WD", "--eval-augment yes|no", "--per-class N", "--alpha ALPHA"]
  ) {
    expect(stdout).toContain(line);
  }
  expect(stdout).toMatch(/--batch-size B\s+batch size \(default 128\)/);
  expect(stdout).toMatch(/--epochs E\s+epochs of training \(default 30\)/);
  // A flag as wide as the column keeps a space before its text (its text goes below).
  expect(stdout).toMatch(/ {2}--layer-metrics yes\|no\n {24}also NC1 and NC2/);
  expect(stdout).not.toMatch(/yes\|no[a-z]/);
});

test("one --data-dir for nc data and nc train: the folder holding cifar-10-batches-bin, or that folder", async () => {
  // 100 records a batch, labels 0–9 in turn, pixels from the record's index: enough for every class
  // in the validation split of an MLP's one epoch.
  const unpacked = join(dir, "data", "cifar-10-batches-bin");
  mkdirSync(unpacked, { recursive: true });
  const batch = (n: number, seed: number) =>
    Uint8Array.from({ length: n * 3073 }, (_, i) => i % 3073 === 0 ? Math.floor(i / 3073) % 10 : (i * 7 + seed) % 256);
  for (let b = 1; b <= 5; b++) writeFileSync(join(unpacked, `data_batch_${b}.bin`), batch(100, b));
  writeFileSync(join(unpacked, "test_batch.bin"), batch(50, 0));
  const mlp = ["train", "--dataset", "cifar10", "--model", "mlp", "--width", "4", "--depth", "1", "--epochs", "1"];
  for (const [dataDir, seed] of [[join(dir, "data"), "1"], [unpacked, "2"]]) {
    const { status, stdout, stderr } = await run([
      ...mlp,
      "--seed",
      seed,
      "--data-dir",
      dataDir,
      "--runs-dir",
      dir,
      "--quiet",
      "--json",
    ]);
    expect(status, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ status: "done", epoch: 1 });
  }
  const missing = await run([...mlp, "--data-dir", join(dir, "no-data"), "--runs-dir", dir]);
  expect(missing.status).toBe(2);
  expect(missing.stderr).toMatch(
    /no-data\/data_batch_1\.bin: file not found, nor a cifar-10-batches-bin\/ or cifar-10-batches-py\//,
  );
  expect(missing.stderr).toMatch(/`deno task nc data cifar10 --data-dir .*no-data` downloads it/);
}, 60_000);
