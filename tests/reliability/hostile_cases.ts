/**
 * The hostile-input catalogue: every bad or hostile input the reliability work answers, each with
 * what is due (`hostile_runner.ts` runs and classifies them). Points 1–9 are issue 23's: lock
 * takeover races, silent hangs, wrong answers accepted, checkpoint integrity, resuming with other
 * settings, sweeps that survive a bad run, stack traces, decompression caps, rejected input that
 * writes; point 0 is the bad input tested before it. Most cases run the command line as a child
 * process; those whose set-up trains a run do that in this process.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, hostname } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { initBackend } from "../../lib/backend/backend.ts";
import { expandGrid } from "../../lib/experiments/sweep.ts";
import { readCheckpointFile, writeCheckpointFile } from "../../lib/store/checkpoint_file.ts";
import { readRun, readRuns, runTraining } from "../../lib/training/run.ts";
import {
  damagedRun,
  file,
  goodRun,
  gridFile,
  json,
  leaveLock,
  mnistDir,
  npy,
  npyBytes,
  npyMetrics,
  npz,
  runDirOf,
  tarGz,
  TINY,
  truncatedCifar,
} from "./hostile_fixtures.ts";
import type { HostileCase, RawResult } from "./hostile_runner.ts";

const synthetic = ["--dataset", "synthetic"];
const train = (dir: string, ...args: string[]) => ["train", "--runs-dir", join(dir, "runs"), ...args];
const quiet = { log: () => {} };

/**
 * A case due to end in one error line matching `error`, exit non-zero, writing nothing; run as a
 * child process, or in this process where `inProcess` (the bad input tested before, which fails
 * before anything runs: a child process each would only add start-up time).
 */
function bad(
  point: number,
  name: string,
  argv: (dir: string) => string[],
  error: RegExp,
  options: { env?: Record<string, string>; fault?: string; mayWrite?: boolean; inProcess?: boolean } = {},
): HostileCase {
  const inProcess = options.inProcess ?? point === 0;
  return {
    point,
    name,
    inProcess,
    mayWrite: options.mayWrite,
    due: { error },
    run: (dir, t) => inProcess ? t.inProcess(argv(dir)) : t.cli(argv(dir), { env: options.env, fault: options.fault }),
  };
}

/** The lines of `text` matching `pattern`. */
const lines = (text: string, pattern: RegExp) => text.split("\n").filter((l) => pattern.test(l));

/** Null when every check holds, else the first failing check's text. */
function first(...checks: [boolean, string][]): string | null {
  return checks.find(([ok]) => !ok)?.[1] ?? null;
}

/** The metrics rows of a run without their wall time, as JSON text, for comparing two runs. */
const rowsOf = (dir: string) => JSON.stringify(readRun(dir).rows.map(({ wallSeconds: _, ...row }) => row));

/** Trains `config` in this process on wasm, stopping after `stopAfterEpoch` when given. */
async function trainHere(runsDir: string, config: unknown, stopAfterEpoch?: number) {
  await initBackend({ backend: "wasm", quiet: true });
  return runTraining(config, { ...quiet, runsDir, stopAfterEpoch });
}

/** The configurations of the grid file `dir/grid.json`. */
const gridConfigs = (dir: string) => expandGrid(JSON.parse(readFileSync(join(dir, "grid.json"), "utf8")));

/** A configuration file of `config` in `dir`. */
const configFile = (dir: string, config: unknown) => json(dir, "config.json", config);

