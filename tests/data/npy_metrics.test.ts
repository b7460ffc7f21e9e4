import { afterAll, expect, test } from "vitest";
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { Buffer } from "node:buffer";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { fromRows } from "../../lib/core/linalg.ts";
import { npz } from "../reliability/hostile_fixtures.ts";
import { type NcMetrics, ncMetricsOf } from "../../lib/core/nc_metrics.ts";
import { createRng } from "../../lib/core/random.ts";
import { DataError } from "../../lib/data/dataset.ts";
import { featureMeanOfNpy, ncMetricsOfNpy, type NpyMetricsSource } from "../../lib/data/npy_metrics.ts";

/** Fixtures written by NumPy itself (tests/fixtures/npy/make_fixtures.py), and the same data as JSON. */
const FIXTURES = join(import.meta.dirname!, "../fixtures/npy");
const at = (name: string) => join(FIXTURES, name);
const dir = mkdtempSync(join(tmpdir(), "nc-npy-metrics-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The fixtures: K = 3 unbalanced classes, d = 5, N = 20. */
const FILES = { features: at("features_f4.npy"), labels: at("labels_i8.npy"), weights: at("W.npy"), bias: at("b.npy") };
const JSON_DATA: { features: number[][]; labels: number[]; W: number[][]; b: number[] } = JSON.parse(
  readFileSync(at("features.json"), "utf8"),
);

/** The metrics of the fixtures' data held in memory. */
function inMemory(globalMean: "sample" | "classMeans" = "sample"): NcMetrics {
  const { features, labels, W, b } = JSON_DATA;
  return ncMetricsOf(features, labels, { W: fromRows(W), b }, { globalMean });
}

/** Every metric of `actual` equals `expected`'s to 1e-12 relative (the same float64 values, summed in another order). */
function expectClose(actual: NcMetrics, expected: NcMetrics): void {
  for (const [key, value] of Object.entries(expected) as [keyof NcMetrics, number | string | null][]) {
    const got = actual[key];
    if (typeof value !== "number") expect(got, key).toBe(value);
    else expect(Math.abs((got as number) - value), key).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(value)));
  }
}

