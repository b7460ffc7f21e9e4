import { afterAll, describe, expect, test } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCifar10, loadCifar100 } from "../../lib/data/cifar.ts";
import { DataError } from "../../lib/data/dataset.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-cifar-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One record: label bytes, then channel-major pixels where pixel value = (channel·7 + position) mod 256. */
function record(labels: number[], seed: number): number[] {
  const pixels = Array.from({ length: 3072 }, (_, i) => (Math.floor(i / 1024) * 7 + (i % 1024) + seed) % 256);
  return [...labels, ...pixels];
}

function writeFile(sub: string, name: string, records: number[][]) {
  mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, sub, name), new Uint8Array(records.flat()));
}

describe("CIFAR-10 binary", () => {
  const sub = "c10";
  for (let b = 1; b <= 5; b++) writeFile(sub, `data_batch_${b}.bin`, [record([b], b), record([9], 0)]);
  writeFile(sub, "test_batch.bin", [record([3], 42)]);

  test("reads every batch, labels and HWC pixels", () => {
    const { train, test } = loadCifar10(join(dir, sub));
    expect(train.labels.length).toBe(10);
    expect([...train.labels.slice(0, 4)]).toEqual([1, 9, 2, 9]);
    expect(test.sampleShape).toEqual([32, 32, 3]);
    // Pixel (row 1, column 2), channel 2 of the test record: channel-major index 2·1024 + 34.
    expect(test.inputs[(1 * 32 + 2) * 3 + 2]).toBe((2 * 7 + 34 + 42) % 256);
  });

  test("rejects a truncated batch, a missing batch and a label out of range", () => {
    writeFile("c10-trunc", "test_batch.bin", [record([1], 0).slice(0, 3000)]);
    expect(() => loadCifar10(join(dir, "c10-trunc"))).toThrow(/data_batch_1\.bin: file not found/);
    for (let b = 1; b <= 5; b++) writeFile("c10-trunc", `data_batch_${b}.bin`, [record([0], 0)]);
    expect(() => loadCifar10(join(dir, "c10-trunc"))).toThrow(
      /test_batch\.bin: 3000 bytes is not a whole number of 3073-byte records/,
    );
    writeFile("c10-trunc", "test_batch.bin", [record([10], 0)]);
    expect(() => loadCifar10(join(dir, "c10-trunc"))).toThrow(DataError);
    expect(() => loadCifar10(join(dir, "c10-trunc"))).toThrow(/record 0 has label 10, outside \[0, 10\)/);
  });
});

describe("CIFAR-100 binary", () => {
  writeFile("c100", "train.bin", [record([3, 77], 1), record([19, 99], 2)]);
  writeFile("c100", "test.bin", [record([0, 5], 3)]);

  test("uses fine labels by default and coarse ones on request", () => {
    expect([...loadCifar100(join(dir, "c100")).train.labels]).toEqual([77, 99]);
    expect(loadCifar100(join(dir, "c100")).train.numClasses).toBe(100);
    expect([...loadCifar100(join(dir, "c100"), { labels: "coarse" }).train.labels]).toEqual([3, 19]);
  });
});
