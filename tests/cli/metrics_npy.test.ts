/**
 * `nc metrics` with NumPy input: the flags, exit statuses and printed output. What the metrics of
 * NumPy files are, and which files are errors, is tests/data/npy_metrics.test.ts.
 */
import { afterAll, expect, test } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatPrecise } from "../../lib/report/number_format.ts";
import { ncMetricsOfNpy } from "../../lib/data/npy_metrics.ts";
import { runCli } from "../helpers.ts";

/** Fixtures written by NumPy itself (tests/fixtures/npy/make_fixtures.py): N = 20, K = 3, d = 5. */
const FIXTURES = join(import.meta.dirname!, "../fixtures/npy");
const at = (name: string) => join(FIXTURES, name);
const dir = mkdtempSync(join(tmpdir(), "nc-npy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILES = { features: at("features_f4.npy"), labels: at("labels_i8.npy"), weights: at("W.npy"), bias: at("b.npy") };
const FILE_FLAGS = Object.entries(FILES).flatMap(([flag, file]) => [`--${flag}`, file]);

test.each([
  ["--features, --labels, --weights and --bias", FILE_FLAGS, FILES],
  ["--npz", ["--npz", at("arrays.npz")], { npz: at("arrays.npz") }],
])("%s with --json print the metrics, N, K, d and the global mean as one JSON object", async (_, args, source) => {
  const { status, stdout, stderr } = await runCli(["metrics", ...args, "--json"]);
  expect(status, stderr).toBe(0);
  expect(JSON.parse(stdout)).toEqual(ncMetricsOfNpy(source));
  expect(stderr).toBe("[nc] 20 samples, K = 3, d = 5, global mean: sample\n");
});

test("--global-mean classMeans reaches the metrics and the output", async () => {
  const { status, stdout, stderr } = await runCli(["metrics", ...FILE_FLAGS, "--global-mean", "classMeans", "--json"]);
  expect(status, stderr).toBe(0);
  expect(JSON.parse(stdout)).toEqual(ncMetricsOfNpy(FILES, { globalMean: "classMeans" }));
  expect(stderr).toMatch(/global mean: classMeans/);
});

test("without --json, one line per metric and no sizes", async () => {
  const { status, stdout } = await runCli(["metrics", ...FILE_FLAGS]);
  expect(status).toBe(0);
  const { N: _N, K: _K, d: _d, globalMean: _g, ...metrics } = ncMetricsOfNpy(FILES);
  const lines = Object.entries(metrics).map(([key, value]) => `${key.padEnd(20)} ${formatPrecise(value)}\n`);
  expect(stdout).toBe(lines.join(""));
});

test("without --bias the classifier has no bias", async () => {
  const zeros = join(dir, "zeros.npy");
  const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
  const padded = header.padEnd(118 - 10 - 1) + "\n";
  const bytes = new Uint8Array(10 + padded.length + 24);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(bytes.buffer).setUint16(8, padded.length, true);
  bytes.set(new TextEncoder().encode(padded), 10);
  writeFileSync(zeros, bytes);
  const noBias = FILE_FLAGS.slice(0, 6);
  const withoutBias = await runCli(["metrics", ...noBias, "--json"]);
  const withZeros = await runCli(["metrics", ...noBias, "--bias", zeros, "--json"]);
  expect(withoutBias.status).toBe(0);
  expect(withoutBias.stdout).toBe(withZeros.stdout);
});

test.each([
  ["a damaged features file", () => {
    const file = join(dir, "features.npy");
    const bytes = new Uint8Array(readFileSync(FILES.features));
    bytes[1] = 0x00; // bad magic
    writeFileSync(file, bytes);
    return ["--features", file, "--labels", FILES.labels, "--weights", FILES.weights];
  }, /^error: .*features\.npy: not a NumPy \.npy array \(bad magic\)$/],
  [
    "labels that do not fit the features",
    () => ["--features", FILES.weights, "--labels", FILES.labels, "--weights", FILES.weights],
    /^error: .*labels_i8\.npy: labels must be 3 integers .* got <i8 shape \(20\)$/,
  ],
  [
    "a missing file",
    () => ["--npz", join(dir, "absent.npz")],
    /^error: .*absent\.npz: /,
  ],
])("%s exits 2 with one line on stderr naming the file", async (_, args, message) => {
  const { status, stdout, stderr } = await runCli(["metrics", ...args()]);
  expect(status).toBe(2);
  expect(stdout).toBe("");
  expect(stderr.trim().split("\n")).toHaveLength(1);
  expect(stderr.trim()).toMatch(message);
});

test.each([
  [["--features", "features_f4.npy", "--weights", "W.npy"], /NumPy input needs --labels/],
  [["--npz", "arrays.npz", "--input", "features.json"], /give one input/],
  [["--npz", "arrays.npz", "--features", "features_f4.npy"], /give one input/],
  [["--npz", "arrays.npz", "--global-mean", "median"], /--global-mean must be sample or classMeans, got "median"/],
])("flags that name no single input, or a bad option, exit 2: %j", async (args, message) => {
  const { status, stderr } = await runCli(["metrics", ...args.map((a) => (/\.(npy|npz|json)$/.test(a) ? at(a) : a))]);
  expect(status).toBe(2);
  expect(stderr).toMatch(message);
});

test("--ood gives nc5 and the OOD sample count, with NumPy and with JSON input", async () => {
  const ood = at("ood_f4.npy");
  const npy = await runCli(["metrics", ...FILE_FLAGS, "--ood", ood, "--json"]);
  expect(npy.status, npy.stderr).toBe(0);
  const expected = ncMetricsOfNpy(FILES, { ood });
  expect(JSON.parse(npy.stdout)).toEqual(expected);
  expect(expected).toMatchObject({ oodN: 6, nc5: expect.any(Number) });
  expect(npy.stderr).toBe("[nc] 20 samples, K = 3, d = 5, global mean: sample, 6 out-of-distribution samples\n");
  const json = await runCli(["metrics", "--input", at("features.json"), "--ood", at("ood.npz"), "--json"]);
  expect(json.status, json.stderr).toBe(0);
  const m = JSON.parse(json.stdout);
  expect(m.oodN).toBe(6);
  expect(m.nc5).toBeCloseTo(expected.nc5!, 12); // the same float32 values, read as float64 from JSON
});

test("an --ood file of another dimension exits 2 naming it", async () => {
  const { status, stdout, stderr } = await runCli(["metrics", ...FILE_FLAGS, "--ood", at("W.npy").replace("W", "b")]);
  expect(status).toBe(2);
  expect(stdout).toBe("");
  expect(stderr.trim()).toMatch(/^error: .*b\.npy: features must be N×5 .* got shape \(3\)$/);
});

test("--help documents --ood", async () => {
  const { status, stdout } = await runCli(["metrics", "--help"]);
  expect(status).toBe(0);
  expect(stdout).toMatch(/--ood FILE\s+out-of-distribution features/);
});