/** The bytes of a version-1.0 .npy header for `descr` and `shape`, padded so the data is 64-byte aligned. */
function npyHeader(descr: string, shape: readonly number[], headerBytes = 128): Uint8Array {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const text = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`.padEnd(headerBytes - 10 - 1) + "\n";
  const head = new Uint8Array(10 + text.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, text.length, true);
  head.set(new TextEncoder().encode(text), 10);
  return head;
}

/** Writes a .npy file of float64 (`<f8`) or int32 (`<i4`) values and returns its path. */
function writeNpy(name: string, shape: readonly number[], values: Float64Array | Int32Array): string {
  const path = join(dir, name);
  const head = npyHeader(values instanceof Int32Array ? "<i4" : "<f8", shape);
  const bytes = new Uint8Array(head.length + values.byteLength);
  bytes.set(head);
  bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), head.length);
  writeFileSync(path, bytes);
  return path;
}

/** Writes a stored (uncompressed) zip of the given member files, as `np.savez` does, and returns its path. */
function writeNpz(name: string, members: Record<string, string>): string {
  return npz(dir, name, Object.fromEntries(Object.entries(members).map(([k, f]) => [k, new Uint8Array(readFileSync(f))])));
}

/** The error `run` throws. */
function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

test.each<[string, NpyMetricsSource]>([
  ["float32 features, int64 labels (.npy files)", FILES],
  ["float64 Fortran-order features, uint8 labels", {
    ...FILES,
    features: at("features_f8_fortran.npy"),
    labels: at("labels_u1.npy"),
  }],
  ["big-endian float64 features", { ...FILES, features: at("features_f8_bigendian.npy") }],
  ["an np.savez archive (int16 labels)", { npz: at("arrays.npz") }],
  ["an np.savez_compressed archive (int32 labels)", { npz: at("arrays_compressed.npz") }],
])("NumPy files give the metrics of the same data held in memory: %s", (_, source) => {
  const result = ncMetricsOfNpy(source);
  expect(result).toMatchObject({ N: 20, K: 3, d: 5, globalMean: "sample" });
  expectClose(result, inMemory());
});

test("the global mean option is passed on and reported", () => {
  const result = ncMetricsOfNpy(FILES, { globalMean: "classMeans" });
  expect(result.globalMean).toBe("classMeans");
  expectClose(result, inMemory("classMeans"));
  expect(result.nc1).not.toBeCloseTo(ncMetricsOfNpy(FILES).nc1, 6); // unbalanced classes: the two differ
});

test.each([1, 3, 7, 20, 1000])("chunks of %i rows give the metrics of one pass over all rows", (chunkRows) => {
  expectClose(ncMetricsOfNpy(FILES, { chunkRows }), ncMetricsOfNpy(FILES));
});

test.each([0, 2.5, Number.NaN])("a chunk size of %s rows is a RangeError", (chunkRows) => {
  expect(() => ncMetricsOfNpy(FILES, { chunkRows })).toThrow(RangeError);
});

test("without a bias file the classifier has no bias", () => {
  const zeros = writeNpy("zeros.npy", [3], new Float64Array(3));
  const { bias: _, ...noBias } = FILES;
  expect(ncMetricsOfNpy(noBias)).toEqual(ncMetricsOfNpy({ ...FILES, bias: zeros }));
});

/** The OOD fixture rows (tests/fixtures/npy: 6 rows of dimension 5, float32 written by NumPy) and their mean. */
const OOD_ROWS: number[][] = JSON.parse(readFileSync(at("ood.json"), "utf8"));
const OOD_MEAN = OOD_ROWS[0].map((_, j) => OOD_ROWS.reduce((s, row) => s + row[j], 0) / OOD_ROWS.length);

test.each([
  ["an .npy file", at("ood_f4.npy")],
  ["the features member of an .npz archive", at("ood.npz")],
])("ood features in %s give NC5 of their mean, and their count", (_, ood) => {
  const result = ncMetricsOfNpy(FILES, { ood });
  expect(result.oodN).toBe(6);
  const { features, labels, W, b } = JSON_DATA;
  const expected = ncMetricsOf(features, labels, { W: fromRows(W), b }, { oodMean: OOD_MEAN });
  expect(expected.nc5).toBeGreaterThan(0.01);
  const { oodN: _oodN, ...metrics } = result;
  expectClose(metrics, expected);
  expect(ncMetricsOfNpy(FILES).nc5).toBeNull();
  expect(ncMetricsOfNpy(FILES).oodN).toBeUndefined();
});

test("featureMeanOfNpy streams the mean in chunks of any size", () => {
  for (const chunkRows of [1, 4, 6, 100]) {
    const { mean, count } = featureMeanOfNpy(at("ood_f4.npy"), { chunkRows, dim: 5 });
    expect(count).toBe(6);
    // Sums of six float32 values in float64, in another order: equal to 1e-15 relative.
    [...mean].forEach((m, j) => expect(m).toBeCloseTo(OOD_MEAN[j], 14));
  }
});

test.each<[string, () => string, RegExp]>([
  [
    "features of another dimension",
    () => writeNpy("ood4.npy", [2, 4], new Float64Array(8)),
    /ood4\.npy: features must be N×5 \(the features' dimension\) with N ≥ 1, got shape \(2,4\)/,
  ],
  ["a vector", () => at("b.npy"), /b\.npy: features must be N×5 .* got shape \(3\)/],
  ["no rows", () => writeNpy("ood0.npy", [0, 5], new Float64Array(0)), /ood0\.npy: features must be N×5/],
  [
    "a non-finite value",
    () => writeNpy("ood_nan.npy", [2, 5], Float64Array.from([1, 2, 3, 4, 5, 6, Number.NaN, 8, 9, 10])),
    /ood_nan\.npy: features\[1\]\[1\] is not finite/,
  ],
  [
    "several arrays, none named features",
    () => writeNpz("two.npz", { W: at("W.npy"), b: at("b.npy") }),
    /two\.npz: no array named features, and more than one array \(found W, b\)/,
  ],
])("an OOD file with %s is a DataError naming it", (_, ood, message) => {
  const error = errorOf(() => ncMetricsOfNpy(FILES, { ood: ood() }));
  expect(error).toBeInstanceOf(DataError);
  expect(error.message).toMatch(message);
});

test("OOD features as a file and as a mean at once is a RangeError", () => {
  expect(() => ncMetricsOfNpy(FILES, { ood: at("ood_f4.npy"), oodMean: OOD_MEAN })).toThrow(RangeError);
});

test.each([
  [
    "a malformed header",
    (b: Uint8Array) => (b.set(new TextEncoder().encode("{'descx"), 10), b),
    /features\.npy: malformed \.npy header/,
  ],
  ["bad magic", (b: Uint8Array) => (b[1] = 0x00, b), /features\.npy: not a NumPy \.npy array \(bad magic\)/],
  ["a truncated file", (b: Uint8Array) => b.subarray(0, b.length - 7), /features\.npy: truncated/],
])("a features file with %s is a DataError naming the file", (_, damage, message) => {
  const features = join(dir, "features.npy");
  writeFileSync(features, damage(new Uint8Array(readFileSync(FILES.features))));
  const error = errorOf(() => ncMetricsOfNpy({ ...FILES, features }));
  expect(error).toBeInstanceOf(DataError);
  expect(error.message).toMatch(message);
});

/** The fixtures' labels as 64-bit integers (`<i8` or `<u8`) with `label` at `position`. */
function wideLabelsWith(name: string, descr: "<i8" | "<u8", position: number, label: bigint): string {
  const labels = descr === "<i8"
    ? BigInt64Array.from(JSON_DATA.labels, BigInt)
    : BigUint64Array.from(JSON_DATA.labels, BigInt);
  labels[position] = label;
  const head = npyHeader(descr, [20]);
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([head, new Uint8Array(labels.buffer)]));
  return path;
}

/** The fixtures' W (`b` when `bias`) or features with `value` at flat index `at`. */
function withValue(name: string, what: "W" | "b" | "features", at: number, value: number): string {
  const values = Float64Array.from(
    what === "b" ? JSON_DATA.b : (what === "W" ? JSON_DATA.W : JSON_DATA.features).flat(),
  );
  values[at] = value;
  return writeNpy(name, what === "b" ? [3] : [values.length / 5, 5], values);
}

/** Labels of the fixtures with `label` at `position`. */
function labelsWith(name: string, position: number, label: number): string {
  const labels = Int32Array.from(JSON_DATA.labels);
  labels[position] = label;
  return writeNpy(name, [20], labels);
}

test.each<[string, () => NpyMetricsSource, RegExp]>([
  ["a missing file", () => ({ ...FILES, weights: join(dir, "absent.npy") }), /absent\.npy: /],
  [
    "W that is not a matrix",
    () => ({ ...FILES, weights: at("b.npy") }),
    /b\.npy: W must be K×d with K ≥ 2 classes, got shape \(3\)/,
  ],
  [
    "W with one class (checked by the accumulators)",
    () => ({ ...FILES, weights: writeNpy("W1.npy", [1, 5], new Float64Array(5)), bias: undefined }),
    /W1\.npy: numClasses must be an integer ≥ 2, got 1 \(W is 1×5: classes × feature dimension\)/,
  ],
  [
    "features of another dimension than W",
    () => ({ ...FILES, features: writeNpy("f4.npy", [20, 4], new Float64Array(80)) }),
    /f4\.npy: features must be N×5 \(W is 3×5\), got shape \(20,4\)/,
  ],
  [
    "fewer feature rows than labels",
    () => ({ ...FILES, features: at("W.npy") }),
    /labels_i8\.npy: labels must be 3 integers \(one per feature row\), got <i8 shape \(20\)/,
  ],
  [
    "labels that are a matrix",
    () => ({ ...FILES, labels: at("features_f4.npy") }),
    /features_f4\.npy: labels must be 20 integers/,
  ],
  [
    "labels stored as floats",
    () => ({ ...FILES, labels: writeNpy("float_labels.npy", [20], Float64Array.from(JSON_DATA.labels)) }),
    /float_labels\.npy: labels must be 20 integers .* got <f8 shape \(20\)/,
  ],
  [
    "a label outside [0, K) (checked by the accumulators)",
    () => ({ ...FILES, labels: labelsWith("label3.npy", 7, 3) }),
    /label3\.npy: label 3 at position 7 is outside \[0, 3\)/,
  ],
  [
    "a negative label (checked by the accumulators)",
    () => ({ ...FILES, labels: labelsWith("negative.npy", 19, -1) }),
    /negative\.npy: label -1 at position 19 is outside \[0, 3\)/,
  ],
  [
    "a class with no samples (checked by the accumulators)",
    () => ({ ...FILES, labels: writeNpy("two_classes.npy", [20], Int32Array.from({ length: 20 }, (_, i) => i % 2)) }),
    /two_classes\.npy: class 2 has no samples/,
  ],
  [
    "a bias of the wrong length (checked with the classifier)",
    () => ({ ...FILES, bias: writeNpy("b4.npy", [4], new Float64Array(4)) }),
    /b4\.npy: b must have 3 entries \(one per class\), got shape \(4\)/,
  ],
  [
    "a bias that is a matrix",
    () => ({ ...FILES, bias: at("W.npy") }),
    /W\.npy: b must have 3 entries \(one per class\), got shape \(3,5\)/,
  ],
  [
    "a non-finite feature",
    () => {
      const features = Float64Array.from(JSON_DATA.features.flat());
      features[4 * 5 + 2] = Number.NaN;
      return { ...FILES, features: writeNpy("nan.npy", [20, 5], features) };
    },
    /nan\.npy: features\[4\]\[2\] is not finite/,
  ],
  [
    "an int64 label of 2³² + 1 (read exactly through float64, not wrapped to 1)",
    () => ({ ...FILES, labels: wideLabelsWith("i8_big.npy", "<i8", 5, 2n ** 32n + 1n) }),
    /i8_big\.npy: label 4294967297 at position 5 is outside \[0, 3\)/,
  ],
  [
    "an int64 label of −2³²",
    () => ({ ...FILES, labels: wideLabelsWith("i8_negative.npy", "<i8", 6, -(2n ** 32n)) }),
    /i8_negative\.npy: label -4294967296 at position 6 is outside \[0, 3\)/,
  ],
  [
    "a uint64 label of 2⁶⁴ − 1",
    () => ({ ...FILES, labels: wideLabelsWith("u8_big.npy", "<u8", 0, 2n ** 64n - 1n) }),
    /u8_big\.npy: label 18446744073709552000 at position 0 is outside \[0, 3\)/,
  ],
  [
    "a NaN in W",
    () => ({ ...FILES, weights: withValue("W_nan.npy", "W", 7, Number.NaN) }),
    /W_nan\.npy: W\[1\]\[2\] = NaN is not finite/,
  ],
  [
    "an infinite b",
    () => ({ ...FILES, bias: withValue("b_inf.npy", "b", 2, -Infinity) }),
    /b_inf\.npy: b\[2\] = -Infinity is not finite/,
  ],
  [
    "features whose squares overflow float64 (1e200)",
    () => ({ ...FILES, features: withValue("huge.npy", "features", 0, 1e200) }),
    /huge\.npy: class \d's mean overflows float64 .* rescale the features/,
  ],
  [
    "features whose within-class scatter overflows float64 (1e160)",
    () => ({ ...FILES, features: withValue("large.npy", "features", 0, 1e160) }),
    /large\.npy: .* overflows float64/,
  ],
  [
    "an archive without W",
    () => ({ npz: writeNpz("no_w.npz", { features: FILES.features, labels: FILES.labels, b: FILES.bias }) }),
    /no_w\.npz: no array named W \(found features, labels, b\)/,
  ],
])("%s is a DataError naming the file", (_, source, message) => {
  const error = errorOf(() => ncMetricsOfNpy(source()));
  expect(error).toBeInstanceOf(DataError);
  expect(error.message).toMatch(message);
});

const ROOT = join(import.meta.dirname!, "../..");

/** Runs `script` (with the project's config) in a fresh Deno process and polls its peak resident memory (VmHWM, KiB) until it exits. */
function peakMemory(
  script: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; peakKiB: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["run", "-A", "--config", join(ROOT, "deno.json"), script, ...args]);
    let stdout = "", stderr = "", peakKiB = 0;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
      } catch {
        // exited
      }
    }, 20);
    child.on("close", (code) => (clearInterval(poll), resolve({ code, stdout, stderr, peakKiB })));
  });
}

test("a 1 GiB feature file is streamed: peak memory stays under 400 MiB", { timeout: 180_000 }, async () => {
  const [N, d, K] = [1 << 19, 512, 4]; // 2^19 × 512 float32 = 1 GiB
  const rng = createRng("npy-1gib");
  const features = join(dir, "big.npy");
  const fd = openSync(features, "w");
  writeSync(fd, npyHeader("<f4", [N, d]));
  const block = Float32Array.from({ length: 1024 * d }, () => rng.normal()); // 2 MiB of rows, reused
  for (let written = 0; written < N; written += 1024) writeSync(fd, new Uint8Array(block.buffer));
  closeSync(fd);
  const labels = writeNpy("big_labels.npy", [N], Int32Array.from({ length: N }, (_, i) => i % K));
  const weights = writeNpy("big_W.npy", [K, d], Float64Array.from({ length: K * d }, () => rng.normal()));
  const script = join(dir, "measure.ts");
  const module = pathToFileURL(join(ROOT, "lib/data/npy_metrics.ts")).href;
  writeFileSync(
    script,
    `import { ncMetricsOfNpy } from ${JSON.stringify(module)};\n` +
      `const [features, labels, weights] = Deno.args;\n` +
      `console.log(JSON.stringify(ncMetricsOfNpy({ features, labels, weights })));\n`,
  );
  const run = await peakMemory(script, [features, labels, weights]);
  rmSync(features);
  expect(run.code, run.stderr).toBe(0);
  const out = JSON.parse(run.stdout);
  expect(out).toMatchObject({ N, K, d });
  expect(Number.isFinite(out.nc1)).toBe(true);
  // The file is 1,024 MiB; the process holds the accumulators and one chunk (8,192 rows).
  expect(run.peakKiB / 1024).toBeGreaterThan(0);
  expect(run.peakKiB / 1024).toBeLessThan(400);
});