const BAD_INPUT: HostileCase[] = [
  bad(
    0,
    "a truncated IDX file",
    (d) => train(d, "--dataset", "mnist", "--data-dir", mnistDir(join(d, "data"), { truncate: true })),
    /train-images-idx3-ubyte\.gz: truncated/,
  ),
  bad(
    0,
    "a corrupt gzip IDX file",
    (d) => train(d, "--dataset", "mnist", "--data-dir", mnistDir(join(d, "data"), { corrupt: true })),
    /corrupt gzip data/,
  ),
  bad(
    0,
    "a truncated CIFAR batch",
    (d) => train(d, "--dataset", "cifar10", "--data-dir", truncatedCifar(join(d, "cifar"))),
    /data_batch_1\.bin: 6136 bytes is not a whole number of 3073-byte records/,
  ),
  bad(
    0,
    "a wrong image size",
    (d) => train(d, "--dataset", "mnist", "--data-dir", mnistDir(join(d, "data"), { size: 20 })),
    /images are 20×20, expected 28×28/,
  ),
  bad(
    0,
    "labels out of range",
    (d) => train(d, "--dataset", "mnist", "--data-dir", mnistDir(join(d, "data"), { labels: [0, 1, 12, 3] })),
    /label 12 at position 2 is outside \[0, 10\)/,
  ),
  bad(
    0,
    "an unknown config key",
    (d) => train(d, "--config", json(d, "unknown.json", { dataset: "synthetic", learningRate: 0.1 })),
    /unknown config key "learningRate"/,
  ),
  bad(0, "a negative gamma", (d) => train(d, ...synthetic, "--loss", "fl", "--gamma=-1"), /"gamma" must be ≥ 0/),
  bad(0, "alpha of 1", (d) => train(d, ...synthetic, "--loss", "ls", "--alpha", "1"), /"alpha" must be in \[0, 1\)/),
  bad(
    0,
    "a negative alpha",
    (d) => train(d, ...synthetic, "--loss", "ls", "--alpha", "-0.1"),
    /"alpha" must be in \[0, 1\)/,
  ),
  bad(0, "M of 0", (d) => train(d, ...synthetic, "--loss", "mse", "--M", "0"), /"M" must be > 0/),
  bad(0, "width 0", (d) => train(d, ...synthetic, "--width", "0"), /config "width" must be a positive integer/),
  bad(0, "epochs 0", (d) => train(d, ...synthetic, "--epochs", "0"), /config "epochs" must be a positive integer/),
  bad(
    0,
    "a batch larger than the dataset",
    (d) => train(d, ...synthetic, "--batch-size", "5000"),
    /"batchSize" \(5000\) is larger than the 360 training samples/,
  ),
  bad(0, "metrics with ragged rows", (d) => [
    "metrics",
    "--input",
    json(d, "ragged.json", { features: [[1, 2], [3]], labels: [0, 1], W: [[1, 0], [0, 1]], b: [0, 0] }),
  ], /"features" row 1 has 1 entries, expected 2/),
  bad(0, "metrics with a shape mismatch", (d) => [
    "metrics",
    "--input",
    json(d, "shape.json", { features: [[1, 2], [3, 4]], labels: [0, 1], W: [[1, 0, 0], [0, 1, 0]], b: [0, 0] }),
  ], /feature dimension must match/),
  bad(
    0,
    "a preset that does not exist",
    (d) => ["sweep", "--figure", "heatmaps", "--preset", "huge", "--runs-dir", join(d, "runs")],
    /unknown preset "huge"/,
  ),
  bad(0, "a sweep grid with an unknown key", (d) => [
    "sweep",
    "--runs-dir",
    join(d, "runs"),
    "--grid",
    json(d, "grid.json", { losses: [{ name: "ce" }], widths: [4], epochs: [1], seeds: [0], lr: 1 }),
  ], /unknown key "lr"/),
  bad(0, "a mistyped flag", (d) => train(d, "--epcohs", "3"), /Unknown option '--epcohs'; did you mean --epochs\?/),
  bad(0, "an unknown command", () => ["trian"], /unknown command "trian"; did you mean train\?/),
  bad(0, "nc runs show of a run that does not exist", (d) => [
    "runs",
    "show",
    "nope",
    "--runs-dir",
    join(d, "runs"),
  ], /runs show: no run nope/),
];

const WRONG_ANSWERS: HostileCase[] = [
  bad(
    3,
    "--config holding null",
    (d) => train(d, "--config", file(d, "null.json", "null")),
    /null\.json: a configuration must be a JSON object, got null/,
  ),
  bad(
    3,
    "--config holding 5",
    (d) => train(d, "--config", file(d, "five.json", "5")),
    /five\.json: a configuration must be a JSON object, got 5/,
  ),
  bad(
    3,
    "--config holding []",
    (d) => train(d, "--config", file(d, "list.json", "[]")),
    /list\.json: a configuration must be a JSON object, got \[\]/,
  ),
  bad(
    3,
    "--epochs 1e300",
    (d) => train(d, ...synthetic, "--epochs", "1e300"),
    /config "epochs" must be a positive integer ≤ 100000; got 1e\+300/,
  ),
  bad(
    3,
    "an int64 label of 2³² + 1 (wrapped to 1 by a 32-bit read)",
    (d) => npyMetrics(d, { labels: npy(d, "big.npy", [6], [0, 1, 2, 0, 2 ** 32 + 1, 2], "<i8") }),
    /big\.npy: label 4294967297 at position 4 is outside \[0, 3\)/,
  ),
  bad(
    3,
    "an int64 label of 2³¹ (negative in 32 bits)",
    (d) => npyMetrics(d, { labels: npy(d, "big31.npy", [6], [0, 1, 2, 0, 2 ** 31, 2], "<i8") }),
    /big31\.npy: label 2147483648 at position 4 is outside \[0, 3\)/,
  ),
  bad(
    3,
    "a NaN in W",
    (d) => npyMetrics(d, { weights: npy(d, "Wnan.npy", [3, 2], [1, 0, 0, NaN, 1, 1]) }),
    /Wnan\.npy: W\[1\]\[1\] = NaN is not finite/,
  ),
  bad(
    3,
    "an infinite b",
    (d) => npyMetrics(d, { bias: npy(d, "binf.npy", [3], [0, Infinity, 0]) }),
    /binf\.npy: b\[1\] = Infinity is not finite/,
  ),
  bad(
    3,
    "features scaled by 1e200",
    (d) =>
      npyMetrics(d, {
        features: npy(d, "huge.npy", [6, 2], [1, 0, 0, 1, 1, 1, 2, 0, 0, 2, 2, 2].map((x) => x * 1e200)),
      }),
    /huge\.npy: class \d's mean overflows float64/,
  ),
];

