import { afterAll, expect, test } from "vitest";
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { createRng } from "../../lib/core/random.ts";
import { runCli } from "../helpers.ts";

/** Fixtures written by NumPy itself (tests/fixtures/npy/make_fixtures.py), and the same data as JSON. */
const FIXTURES = join(import.meta.dirname!, "../fixtures/npy");
const at = (name: string) => join(FIXTURES, name);
const dir = mkdtempSync(join(tmpdir(), "nc-npy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function metrics(args: string[]): Promise<Record<string, number>> {
  const { status, stdout, stderr } = await runCli(["metrics", ...args, "--json"]);
  expect(status, stderr).toBe(0);
  return JSON.parse(stdout);
}

test.each([
  ["float32 features, int64 labels (.npy files)", [
    "--features",
    "features_f4.npy",
    "--labels",
    "labels_i8.npy",
    "--weights",
    "W.npy",
    "--bias",
    "b.npy",
  ]],
  ["float64 Fortran-order features, uint8 labels", [
    "--features",
    "features_f8_fortran.npy",
    "--labels",
    "labels_u1.npy",
    "--weights",
    "W.npy",
    "--bias",
    "b.npy",
  ]],
  ["big-endian float64 features", [
    "--features",
    "features_f8_bigendian.npy",
    "--labels",
    "labels_i8.npy",
    "--weights",
    "W.npy",
    "--bias",
    "b.npy",
  ]],
  ["an np.savez archive (int16 labels)", ["--npz", "arrays.npz"]],
  ["an np.savez_compressed archive (int32 labels)", ["--npz", "arrays_compressed.npz"]],
])("NumPy input agrees with the JSON path on the same data: %s", async (_, args) => {
  const json = await metrics(["--input", at("features.json")]);
  const npy = await metrics(args.map((a) => (a.endsWith(".npy") || a.endsWith(".npz") ? at(a) : a)));
  expect(npy.N).toBe(20);
  for (const key of ["nc1", "nc2", "nc3", "nc4", "cdnv", "nc3SelfDuality", "nccMismatch"]) {
    // The same float64 values, summed in another order: 1e-12 relative.
    expect(Math.abs(npy[key] - json[key]), key).toBeLessThan(1e-12 * Math.max(1, Math.abs(json[key])));
  }
});

test("without --bias the classifier has no bias", async () => {
  const withZeros = join(dir, "zeros.npy");
  const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
  const padded = header.padEnd(118 - 10 - 1) + "\n";
  const bytes = new Uint8Array(10 + padded.length + 24);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(bytes.buffer).setUint16(8, padded.length, true);
  bytes.set(new TextEncoder().encode(padded), 10);
  writeFileSync(withZeros, bytes);
  const files = ["--features", at("features_f4.npy"), "--labels", at("labels_i8.npy"), "--weights", at("W.npy")];
  expect(await metrics(files)).toEqual(await metrics([...files, "--bias", withZeros]));
});

test.each([
  [
    "a malformed header",
    (b: Uint8Array) => (b.set(new TextEncoder().encode("{'descx"), 10), b),
    /malformed \.npy header/,
  ],
  ["bad magic", (b: Uint8Array) => (b[1] = 0x00, b), /not a NumPy \.npy array \(bad magic\)/],
  ["a truncated file", (b: Uint8Array) => b.subarray(0, b.length - 7), /features\.npy: truncated/],
])("features with %s are one clear error naming the file", async (_, damage, message) => {
  const file = join(dir, "features.npy");
  writeFileSync(file, damage(new Uint8Array(readFileSync(at("features_f4.npy")))));
  const { status, stderr } = await runCli([
    "metrics",
    "--features",
    file,
    "--labels",
    at("labels_i8.npy"),
    "--weights",
    at("W.npy"),
  ]);
  expect(status).toBe(2);
  expect(stderr.trim().split("\n")).toHaveLength(1);
  expect(stderr).toMatch(message);
});

test.each([
  [
    ["--features", "W.npy", "--labels", "labels_i8.npy", "--weights", "W.npy"],
    /labels must be 3 integers .* got <i8 shape \(20\)/,
  ],
  [
    ["--features", "features_f4.npy", "--labels", "labels_i8.npy", "--weights", "b.npy"],
    /W must be K×d with K ≥ 2 classes, got shape \(3\)/,
  ],
  [
    ["--features", "features_f4.npy", "--labels", "features_f4.npy", "--weights", "W.npy"],
    /labels must be 20 integers/,
  ],
  [["--features", "features_f4.npy", "--weights", "W.npy"], /NumPy input needs --labels/],
  [["--npz", "arrays.npz", "--input", "features.json"], /give one input/],
])("shape mismatches and missing arrays are one clear error: %j", async (args, message) => {
  const { status, stderr } = await runCli(["metrics", ...args.map((a) => (/\.(npy|npz|json)$/.test(a) ? at(a) : a))]);
  expect(status).toBe(2);
  expect(stderr).toMatch(message);
});

/** Peak resident memory (VmHWM, KiB) of a child process, polled until it exits. */
function peakMemory(args: string[]): Promise<{ code: number | null; stdout: string; peakKiB: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["run", "-A", join(import.meta.dirname!, "../../lib/cli.ts"), ...args]);
    let stdout = "", peakKiB = 0;
    child.stdout.on("data", (d) => (stdout += d));
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
      } catch {
        // exited
      }
    }, 20);
    child.on("close", (code) => (clearInterval(poll), resolve({ code, stdout, peakKiB })));
  });
}

