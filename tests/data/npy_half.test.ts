/**
 * Half-precision (float16) `.npy` arrays, and `.npz` members under other names: the decoding of
 * binary16 bit patterns, files written by NumPy itself (tests/fixtures/npy/make_fixtures.py), and
 * `nc metrics --npz` with `--features-key` and friends.
 */
import { expect, test } from "vitest";
import { join } from "node:path";
import { float16ToNumber } from "../../lib/data/float16.ts";
import { openNpy } from "../../lib/data/npy.ts";
import { ncMetricsOfNpy } from "../../lib/data/npy_metrics.ts";
import { DataError } from "../../lib/data/dataset.ts";
import { runCli } from "../helpers.ts";

const at = (name: string) => join(import.meta.dirname!, "../fixtures/npy", name);

/** Bit patterns and their values, from the IEEE 754 binary16 definition (not from the decoder). */
const HALVES: [number, number][] = [
  [0x0000, 0],
  [0x8000, -0],
  [0x0001, 2 ** -24], // smallest subnormal
  [0x03ff, 1023 * 2 ** -24], // largest subnormal
  [0x0400, 2 ** -14], // smallest normal
  [0x3c00, 1],
  [0xc000, -2],
  [0x7bff, 65504], // largest finite
  [0x7c00, Infinity],
  [0xfc00, -Infinity],
  [0x7e00, NaN],
  [0x3555, (1 + 341 / 1024) / 4], // 1/3 rounded to half: (1 + 341/1024) × 2⁻²
];

test.each(HALVES)("float16ToNumber(%i) is the binary16 value %s", (bits, value) => {
  expect(float16ToNumber(bits)).toStrictEqual(value);
});

test("float16ToNumber is exact and monotone: every finite non-negative half has at most 11 significant bits, in bit order", () => {
  let previous = -Infinity;
  for (let bits = 0; bits < 0x7c00; bits++) {
    const v = float16ToNumber(bits);
    expect(v > previous || bits === 0).toBe(true);
    previous = v;
    // The value has at most 11 significant bits: scaling by a power of two leaves an integer < 2048.
    if (v !== 0) {
      const exponent = Math.max(Math.floor(Math.log2(v)) - 10, -24);
      const m = v / 2 ** exponent;
      expect(Number.isInteger(m) && m < 2048).toBe(true);
    }
  }
});

test("a big-endian float16 .npy written by NumPy reads back as its exact values, subnormals, infinities and NaN included", () => {
  const file = openNpy(at("half_bits_bigendian.npy"));
  const array = [...file.arrays.values()][0];
  expect(array.descr).toBe(">f2");
  const values = Array.from(array.rows(0, array.shape[0]));
  expect(values).toStrictEqual(HALVES.map(([, v]) => v));
});

test("float16 features give the metrics of the same values held as float64 (little-endian, C order)", () => {
  const half = [...openNpy(at("features_f2.npy")).arrays.values()][0];
  const single = [...openNpy(at("features_f4.npy")).arrays.values()][0];
  const h = half.rows(0, 20), s = single.rows(0, 20);
  // float32 → float16 rounding: relative error ≤ 2⁻¹¹ (values here are ≥ 2⁻¹⁴, no subnormals).
  for (let i = 0; i < h.length; i++) expect(Math.abs(h[i] - s[i])).toBeLessThanOrEqual(2 ** -11 * Math.abs(s[i]));
  const metrics = ncMetricsOfNpy({
    features: at("features_f2.npy"),
    labels: at("labels_i8.npy"),
    weights: at("W.npy"),
  });
  expect(metrics.N).toBe(20);
  expect(Number.isFinite(metrics.nc1)).toBe(true);
});

const NAMED = {
  npz: at("arrays_named.npz"),
  keys: { features: "feats", labels: "y", weights: "classifier", bias: "offset" },
};

test("an .npz whose members have other names is read through keys, as the same arrays in .npy files", () => {
  const named = ncMetricsOfNpy(NAMED);
  const files = ncMetricsOfNpy({
    features: at("features_f2.npy"),
    labels: at("labels_i8.npy"),
    weights: at("W.npy"),
    bias: at("b.npy"),
  });
  expect(named).toStrictEqual(files);
});

test("a key naming no member is a DataError listing the members present", () => {
  expect(() => ncMetricsOfNpy({ npz: NAMED.npz, keys: { ...NAMED.keys, bias: "b" } })).toThrow(DataError);
  expect(() => ncMetricsOfNpy({ npz: NAMED.npz, keys: { ...NAMED.keys, bias: "b" } }))
    .toThrow(/arrays_named\.npz: no array named b \(found feats, y, classifier, offset\)/);
  expect(() => ncMetricsOfNpy({ npz: NAMED.npz })).toThrow(/no array named features, labels, W \(found feats, y/);
});

test("nc metrics --npz with --features-key, --labels-key, --weights-key and --bias-key", async () => {
  const keys = ["--features-key", "feats", "--labels-key", "y", "--weights-key", "classifier", "--bias-key", "offset"];
  const ok = await runCli(["metrics", "--npz", NAMED.npz, ...keys, "--json"]);
  expect(ok.status, ok.stderr).toBe(0);
  expect(JSON.parse(ok.stdout)).toEqual(ncMetricsOfNpy(NAMED));
  const missing = await runCli(["metrics", "--npz", NAMED.npz, "--features-key", "h"]);
  expect(missing.status).not.toBe(0);
  expect(missing.stderr.trim().split("\n")).toHaveLength(1);
  expect(missing.stderr).toMatch(/no array named h, labels, W \(found feats, y, classifier, offset\)/);
  const stray = await runCli(["metrics", "--features", at("features_f4.npy"), "--labels-key", "y"]);
  expect(stray.status).toBe(2);
  expect(stray.stderr).toMatch(/--labels-key names a member of --npz FILE; give --npz too/);
});