/** Counts and sizes beyond what can run: refused before anything is allocated or written. */
const LIMITS: HostileCase[] = [
  bad(
    9,
    "--width 1e9 (left an empty run directory)",
    (d) => train(d, ...synthetic, "--width", "1e9"),
    /config "width" must be a positive integer ≤ 65536; got 1000000000/,
  ),
  bad(
    9,
    "--model resnet18 on synthetic data (left an empty run directory)",
    (d) => train(d, ...synthetic, "--model", "resnet18"),
    /"model" resnet18 needs images; dataset "synthetic" has vectors/,
  ),
  bad(
    9,
    "synthetic data with one class (left a run 'running')",
    (d) => train(d, "--config", json(d, "one.json", { dataset: "synthetic", synthetic: { numClasses: 1 } })),
    /"synthetic\.numClasses" must be an integer in \[2, 100000\]; got 1/,
  ),
  bad(
    7,
    "--batch-size 1e12",
    (d) => train(d, ...synthetic, "--batch-size", "1e12"),
    /"batchSize" must be a positive integer ≤ 1048576/,
  ),
  bad(
    7,
    "--per-class 2.5",
    (d) => train(d, ...synthetic, "--per-class", "2.5"),
    /"perClass" must be a positive integer ≤ 100000000; got 2\.5/,
  ),
  bad(
    7,
    "--threads 0",
    (d) => train(d, ...synthetic, "--threads", "0"),
    /--threads must be an integer in \[1, 1024\], got 0/,
  ),
  bad(
    7,
    "NC_THREADS=0",
    (d) => train(d, ...synthetic, "--epochs", "1", "--quiet"),
    /NC_THREADS must be an integer in \[1, 1024\], got "0"/,
    { env: { NC_THREADS: "0" } },
  ),
  bad(
    7,
    "NC_LOCK_LEASE of 10⁹ seconds",
    (d) => train(d, ...synthetic, "--epochs", "1", "--quiet"),
    /NC_LOCK_LEASE must be an integer in \[1, 604800\]/,
    { env: { NC_LOCK_LEASE: "1000000000" } },
  ),
  bad(7, "nc ufm --K 1e9", () => ["ufm", "--K", "1e9"], /--K must be an integer in \[2, 10000\], got 1e9/),
  bad(7, "nc ufm --n 0", () => ["ufm", "--n", "0"], /--n must be an integer in \[1, 1000000\], got 0/),
  bad(
    7,
    "nc ufm too large in all",
    () => ["ufm", "--K", "5000", "--n", "1000"],
    /K = 5000, n = 1000, d = 64 holds 2\.53e\+10 values .* GiB/,
  ),
  bad(
    7,
    "metrics with K = 100,000 classes (a K² allocation)",
    (d) => npyMetrics(d, { weights: npy(d, "W100k.npy", [100_000, 2], new Array(200_000).fill(1)) }),
    /W100k\.npy: K = 100000 classes of dimension 2 need about 223\.5 GiB for the statistics .* at most 1 GiB/,
  ),
  bad(
    7,
    "nc sweep --jobs 1e9",
    (d) => ["sweep", "--figure", "heatmaps", "--preset", "smoke", "--runs-dir", join(d, "runs"), "--jobs", "1e9"],
    /--jobs must be an integer in \[1, 256\], got 1e9/,
  ),
  bad(
    7,
    "nc sweep --pack 100000",
    (d) => ["sweep", "--figure", "heatmaps", "--preset", "smoke", "--runs-dir", join(d, "runs"), "--pack", "100000"],
    /--pack must be auto, off or an integer in \[1, 256\] \(runs per pack\), got "100000"/,
  ),
  bad(7, "nc sweep --slurm --cpus-per-task 0", (d) => [
    "sweep",
    "--figure",
    "heatmaps",
    "--preset",
    "smoke",
    "--runs-dir",
    join(d, "runs"),
    "--slurm",
    "--cpus-per-task",
    "0",
  ], /--cpus-per-task must be an integer in \[1, 1024\], got 0/),
  bad(
    7,
    "nc sweep --array-index past the grid",
    (
      d,
    ) => ["sweep", "--figure", "heatmaps", "--preset", "smoke", "--runs-dir", join(d, "runs"), "--array-index", "999"],
    /--array-index must be an integer from 0 to \d+ \(the grid has \d+ runs\), got 999/,
  ),
];