test("a 1 GiB feature file is streamed: peak memory stays under 400 MiB", { timeout: 180_000 }, async () => {
  const [N, d, K] = [1 << 19, 512, 4]; // 2^19 × 512 float32 = 1 GiB
  const rng = createRng("npy-1gib");
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${N}, ${d}), }`;
  const padded = header.padEnd(128 - 10 - 1) + "\n";
  const features = join(dir, "big.npy"), labels = join(dir, "big_labels.npy");
  const fd = openSync(features, "w");
  const head = new Uint8Array(10 + padded.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, padded.length, true);
  head.set(new TextEncoder().encode(padded), 10);
  writeSync(fd, head);
  const block = Float32Array.from({ length: 1024 * d }, () => rng.normal()); // 2 MiB of rows, reused
  for (let written = 0; written < N; written += 1024) writeSync(fd, new Uint8Array(block.buffer));
  closeSync(fd);
  const labelHeader = `{'descr': '<i4', 'fortran_order': False, 'shape': (${N},), }`.padEnd(128 - 10 - 1) + "\n";
  const labelBytes = new Uint8Array(128 + 4 * N);
  labelBytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(labelBytes.buffer).setUint16(8, labelHeader.length, true);
  labelBytes.set(new TextEncoder().encode(labelHeader), 10);
  new Int32Array(labelBytes.buffer, 128).forEach((_, i, a) => (a[i] = i % K));
  writeFileSync(labels, labelBytes);
  const W = join(dir, "big_W.npy");
  const wHeader = `{'descr': '<f8', 'fortran_order': False, 'shape': (${K}, ${d}), }`.padEnd(128 - 10 - 1) + "\n";
  const wBytes = new Uint8Array(128 + 8 * K * d);
  wBytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(wBytes.buffer).setUint16(8, wHeader.length, true);
  wBytes.set(new TextEncoder().encode(wHeader), 10);
  new Float64Array(wBytes.buffer, 128).forEach((_, i, a) => (a[i] = rng.normal()));
  writeFileSync(W, wBytes);
  const run = await peakMemory(["metrics", "--features", features, "--labels", labels, "--weights", W, "--json"]);
  rmSync(features);
  expect(run.code).toBe(0);
  const out = JSON.parse(run.stdout);
  expect(out).toMatchObject({ N, K, d });
  expect(Number.isFinite(out.nc1)).toBe(true);
  // The file is 1,024 MiB; the process (Deno, TensorFlow.js and polars loaded) stays well below it.
  expect(run.peakKiB / 1024).toBeGreaterThan(0);
  expect(run.peakKiB / 1024).toBeLessThan(400);
});