/** Damaged and hostile files, and stores that cannot be written. */
const FILES: HostileCase[] = [
  bad(
    7,
    "a directory given as .npy",
    (d) => npyMetrics(d, { features: (mkdirSync(join(d, "dir.npy")), join(d, "dir.npy")) }),
    /dir\.npy: is a directory, not a \.npy file/,
  ),
  bad(8, "an .npz whose central directory claims 65,535 entries", (d) => {
    const zip = new Uint8Array(22);
    new DataView(zip.buffer).setUint32(0, 0x06054b50, true);
    new DataView(zip.buffer).setUint16(10, 65535, true);
    return ["metrics", "--npz", file(d, "many.npz", zip)];
  }, /many\.npz: corrupt \.npz archive \(65535 entries cannot fit a 0-byte central directory\)/),
  bad(8, "an .npz member inflating to 64 MiB behind a 6×2 header", (d) => {
    const bomb = new Uint8Array(64 * 2 ** 20);
    bomb.set(npyBytes([6, 2], new Array(12).fill(1)));
    return ["metrics", "--npz", npz(d, "bomb.npz", { features: bomb }, true)];
  }, /bomb\.npz:features: inflates to more than the 224 bytes its header states \(shape × dtype\); refused/),
  bad(
    7,
    "a damaged status.json",
    (d) => ["export", damagedRun(join(d, "damaged-status"), "status.json"), "--out", join(d, "x.csv")],
    /damaged-status\/status\.json is damaged \(.*\); remove \S+ to train the run again/,
  ),
  bad(
    7,
    "a damaged config.json",
    (d) => ["export", damagedRun(join(d, "damaged-config"), "config.json"), "--out", join(d, "x.csv")],
    /damaged-config\/config\.json is damaged/,
  ),
  bad(
    7,
    "a damaged metrics.jsonl",
    (d) => ["export", damagedRun(join(d, "damaged-metrics"), "metrics.jsonl"), "--out", join(d, "x.csv")],
    /damaged-metrics\/metrics\.jsonl line 1 is damaged/,
  ),
  bad(
    7,
    "a tar whose root is a file",
    (d) => {
      const archive = tarGz(d, "cifar-10-binary.tar.gz", "cifar-10-batches-bin", new Uint8Array(10));
      return ["data", "cifar10", "--data-dir", d, "--md5", archive.md5];
    },
    /cifar-10-binary\.tar\.gz: refused entry "cifar-10-batches-bin": a file where a directory must be/,
  ),
  bad(
    8,
    "a tar.gz inflating beyond 200 MiB",
    (d) => {
      const data = new Uint8Array(201 * 2 ** 20);
      const archive = tarGz(d, "cifar-10-binary.tar.gz", "cifar-10-batches-bin/data_batch_1.bin", data);
      return ["data", "cifar10", "--data-dir", d, "--md5", archive.md5];
    },
    /cifar-10-binary\.tar\.gz: inflates to more than 200 MiB/,
  ),
  bad(7, "a --url ending in /..", (d) => [
    "data",
    "cifar10",
    "--data-dir",
    (file(d, "cifar10.tar.gz", "not the archive"), d),
    "--url",
    "https://example.invalid/..",
    "--md5",
    "0".repeat(32),
  ], /cifar10\.tar\.gz: MD5 is [0-9a-f]{32}, expected 0{32}/),
  bad(
    7,
    "--runs-dir pointing at a file",
    (d) => ["train", "--runs-dir", file(d, "runs-file", "x"), ...synthetic, "--epochs", "1", "--quiet"],
    /cannot create the run directory .*runs-file\/synthetic-.*: a part of the path is a file, not a directory \(ENOTDIR\)/,
  ),
  bad(
    7,
    "a store that cannot be written (/sys)",
    () => ["train", "--runs-dir", "/sys/nc-runs", ...synthetic, "--epochs", "1", "--quiet"],
    /cannot create the run directory \/sys\/nc-runs\/.*: .* \((EPERM|EACCES|EROFS)\)$/,
  ),
  bad(
    7,
    "nc export into a store that cannot be written (/sys: a polars panic before)",
    (d) => ["export", goodRun(join(d, "good")), "--out", "/sys/nc.csv"],
    /cannot write \/sys\/nc\.csv: .* \((EPERM|EACCES|EROFS)\)$/,
  ),
  bad(
    7,
    "nc export --out naming a directory (EISDIR)",
    (d) => ["export", goodRun(join(d, "good")), "--out", (mkdirSync(join(d, "x.csv")), join(d, "x.csv"))],
    /cannot write .*\/x\.csv: it is a directory, not a file \(EISDIR\)$/,
  ),
  bad(
    7,
    "a full disk while writing a checkpoint (ENOSPC)",
    (d) => train(d, ...synthetic, "--epochs", "2", "--quiet", "--backend", "wasm"),
    /^error: cannot write .*\/checkpoint\.bin: no space left on the device \(ENOSPC\)$/,
    { fault: "write@checkpoint.bin:1:ENOSPC", mayWrite: true },
  ),
  bad(
    7,
    "a read-only store when the run's status is written (EROFS)",
    (d) => train(d, ...synthetic, "--epochs", "2", "--quiet", "--backend", "wasm"),
    /^error: cannot write .*\/status\.json: the file system is read-only \(EROFS\)$/,
    { fault: "write@status.json:1:EROFS", mayWrite: true },
  ),
  {
    point: 7,
    name: "a directory where a run's metrics.jsonl belongs (EISDIR)",
    mayWrite: true,
    due: { error: /^error: cannot write .*\/metrics\.jsonl: it is a directory, not a file \(EISDIR\)$/ },
    run: (d, t) => {
      const config = { ...TINY, epochs: 2 };
      mkdirSync(join(runDirOf(join(d, "runs"), config), "metrics.jsonl"), { recursive: true });
      return t.cli(train(d, "--config", configFile(d, config), "--quiet", "--backend", "wasm"));
    },
  },
];

/** A child process's end as a shell sees it: a status, or 128 + the signal's number. */
const exitOf = (r: RawResult) => r.code ?? (r.signal === "SIGTERM" ? 143 : r.signal === "SIGINT" ? 130 : -1);

/** Locks, waits and signals (points 1 and 2). */
const LOCKS: HostileCase[] = [
  {
    point: 1,
    name: "two processes taking over one stale lock together, 20 rounds",
    mayWrite: true,
    timeoutS: 40,
    due: {
      handled: (r) => {
        const [a, b] = JSON.parse(r.stdout) as number[][];
        const doubled = Array.from({ length: 20 }, (_, i) => i).filter((i) => a.includes(i) === b.includes(i));
        return doubled.length === 0 ? null : `rounds with two owners or none: ${doubled.join(", ")}`;
      },
    },
    run: async (d, t) => {
      const dead = spawn("true");
      await new Promise((resolve) => dead.on("close", resolve));
      for (let r = 0; r < 20; r++) leaveLock(join(d, String(r)), { pid: dead.pid!, host: hostname() });
      const start = String(Date.now() + 2500);
      const contender = join(import.meta.dirname!, "..", "store", "lock_contender.ts");
      const won = await Promise.all([0, 1].map(() => {
        // Each holds its locks 4 s past its last round: a contender that starts late never finds the
        // locks of one that is gone (stale, rightly taken over), only those of a live one.
        const child = t.spawn(["run", "-A", contender, d, "20", start, "25", "4000"]);
        let out = "";
        child.stdout!.on("data", (x) => (out += x));
        return new Promise<number[]>((resolve) => child.on("close", () => resolve(out ? JSON.parse(out) : [])));
      }));
      return { code: 0, signal: null, stdout: JSON.stringify(won), stderr: "", timedOut: false };
    },
  },
  {
    point: 1,
    name: "two nc train processes started together on one new run",
    mayWrite: true,
    timeoutS: 60,
    due: {
      handled: (r, d) => {
        const run = runDirOf(join(d, "runs"), TINY);
        return first(
          [r.code === 0, `exit ${r.code}`],
          [lines(r.stderr, /\[nc\] training /).length === 1, "trained by both, or by neither"],
          [readRun(run).status.state === "done", "the run is not done"],
        );
      },
    },
    run: async (d, t) => {
      const args = train(d, "--config", configFile(d, TINY), "--quiet", "--backend", "wasm");
      const [a, b] = await Promise.all([t.cli(args), t.cli(args)]);
      return { ...a, code: a.code || b.code, stderr: a.stderr + b.stderr, timedOut: a.timedOut || b.timedOut };
    },
  },
  {
    point: 2,
    name: "a lock another host left (a Slurm task retried on another node)",
    mayWrite: true,
    due: {
      handled: (r) =>
        first(
          [r.code === 0, `exit ${r.code}`],
          [
            /took over the stale lock of .*: no heartbeat from process 4242 on node-elsewhere/.test(r.stderr),
            "no line",
          ],
        ),
    },
    run: (d, t) => {
      leaveLock(runDirOf(join(d, "runs"), TINY), { pid: 4242, host: "node-elsewhere" }, 3600);
      const args = train(d, "--config", configFile(d, TINY), "--quiet", "--backend", "wasm");
      return t.cli(args, { env: { NC_LOCK_LEASE: "60" } });
    },
  },
  {
    point: 2,
    name: "a lock of a reused process id (pid 1, alive) whose heartbeat stopped",
    mayWrite: true,
    due: {
      handled: (r) =>
        first(
          [r.code === 0, `exit ${r.code}`],
          [/took over the stale lock of .*: no heartbeat from process 1 on /.test(r.stderr), "no line"],
        ),
    },
    run: (d, t) => {
      leaveLock(runDirOf(join(d, "runs"), TINY), { pid: 1, host: hostname() }, 3600);
      const args = train(d, "--config", configFile(d, TINY), "--quiet", "--backend", "wasm");
      return t.cli(args, { env: { NC_LOCK_LEASE: "60" } });
    },
  },
  {
    point: 2,
    name: "a run locked by a live process: the wait names it; SIGTERM ends the wait",
    mayWrite: true,
    due: {
      handled: (r) =>
        first(
          [/\[nc\] waiting for .*: locked by process \d+ on \S+ since .*nc runs unlock/.test(r.stderr), "no line"],
          [exitOf(r) === 143, `exit ${exitOf(r)}`],
        ),
    },
    run: (d, t) => {
      const holder = t.spawn(["eval", "await new Promise((r) => setTimeout(r, 60000))"]);
      leaveLock(runDirOf(join(d, "runs"), TINY), { pid: holder.pid!, host: hostname() });
      const args = train(d, "--config", configFile(d, TINY), "--quiet", "--backend", "wasm");
      return t.cli(args, {
        drive: async (child) => {
          await child.waitFor(/\[nc\] waiting for/);
          child.signal("SIGTERM");
        },
      });
    },
  },
  {
    point: 2,
    name: "nc train stopped by SIGTERM (a Slurm time limit)",
    mayWrite: true,
    timeoutS: 60,
    due: {
      handled: (r, d) =>
        first(
          [exitOf(r) === 143, `exit ${exitOf(r)}`],
          [/\[nc\] stopped by SIGTERM after epoch \d+ of 2000: its checkpoint is kept/.test(r.stderr), "no line"],
          [!existsSync(join(runDirOf(join(d, "runs"), { ...TINY, epochs: 2000 }), "lock")), "the lock stays"],
        ),
    },
    run: (d, t) => {
      const config = { ...TINY, epochs: 2000 };
      const run = runDirOf(join(d, "runs"), config);
      return t.cli(train(d, "--config", configFile(d, config), "--quiet", "--backend", "wasm"), {
        drive: async (child) => {
          await child.waitFor(/\[nc\] training/);
          while (!existsSync(join(run, "checkpoint.bin"))) await new Promise((resolve) => setTimeout(resolve, 50));
          child.signal("SIGTERM");
        },
      });
    },
  },
  {
    point: 2,
    name: "a sweep's parent killed with SIGKILL: its two workers stop and release their locks",
    mayWrite: true,
    timeoutS: 60,
    due: { handled: (r) => (r.stdout === "released" ? null : r.stdout) },
    run: async (d, t) => {
      const runs = join(d, "runs");
      const locks =
        () => (existsSync(runs) ? readdirSync(runs).filter((id) => existsSync(join(runs, id, "lock"))) : []);
      const until = async (ok: () => boolean, ms: number) => {
        for (const end = Date.now() + ms; !ok() && Date.now() < end;) await new Promise((r) => setTimeout(r, 100));
        return ok();
      };
      let outcome = "";
      const grid = gridFile(d, "grid.json", { epochs: 1000, seeds: [0, 1] });
      const result = await t.cli(["sweep", "--grid", grid, "--runs-dir", runs, "--jobs", "2", "--pack", "off"], {
        env: { NC_BACKEND: "wasm" },
        drive: async (child) => {
          if (!(await until(() => locks().length === 2, 40_000))) outcome = "the workers never started";
          child.signal("SIGKILL");
        },
      });
      if (!outcome) outcome = (await until(() => locks().length === 0, 15_000)) ? "released" : `held: ${locks()}`;
      return { ...result, code: 0, stdout: outcome };
    },
  },
];

/** Checkpoints (point 4) and resuming with other settings (point 5): set up by training here. */
const RESUMES: HostileCase[] = [
  {
    point: 4,
    name: "64 weights overwritten in a checkpoint (resumed to 28 % accuracy before)",
    inProcess: true,
    mayWrite: true,
    due: {
      handled: (r, d) =>
        first(
          [r.code === 0, `exit ${r.code}`],
          [lines(r.stderr, /checkpoint\.bin: damaged \(its SHA-256 checksum does not match/).length === 1, "no line"],
          [/training \S+ from the start/.test(r.stderr), "not trained from the start"],
          [rowsOf(runDirOf(join(d, "runs"), TINY)) === rowsOf(runDirOf(join(d, "whole"), TINY)), "other metrics"],
        ),
    },
    run: async (d, t) => {
      await trainHere(join(d, "whole"), TINY);
      const stopped = await trainHere(join(d, "runs"), TINY, 2);
      const path = join(stopped.dir, "checkpoint.bin");
      const bytes = readFileSync(path);
      bytes.fill(0x3f, bytes.length - 600, bytes.length - 600 + 64 * 4);
      writeFileSync(path, bytes);
      return t.inProcess(train(d, "--config", configFile(d, TINY), "--quiet", "--backend", "wasm"));
    },
  },
  {
    point: 4,
    name: "a checkpoint cut short after 200 bytes",
    inProcess: true,
    mayWrite: true,
    due: {
      handled: (r) =>
        first(
          [r.code === 0, `exit ${r.code}`],
          [lines(r.stderr, /checkpoint\.bin: damaged .*; kept as checkpoint\.bin\.damaged/).length === 1, "no line"],
          [/training \S+ from the start/.test(r.stderr), "not trained from the start"],
        ),
    },
    run: async (d, t) => {
      const stopped = await trainHere(join(d, "runs"), TINY, 1);
      const path = join(stopped.dir, "checkpoint.bin");
      writeFileSync(path, readFileSync(path).subarray(0, 200));
      return t.inProcess(train(d, "--config", configFile(d, TINY), "--quiet", "--backend", "wasm"));
    },
  },
  {
    point: 4,
    name: "a NaN weight in a checkpoint with a valid checksum (survived into a done run before)",
    inProcess: true,
    mayWrite: true,
    due: {
      // A failed run is a result: its directory on stdout, then one error line with the reason, exit 1.
      handled: (r, d) =>
        first(
          [r.code === 1, `exit ${r.code}`],
          [
            lines(r.stderr, /^error/).length === 1 &&
            /^error: run failed: .*(parameter \S+ became non-finite|loss became NaN)/m.test(r.stderr),
            `not one line naming the NaN: ${lines(r.stderr, /^error/).join(" | ")}`,
          ],
          [readRun(runDirOf(join(d, "runs"), { ...TINY, batchNorm: false })).status.state === "failed", "not failed"],
        ),
    },
    run: async (d, t) => {
      const config = { ...TINY, batchNorm: false };
      const stopped = await trainHere(join(d, "runs"), config, 2);
      const path = join(stopped.dir, "checkpoint.bin");
      const { header, arrays } = readCheckpointFile<object>(path);
      arrays[0].values[3] = Number.NaN;
      writeCheckpointFile(path, header, arrays);
      return t.inProcess(train(d, "--config", configFile(d, config), "--quiet", "--backend", "wasm"));
    },
  },
  {
    point: 5,
    name: "a run started on wasm resumed on cpu",
    inProcess: true,
    due: { error: /^error: run \S+ started on wasm and would resume on cpu, .*resume it with --backend wasm/ },
    run: async (d, t) => {
      await trainHere(join(d, "runs"), TINY, 1);
      return t.inProcess(train(d, "--config", configFile(d, TINY), "--quiet", "--backend", "cpu"));
    },
  },
  {
    point: 5,
    name: "a native run started with 2 threads resumed by a 1-thread process",
    inProcess: true,
    mayWrite: true,
    timeoutS: 60,
    due: {
      handled: (r, d) =>
        first(
          [r.code === 0, `exit ${r.code}: ${r.stderr.trim().split("\n").at(-1)}`],
          [/started with 2 native threads: it resumes with 2, not 1/.test(r.stderr), "no line"],
          [
            JSON.parse(readFileSync(join(runDirOf(join(d, "runs"), TINY), "settings.json"), "utf8")).threads === 2,
            "settings.json changed",
          ],
        ),
    },
    run: async (d, t) => {
      await initBackend({ backend: "native", threads: 2, quiet: true });
      await runTraining(TINY, { ...quiet, runsDir: join(d, "runs"), stopAfterEpoch: 2 });
      return t.cli(train(d, "--config", configFile(d, TINY), "--quiet", "--backend", "native", "--threads", "1"));
    },
  },
  {
    point: 5,
    name: "a native run started by nc train with 2 threads, resumed by a two-job sweep (1 thread a job)",
    inProcess: true,
    mayWrite: true,
    timeoutS: 60,
    due: {
      handled: (r, d) => {
        const run = runDirOf(join(d, "runs"), TINY);
        // Each job's share of the cores (when that is 2 already, there is nothing to say).
        const share = Math.max(1, Math.floor(availableParallelism() / 2));
        return first(
          [r.code === 0, `exit ${r.code}: ${r.stderr.trim().split("\n").at(-1)}`],
          [
            share === 2 || new RegExp(`started with 2 native threads: it resumes with 2, not ${share}`).test(r.stderr),
            "no line: the worker resumed with its own thread count",
          ],
          [JSON.parse(readFileSync(join(run, "settings.json"), "utf8")).threads === 2, "settings.json changed"],
          [rowsOf(run) === rowsOf(runDirOf(join(d, "whole"), TINY)), "not the uninterrupted 2-thread run's metrics"],
        );
      },
    },
    run: async (d, t) => {
      await initBackend({ backend: "native", threads: 2, quiet: true });
      await runTraining(TINY, { ...quiet, runsDir: join(d, "whole") });
      await runTraining(TINY, { ...quiet, runsDir: join(d, "runs"), stopAfterEpoch: 2 });
      const { loss, width, epochs, seed: _, ...base } = TINY;
      const grid = json(d, "grid.json", { base, losses: [loss], widths: [width], epochs: [epochs], seeds: [4, 5] });
      const args = ["sweep", "--grid", grid, "--runs-dir", join(d, "runs"), "--jobs", "2", "--pack", "off"];
      return t.cli([...args, "--backend", "native"]);
    },
  },
];

/** Sweeps with a bad run (point 6). */
const SWEEPS: HostileCase[] = [
  {
    point: 6,
    name: "an error in one run of a sweep (aborted the sweep with a stack trace before)",
    mayWrite: true,
    timeoutS: 60,
    due: {
      handled: (r) => {
        const { states, failed, reason, again } = JSON.parse(r.stdout);
        return first(
          [r.code === 1, `exit ${r.code}`],
          [lines(r.stderr, /^\[nc\] {3}failed: \S+: injected fault at batch 12$/).length === 1, "no summary line"],
          [reason === "injected fault at batch 12", "the failure is not in the run's status"],
          [JSON.stringify(states) === '["done","done","failed"]', `states ${states}`],
          // An error is not a result: the next sweep trains that run again, and only that one.
          [JSON.stringify(again) === JSON.stringify([failed]), "the next sweep did not train the failed run alone"],
        );
      },
    },
    run: async (d, t) => {
      const grid = gridFile(d, "grid.json", { epochs: 3, seeds: [0, 1, 2] });
      const runs = join(d, "runs");
      const args = ["sweep", "--grid", grid, "--runs-dir", runs, "--pack", "off", "--backend", "wasm"];
      const failing = await t.cli(args, { fault: "batch:12:throw" });
      const stored = readRuns(runs);
      const failed = stored.find((run) => run.status.state === "failed");
      const again = await t.cli(args);
      const stdout = JSON.stringify({
        states: stored.map((run) => run.status.state).sort(),
        failed: failed?.id,
        reason: failed?.status.reason,
        again: [...again.stderr.matchAll(/\[nc\] (?:training|resuming) (\S+)/g)].map((m) => m[1]),
      });
      return { ...failing, stdout, timedOut: failing.timedOut || again.timedOut };
    },
  },
  {
    point: 6,
    name: "a truncated status.json and an unreadable checkpoint in a two-job sweep",
    inProcess: true,
    mayWrite: true,
    timeoutS: 60,
    due: {
      handled: (r, d) => {
        const summary = JSON.parse(r.stdout || "{}");
        const status = join(runDirOf(join(d, "runs"), gridConfigs(d)[0]), "status.json");
        return first(
          [r.code === 1, `exit ${r.code}`],
          [summary.failed === 2 && summary.done === 1, `done ${summary.done}, failed ${summary.failed}`],
          [lines(r.stderr, /^\[nc\] {3}failed: \S+: .*status\.json is damaged/).length === 1, "no line (status)"],
          [lines(r.stderr, /^\[nc\] {3}failed: \S+: .*(EISDIR|directory)/).length === 1, "no line (checkpoint)"],
          [readFileSync(status, "utf8").length === 40, "the damaged status.json was changed"],
        );
      },
    },
    run: async (d, t) => {
      const grid = gridFile(d, "grid.json", { epochs: 2, seeds: [0, 1, 2] });
      const runs = join(d, "runs");
      const configs = gridConfigs(d);
      await trainHere(runs, configs[0]);
      const status = join(runDirOf(runs, configs[0]), "status.json");
      writeFileSync(status, readFileSync(status, "utf8").slice(0, 40));
      mkdirSync(join(runDirOf(runs, configs[1]), "checkpoint.bin"), { recursive: true });
      return t.cli(["sweep", "--grid", grid, "--runs-dir", runs, "--jobs", "2", "--json"], {
        env: { NC_BACKEND: "wasm" },
      });
    },
  },
];

/** The whole catalogue, in the order of the counts table. */
export const HOSTILE_CASES: readonly HostileCase[] = [
  ...BAD_INPUT,
  ...LOCKS,
  ...WRONG_ANSWERS,
  ...RESUMES,
  ...SWEEPS,
  ...LIMITS,
  ...FILES,
].sort((a, b) => a.point - b.point);
